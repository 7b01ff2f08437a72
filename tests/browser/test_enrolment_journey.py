import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from academy import services
from academy.models import Enrolment, Mandate
from tests import factories as make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_onboard_enrol_cancel_and_the_waitlisted_person_is_promoted(live_server, page):
    communes = make.geography()
    course = make.course("Gérer une crise sur son territoire")
    session = make.session(course, communes["Beauvais"], capacity=1, trainers="Anne Leroy")

    # Sign up and confirm the address.
    page.goto(f"{live_server.url}/comptes/signup/")
    page.get_by_label("Prénom").fill("Lucie")
    page.get_by_label("Nom", exact=True).fill("Bernard")
    page.get_by_label("E-mail").fill("lucie.bernard@mairie-beauvais.fr")
    page.get_by_label("Mot de passe", exact=False).first.fill("Vallee-du-Therain-2026")
    page.get_by_label("Mot de passe (confirmation)").fill("Vallee-du-Therain-2026")
    page.get_by_role("button", name="Création de compte").click()
    page.wait_for_url(re.compile(r"/comptes/confirm-email/"))
    link = re.search(r"https?://\S+/comptes/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(re.sub(r"^https?://[^/]+", live_server.url, link))  # link on SITE_URL
    page.get_by_role("button", name="Confirmer").click()

    # Onboarding: one mandate, the commune typed as the autocomplete shows it.
    page.goto(f"{live_server.url}/espace/profil-elu/?bienvenue=1")
    page.get_by_label("Fonction", exact=True).select_option(label="Maire")
    page.get_by_role("combobox", name=re.compile("^Collectivité")).fill("Beauvais (60)")
    page.get_by_label("Début du mandat").fill("2020-07-04")
    page.locator("label", has_text="C'est mon premier mandat").click()
    page.get_by_role("button", name="Enregistrer mon profil").click()
    page.wait_for_url(re.compile(r"/espace/$"))
    assert "Votre profil d'élu est enregistré." in page.content()
    mandate = Mandate.objects.get(profile__user__email="lucie.bernard@mairie-beauvais.fr")
    assert mandate.commune == communes["Beauvais"] and mandate.is_first_mandate

    # Enrol from the course page.
    page.goto(f"{live_server.url}{course.url}")
    page.get_by_role("button", name="S'inscrire").click()
    page.wait_for_url(re.compile(r"/espace/$"))
    assert "est confirmée" in page.content()
    card = page.locator("[data-enrolment]", has_text="Gérer une crise sur son territoire")
    assert "Confirmée" in card.text_content()

    # Someone else arrives when the session is full: waiting list.
    waiting = get_user_model().objects.create_user(email="adjoint@compiegne.fr", password="x",
                                                   first_name="Paul", last_name="Roux")
    assert services.enrol(session.pk, waiting, by_staff=waiting).status == "waitlisted"
    mail.outbox.clear()

    # Lucie cancels, and confirms: Paul gets the seat and an email.
    card.get_by_role("link", name="Annuler mon inscription").click()
    page.get_by_role("button", name="Oui, annuler mon inscription").click()
    page.wait_for_url(re.compile(r"/espace/$"))
    assert "est annulée" in page.content()
    assert Enrolment.objects.get(user=waiting).status == Enrolment.Status.CONFIRMED
    promoted = [m for m in mail.outbox if m.to == ["adjoint@compiegne.fr"]]
    assert promoted and promoted[0].subject.startswith("Une place s'est libérée")
