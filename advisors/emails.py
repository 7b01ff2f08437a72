"""Messages of the advisors programme (French, plain text and HTML in the layout of
``advisors/notices.py``), queued after commit."""

from django.conf import settings
from django.utils import timezone

from calendars import dates

from . import notices


def _send(subject, recipients, paragraphs):
    notices.send(subject, recipients, paragraphs)


def _day(value):
    """"1er avril 2026" (a datetime is read in Europe/Paris)."""
    return dates.long_date(value)


def _managers(structure):
    return list(structure.managers.filter(is_active=True).values_list("email", flat=True))


def _prefects(structure):
    from .models import PrefectAssignment

    return list(PrefectAssignment.objects.active().covering(structure.commune)
                .values_list("user__email", flat=True))


def application_received(application):
    structure = application.structure
    asked = ("un poste de coordinateur" if application.is_coordinator_post
             else f"{application.posts_requested} poste(s) de conseiller numérique")
    _send(f"Candidature reçue : {structure.name}", _managers(structure), [
        f"La candidature de {structure.name} pour {asked} est bien enregistrée.",
        "Le préfet de votre département va donner son avis, puis le comité de sélection de "
        "l'ANCT décidera. Vous serez informé par courriel de sa décision.",
    ])


DECISION_TEXT = {
    "validated": "Le comité de sélection a validé la candidature de {name} : {posts} poste(s) "
                 "de {what} attribué(s) (décision n° {number} du {day}).",
    "refused": "Le comité de sélection n'a pas retenu la candidature de {name} (décision "
               "n° {number} du {day}).",
    "examination": "Le comité de sélection a placé la candidature de {name} en examen "
                   "complémentaire.",
}


def application_decided(application, reason=""):
    structure = application.structure
    paragraphs = [DECISION_TEXT[application.status].format(
        name=structure.name, posts=application.posts_granted,
        what="coordinateur" if application.is_coordinator_post else "conseiller numérique",
        number=application.decision_number or "—",
        day=_day(application.decided_on or timezone.localdate()),
    )]
    if reason:
        paragraphs.append(f"Motif : {reason}")
    if application.status == "validated" and application.is_coordinator_post:
        paragraphs.append("Prochaine étape : le recrutement du coordinateur, puis sa "
                          "désignation sur la page de la candidature.")
    elif application.status == "validated":
        paragraphs.append("Prochaine étape : la convention, puis le recrutement des conseillers.")
    _send(f"Décision sur la candidature de {structure.name} : "
          f"{application.get_status_display().lower()}",
          _managers(structure) + _prefects(structure), paragraphs)


def contract_decided(contract):
    paragraphs = [
        f"Le contrat de {contract.advisor} ({contract.get_kind_display()}, à partir du "
        f"{_day(contract.start)}) est {contract.get_status_display().lower()} par l'ANCT."
    ]
    if contract.refusal_reason:
        paragraphs.append(f"Motif : {contract.refusal_reason}")
    _send(f"Contrat de {contract.advisor} : {contract.get_status_display().lower()}",
          _managers(contract.structure), paragraphs)


def prefect_digest(assignment, applications):
    lines = [
        f"- {a.structure.name} ({a.structure.commune.label}) : {a.posts_requested} poste(s) "
        f"demandé(s), candidature déposée le {_day(a.created_at)}"
        for a in applications
    ]
    count = len(applications)
    plural = "s" if count > 1 else ""
    notices.send(
        f"{count} nouvelle{plural} candidature{plural} — {assignment.territory}",
        [assignment.user.email],
        [
            f"Voici les candidatures de structures d'accueil déposées dans votre territoire "
            f"({assignment.territory}) depuis le dernier récapitulatif :",
            "\n".join(lines),
            f"Vous pouvez donner votre avis depuis votre espace : {settings.SITE_URL}/espace/",
        ],
        user=assignment.user, optional=True,
    )
