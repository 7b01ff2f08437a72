"""The programme's notices by email (French, plain text + HTML), queued in the outbox
(``accounts.emails.queue_email``) inside the caller's transaction:

- decisions on a structure's files, told to its managers and, where the posts of their
  territory change, to the préfets (``_prefects``): amendment, rupture, extension,
  convention and renewal. Called by the services that take them; never optional.
- reminders (``advisors.reminders`` decides who and when), one message per person, with
  the link to the page where they act and to their notification choices."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.emails import queue_email
from calendars import dates

SIGNATURE = ("L'équipe Conseillers numériques de l'Agence nationale de la cohésion des "
             "territoires")
PREFIX = "[Conseillers numériques]"


def _url(name, *args):
    return f"{settings.SITE_URL}{reverse(name, args=args)}"


def _day(value):
    return dates.long_date(value)


def _posts(count):
    return f"{count} poste{'s' if count > 1 else ''}"


def _managers(structure):
    return list(structure.managers.filter(is_active=True).values_list("email", flat=True))


def _prefects(structure):
    from .models import PrefectAssignment

    return list(PrefectAssignment.objects.active().covering(structure.commune)
                .values_list("user__email", flat=True).distinct())


def render(subject, paragraphs, *, user=None, items=(), action=None, optional=False):
    """(text, html) of one message. ``items``: [(text, url or None)]; ``action``: (label,
    url) of the page where the person acts; ``optional``: a reminder, which says where to
    turn it off."""
    greeting = "Bonjour,"
    if user is not None and (user.first_name or user.last_name):
        greeting = f"Bonjour {user.first_name} {user.last_name},".replace("  ", " ")
    context = {
        "subject": subject, "greeting": greeting, "paragraphs": paragraphs,
        "items": [{"text": text, "url": url} for text, url in items],
        "action_label": action[0] if action else "", "action_url": action[1] if action else "",
        "preferences_url": _url("accounts:notices") if optional else "",
        "signature": SIGNATURE,
    }
    return (render_to_string("advisors/emails/message.txt", context),
            render_to_string("advisors/emails/message.html", context))


def send(subject, recipients, paragraphs, *, user=None, items=(), action=None,
         optional=False, key=None):
    to = sorted({address for address in recipients if address})
    if not to:
        return None
    subject = f"{PREFIX} {subject}"
    text, html = render(subject, paragraphs, user=user, items=items, action=action,
                        optional=optional)
    return queue_email(subject=subject, to=to, text=text, html=html, key=key)


# --- decisions (never optional) ----------------------------------------------------------------
def amendment_decided(amendment):
    structure = amendment.convention.structure
    what = (f"ajout de {_posts(amendment.posts)}" if amendment.kind == "add"
            else f"retrait de {_posts(amendment.posts)}")
    verdict = "validé" if amendment.status == "validated" else "refusé"
    paragraphs = [f"L'ANCT a {verdict} l'avenant à la convention de {structure.name} : "
                  f"{what}, demandé le {_day(amendment.requested_at)}."]
    if amendment.decision_comment:
        paragraphs.append(f"Commentaire : {amendment.decision_comment}")
    if amendment.status == "validated":
        paragraphs.append("Le nombre de postes attribués à la structure en tient compte dès "
                          "aujourd'hui.")
    send(f"Avenant {verdict} : {structure.name}",
         _managers(structure) + _prefects(structure), paragraphs,
         action=("Voir l'avenant", _url("advisors:amendment", amendment.pk)),
         key=f"amendment-decided:{amendment.pk}")


def rupture_decided(contract):
    """A requested rupture validated (the préfets are told: a post is vacant) or refused."""
    structure = contract.structure
    if contract.rupture_status == "validated":
        paragraphs = [
            f"L'ANCT a validé la rupture du contrat de {contract.advisor} "
            f"({contract.get_rupture_reason_display().lower()}) : le contrat ne court plus à "
            f"partir du {_day(contract.rupture_date)}.",
            "Le poste sera de nouveau disponible pour un recrutement à cette date.",
        ]
        subject, recipients = (f"Rupture validée : contrat de {contract.advisor}",
                               _managers(structure) + _prefects(structure))
        key = f"rupture-validated:{contract.pk}:{contract.rupture_date}"
    else:
        paragraphs = [f"L'ANCT n'a pas validé la rupture demandée du contrat de "
                      f"{contract.advisor} : le contrat continue."]
        subject, recipients = (f"Rupture refusée : contrat de {contract.advisor}",
                               _managers(structure))
        key = None  # a later request may be refused again
    send(subject, recipients, paragraphs,
         action=("Voir la structure", _url("advisors:structure", structure.pk)), key=key)


def extension_decided(extension):
    contract = extension.contract
    structure = contract.structure
    if extension.status == "validated":
        paragraphs = [f"L'ANCT a validé la prolongation du contrat de {contract.advisor} : "
                      f"il se termine désormais le {_day(extension.new_end)} (au lieu du "
                      f"{_day(extension.previous_end)})."]
        verdict = "validée"
    else:
        paragraphs = [f"L'ANCT n'a pas validé la prolongation du contrat de "
                      f"{contract.advisor} jusqu'au {_day(extension.new_end)} : il se "
                      f"termine le {_day(extension.previous_end)}."]
        verdict = "refusée"
    send(f"Prolongation {verdict} : contrat de {contract.advisor}", _managers(structure),
         paragraphs, action=("Voir la structure", _url("advisors:structure", structure.pk)),
         key=f"extension-decided:{extension.pk}")


def convention_validated(convention):
    structure = convention.structure
    label = ("le reconventionnement" if convention.kind == "renewal" else "la convention")
    paragraphs = [
        f"L'ANCT a validé {label} de {structure.name} : {_posts(convention.posts)}, du "
        f"{_day(convention.start)} au {_day(convention.end)}.",
    ]
    if convention.kind != "renewal":
        paragraphs.append("Vous pouvez recruter vos conseillers dans la limite des postes "
                          "attribués.")
    subject = ("Reconventionnement validé" if convention.kind == "renewal"
               else "Convention validée")
    send(f"{subject} : {structure.name}",
         _managers(structure) + _prefects(structure), paragraphs,
         action=("Voir la convention", _url("advisors:convention", convention.pk)),
         key=f"convention-validated:{convention.pk}")


def renewal_started(renewal):
    """ANCT initiated the renewal of a structure's convention (back office)."""
    structure = renewal.structure
    send(f"Reconventionnement engagé : {structure.name}", _managers(structure), [
        f"L'ANCT a engagé le reconventionnement de {structure.name} : "
        f"{_posts(renewal.posts)}, du {_day(renewal.start)} au {_day(renewal.end)}.",
        "Il sera validé par l'ANCT. Si la structure ne souhaite pas renouveler, vous pouvez "
        "l'indiquer depuis la page de la convention.",
    ], action=("Voir le reconventionnement", _url("advisors:convention", renewal.pk)),
        key=f"renewal-started:{renewal.pk}")


def renewal_declined(renewal):
    """The structure is not interested in its renewal: the préfets are told."""
    structure = renewal.structure
    paragraphs = [f"{structure.name} ne souhaite pas renouveler sa convention (fin le "
                  f"{_day(renewal.previous.end)})."]
    if renewal.reason:
        paragraphs.append(f"Motif : {renewal.reason}")
    send(f"Reconventionnement décliné : {structure.name}",
         _managers(structure) + _prefects(structure), paragraphs,
         action=("Voir la convention", _url("advisors:convention", renewal.pk)),
         key=f"renewal-declined:{renewal.pk}")
