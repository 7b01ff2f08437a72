from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from demo.accounts import DEMO_PASSWORD, create_demo_accounts
from demo.advisors import create_demo_deployment
from demo.beneficiaries import create_demo_beneficiaries
from demo.content import create_demo_content
from demo.dif import create_demo_dif
from demo.enrolments import (
    attach_demo_materials,
    create_demo_enrolments,
    issue_demo_attestation,
)
from demo.offboarding import create_demo_departure
from demo.offers import create_demo_offer
from demo.records import create_demo_corrections
from demo.surveys import create_demo_surveys
from demo.trainers import create_demo_training_day


class Command(BaseCommand):
    help = "Crée les comptes et contenus de démonstration (relançable sans doublon)."

    def handle(self, *args, **options):
        counts = create_demo_content()
        self.stdout.write(
            f"Contenus : {counts['courses']} formations, {counts['sessions']} sessions "
            f"({counts['new_sessions']} nouvelles), {counts['news']} actualités."
        )
        accounts = create_demo_accounts()
        # Demo people are not real: their confirmation emails go nowhere.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            enrolled = create_demo_enrolments()
        if enrolled:
            self.stdout.write(f"Inscriptions de l'élu de démonstration : {enrolled}.")
        materials = attach_demo_materials()
        if materials:
            self.stdout.write(f"Documents des sessions de l'élu de démonstration : {materials}.")
        attestation = issue_demo_attestation()
        if attestation:
            self.stdout.write(f"Attestation vérifiable : /attestations/{attestation.reference}/")
        training_day = create_demo_training_day()
        if training_day:
            self.stdout.write(f"Session du jour de la formatrice de démonstration : "
                              f"/formateur/sessions/{training_day.pk}/")
        surveyed = create_demo_surveys()
        if surveyed:
            self.stdout.write(f"Questionnaires de satisfaction : /tableau-de-bord/questionnaires/"
                              f"session/{surveyed.pk}/ ; l'élu de démonstration a le sien à "
                              f"remplir dans « Mon espace ».")
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            offered = create_demo_offer()
        if offered:
            self.stdout.write(f"Place proposée à l'élu de démonstration (liste d'attente) : "
                              f"{offered}.")
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            dif = create_demo_dif()
        if dif:
            self.stdout.write(f"DIF des élus : demande faite par l'élu de démonstration pour "
                              f"« {dif.enrolment.session.course.title} ».")
        deployment = create_demo_deployment()
        if deployment:
            self.stdout.write(
                f"Conseillers numériques : {deployment['structures']} structures, "
                f"{deployment['advisors']} conseillers, {deployment['service_points']} lieux "
                f"d'activité, {deployment['reports']} comptes rendus d'activité."
            )
        if create_demo_departure():
            self.stdout.write("Fin de contrat : Lucas Fontaine a quitté la structure de "
                              "démonstration hier ; son « Point numérique de la gare » n'est "
                              "plus dans l'annuaire.")
        beneficiaries = create_demo_beneficiaries()
        if beneficiaries:
            self.stdout.write(f"Bénéficiaires suivis par le conseiller de démonstration : "
                              f"{beneficiaries}.")
        if create_demo_corrections():
            self.stdout.write("Corrections : une dans l'historique de la structure de "
                              "démonstration, une formation déclarée à valider.")
        self.stdout.write(self.style.SUCCESS("Comptes de démonstration :"))
        for email, role in accounts:
            self.stdout.write(f"  {role:<28} {email:<28} mot de passe : {DEMO_PASSWORD}")
        self.stdout.write(
            "Les comptes ANCT (administrateur, éditeur) et le préfet configurent la double "
            "authentification à leur premier accès à l'administration ou à leurs pages."
        )
