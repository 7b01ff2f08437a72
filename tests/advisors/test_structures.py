"""Structures: SIRET validation and filing an application (apply)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.forms import modelform_factory
from django.utils import timezone

from accounts.roles import Role
from advisors import services
from advisors.models import Application, Structure

from . import factories as make

pytestmark = pytest.mark.django_db


def structure_data(commune, **overrides):
    data = {
        "name": "Mairie de Beauvais", "siret": "21600057000012", "kind": Structure.Kind.COMMUNE,
        "address": "1 rue Desgroux", "commune": commune, "contact_first_name": "Claire",
        "contact_last_name": "Durand", "contact_email": "numerique@beauvais.fr",
        "contact_phone": "03 44 79 40 00",
    }
    data.update(overrides)
    return data


def apply(commune, user, **overrides):
    fields = {"posts_requested": 3, "motivation": "Deux permanences en mairie annexe.",
              "desired_start": timezone.localdate() + timedelta(days=30)}
    fields.update({k: overrides.pop(k) for k in list(overrides) if k in fields})
    return services.apply(structure_data(commune, **overrides), user, **fields)


def siret_errors(value, commune):
    structure = Structure(**structure_data(commune, siret=value))
    with pytest.raises(ValidationError) as error:
        structure.full_clean()
    return error.value.message_dict["siret"]


@pytest.mark.parametrize("value", ["21600057000012", "216 000 570 00012",
                                   "35600000000048", "35600000000010"])
def test_valid_siret_is_accepted_and_stored_as_digits(communes, value):
    structure = Structure(**structure_data(communes["Beauvais"], siret=value))
    structure.full_clean()
    assert structure.siret == value.replace(" ", "")


def test_siret_with_a_bad_checksum_is_refused(communes):
    assert siret_errors("21600057000013", communes["Beauvais"]) == [
        "Ce SIRET n'est pas valide : vérifiez les chiffres saisis (clé de contrôle)."]


@pytest.mark.parametrize("value", ["2160005710001", "216000570000120"])
def test_siret_of_the_wrong_length_is_refused(communes, value):
    assert "Le SIRET doit comporter 14 chiffres." in siret_errors(value, communes["Beauvais"])


def test_siret_with_letters_is_refused(communes):
    assert siret_errors("2160005700001A", communes["Beauvais"]) == [
        "Le SIRET ne doit contenir que des chiffres."]


def test_la_poste_establishment_rule_is_applied(communes):
    # La Poste's establishments are not Luhn-checked: their digits must add up to a
    # multiple of 5.
    assert siret_errors("35600000000011", communes["Beauvais"])


def test_apply_creates_the_structure_and_its_application_and_makes_the_user_manager(
        communes, django_capture_on_commit_callbacks, mailoutbox):
    user = make.user()
    with django_capture_on_commit_callbacks(execute=True):
        application = apply(communes["Beauvais"], user, siret="216 000 570 00012")
    structure = application.structure
    assert structure.siret == "21600057000012"
    assert list(structure.managers.all()) == [user]
    assert user.has_role(Role.STRUCTURE_MANAGER)
    assert application.status == Application.Status.CREATED
    assert application.created_by == user
    assert structure.department.code == "60" and structure.region.code == "32"
    event = application.events.get()
    assert (event.from_status, event.to_status, event.actor) == ("", "created", user)
    assert mailoutbox[0].to == [user.email]
    assert "Candidature reçue" in mailoutbox[0].subject


def test_apply_with_a_siret_already_registered_is_refused(communes):
    apply(communes["Beauvais"], make.user())
    with pytest.raises(services.WorkflowError,
                       match="Une structure avec ce SIRET existe déjà") as error:
        apply(communes["Compiègne"], make.user(), siret="216 000 570 00012", name="Autre")
    assert "siret" in error.value.errors
    assert Structure.objects.count() == 1 and Application.objects.count() == 1


def test_apply_refuses_an_invalid_siret_with_the_field_error(communes):
    with pytest.raises(services.WorkflowError, match="clé de contrôle") as error:
        apply(communes["Beauvais"], make.user(), siret="21600057000013")
    assert list(error.value.errors) == ["siret"]
    assert not Structure.objects.exists()


@pytest.mark.parametrize("posts", [0, 51])
def test_apply_refuses_posts_outside_1_to_50(communes, posts):
    with pytest.raises(services.WorkflowError):
        apply(communes["Beauvais"], make.user(), posts_requested=posts)
    assert not Structure.objects.exists()  # nothing half-created


def test_motivation_is_limited_to_2500_characters_in_the_model_and_the_form(communes):
    with pytest.raises(services.WorkflowError, match="2500"):
        apply(communes["Beauvais"], make.user(), motivation="x" * 2501)
    assert apply(communes["Beauvais"], make.user(), motivation="x" * 2500).pk
    form_class = modelform_factory(Application, fields=["motivation"])
    assert not form_class(data={"motivation": "x" * 2501}).is_valid()
    assert form_class(data={"motivation": "x" * 2500}).is_valid()


def test_apply_refuses_a_desired_start_in_the_past(communes):
    with pytest.raises(services.WorkflowError, match="passée"):
        apply(communes["Beauvais"], make.user(),
              desired_start=timezone.localdate() - timedelta(days=1))


def test_a_manager_applies_again_for_an_existing_structure_once_the_first_is_closed(
        communes):
    user = make.user()
    first = apply(communes["Beauvais"], user)
    with pytest.raises(services.WorkflowError, match="déjà une candidature en cours"):
        services.apply(first.structure, user, posts_requested=1, motivation="Encore",
                       desired_start=timezone.localdate())
    services.transition(first, Application.Status.ABANDONED, user, "Projet reporté")
    second = services.apply(first.structure, user, posts_requested=1, motivation="Encore",
                            desired_start=timezone.localdate())
    assert second.structure == first.structure


def test_only_a_manager_applies_for_an_existing_structure(communes):
    structure = make.structure(communes["Beauvais"], manager=make.user())
    with pytest.raises(services.NotAllowed):
        services.apply(structure, make.user(), posts_requested=1, motivation="Moi aussi",
                       desired_start=timezone.localdate())


def test_anonymous_people_cannot_apply(communes):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(services.NotAllowed):
        apply(communes["Beauvais"], AnonymousUser())


def test_contact_phone_is_validated(communes):
    structure = Structure(**structure_data(communes["Beauvais"], contact_phone="12"))
    with pytest.raises(ValidationError) as error:
        structure.full_clean()
    assert "contact_phone" in error.value.message_dict


def test_str(communes):
    structure = make.structure(communes["Beauvais"], name="Mairie de Beauvais")
    assert str(structure) == f"Mairie de Beauvais ({structure.siret})"
    application = make.application(structure)
    assert str(application) == "Candidature de Mairie de Beauvais (Déposée)"
