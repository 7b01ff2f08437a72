"""The shared DSFR form field include draws radio buttons and checkbox lists the DSFR way.

The DSFR hides the native input (opacity 0) and paints the circle or the box, and the focus
ring, on the label that immediately follows it inside .fr-radio-group/.fr-checkbox-group.
Anything between them (such as a widget template's own wrapper) leaves an invisible input."""

import re

import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string

pytestmark = pytest.mark.django_db


class ChoicesForm(forms.Form):
    answer = forms.ChoiceField(label="Êtes-vous salarié ?", widget=forms.RadioSelect,
                               choices=[("yes", "Oui"), ("no", "Non")], required=False)
    days = forms.MultipleChoiceField(label="Jours", widget=forms.CheckboxSelectMultiple,
                                     choices=[("mon", "Lundi"), ("tue", "Mardi")])


def input_then_label(html, kind):
    """(input id, label for) pairs of inputs whose very next element is their label."""
    tag = "radio" if kind == "radio" else "checkbox"
    pattern = (rf'<div class="fr-{kind}-group[^"]*">\s*'
               rf'<input type="{tag}"[^>]*id="([^"]+)"[^>]*>\s*'
               r'<label class="fr-label" for="([^"]+)">')
    return re.findall(pattern, html)


def render(form):
    return "".join(render_to_string("includes/form_field.html", {"field": field})
                   for field in form)


def test_radio_buttons_sit_right_before_their_label_in_a_fieldset():
    html = render(ChoicesForm(initial={"answer": "no"}))
    assert input_then_label(html, "radio") == [("id_answer_0", "id_answer_0"),
                                               ("id_answer_1", "id_answer_1")]
    assert 'role="radiogroup"' in html and "<legend" in html
    assert re.search(r'value="no" id="id_answer_1" checked', html)


def test_checkbox_lists_are_drawn_as_dsfr_checkboxes():
    html = render(ChoicesForm(data={"days": ["tue"]}))
    assert input_then_label(html, "checkbox") == [("id_days_0", "id_days_0"),
                                                  ("id_days_1", "id_days_1")]
    assert re.search(r'value="tue" id="id_days_1" checked', html)


def test_a_choice_error_is_shown_under_the_question():
    html = render(ChoicesForm(data={"answer": "maybe"}))
    assert "fr-fieldset--error" in html and 'id="id_answer-errors"' in html
    assert 'aria-describedby="id_answer-errors"' in html


def test_employment_radio_buttons_of_the_elected_officials_profile_are_visible(client):
    user = get_user_model().objects.create_user(email="elu@example.fr", password="x")
    client.force_login(user)
    html = client.get("/espace/profil-elu/").content.decode()
    assert [pair[0] for pair in input_then_label(html, "radio")] == [
        "id_is_employee_0", "id_is_employee_1", "id_is_employee_2"]
    assert "Êtes-vous salarié ?" in html
