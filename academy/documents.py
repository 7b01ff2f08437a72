"""The printable documents of the Académie: attendance sheet and training certificate.

Both are Django templates rendered to HTML, then to PDF by WeasyPrint. The documents use
system fonts only and WeasyPrint is not allowed to fetch anything over the network.
"""

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import capfirst
from weasyprint import HTML, URLFetcher

from calendars import dates

ORGANISER = "Agence nationale de la cohésion des territoires — Académie des territoires"
PERIOD_LABELS = {"am": "matin", "pm": "après-midi"}
# Empty rows at the bottom of the attendance sheet for participants who were not enrolled.
WALK_IN_ROWS = 3


def attendance_sheet_pdf(session) -> bytes:
    """The "feuille d'émargement" of a session: one cell per participant and half-day,
    holding the recorded presence and how it was recorded (QR code scanned, trainer's list,
    ANCT correction) or left blank to sign, then the trainers' signatures (A4 landscape)."""
    from .attendance import mode_label, times_label

    participants = (
        session.enrolments.holding_seats().select_related("user")
        .prefetch_related("attendances")
        .order_by("user__last_name", "user__first_name")
    )
    slots = session.half_days()
    rows = []
    for enrolment in participants:
        marks = {(a.day, a.period): a for a in enrolment.attendances.all()}
        cells = []
        for slot in slots:
            mark = marks.get(slot)
            cells.append({"status": mark.get_status_display(), "mode": mode_label(mark),
                          "times": times_label(mark)} if mark else None)
        rows.append({"name": f"{enrolment.user.last_name.upper()} {enrolment.user.first_name}",
                     "cells": cells})
    with translation.override("fr"):
        context = {
            "session": session,
            "dates": _session_dates(session),
            "place": _place(session),
            "half_days": [half_day_label(day, period) for day, period in slots],
            "rows": rows,
            "trainer_names": ", ".join(
                user.get_full_name() for user in session.trainer_accounts.all()),
            "walk_in_rows": range(WALK_IN_ROWS),
            "organiser": ORGANISER,
        }
        return _render_pdf("academy/documents/attendance_sheet.html", context)


def attestation_pdf(enrolment, attestation=None, verify_url="") -> bytes:
    """The "attestation de formation" of one participant (A4 portrait); with its verifiable
    ``attestation`` (reference, QR code and link to ``verify_url``) and the agency's PAdES
    signature (``academy.signing``)."""
    if attestation is None:
        return _render_pdf_from_html(attestation_html(enrolment))
    from .signing import sign_pdf, signing_files

    files = signing_files()
    pdf = _render_pdf_from_html(
        attestation_html(enrolment, attestation, verify_url, signed=files is not None))
    return sign_pdf(pdf, reference=attestation.reference, files=files) if files else pdf


def attestation_html(enrolment, attestation=None, verify_url="", signed=False) -> str:
    session, user = enrolment.session, enrolment.user
    course = session.course
    full_name = f"{user.first_name} {user.last_name}"
    with translation.override("fr"):
        context = {
            "full_name": full_name,
            # "atteste qu'Aline…", "atteste que Paul…"
            "that": "qu'" if dates.elide("que", full_name) != f"que {full_name}" else "que ",
            "mandates": _mandates(user),
            "course_title": course.title,
            "dates": _attestation_dates(session),
            "duration": _duration(enrolment.hours_attended(), session.planned_hours()),
            "organiser": ORGANISER,
            "partners": [partner.name for partner in course.partners.all()],
            "place": _place(session),
            "today": dates.long_date(timezone.localdate()),
            "attestation": attestation,
            "verify_url": verify_url,
            "qr_code": qr_code_data_uri(verify_url) if verify_url else "",
            "signed": signed,
        }
        return render_to_string("academy/documents/attestation.html", context)


def qr_code_data_uri(text):
    """A QR code of ``text`` as an SVG data URI (the only kind of URL the PDFs may load)."""
    import segno

    return segno.make(text, error="m").svg_data_uri(scale=4, border=2)


def _render_pdf(template_name, context):
    return _render_pdf_from_html(render_to_string(template_name, context))


def _render_pdf_from_html(html):
    # Everything the documents need is inline: refuse any fetch (network or local file).
    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=fetcher).write_pdf()


def _place(session):
    if session.commune_id and session.address:
        return f"{session.address}, {session.place_label}"
    return session.place_label


def _session_dates(session):
    """E.g. "du mardi 3 mars 2026 (9 h) au mercredi 4 mars 2026 (17 h)"."""
    start, end = timezone.localtime(session.start), timezone.localtime(session.end)
    if start.date() == end.date():
        return (f"le {dates.long_date(start, weekday=True)}, "
                f"de {dates.clock(start)} à {dates.clock(end)}")
    return (f"du {dates.long_date(start, weekday=True)} ({dates.clock(start)}) "
            f"au {dates.long_date(end, weekday=True)} ({dates.clock(end)})")


def _attestation_dates(session):
    """E.g. "du 3 au 4 mars 2026", or "le 1er mars 2026" for a one-day session."""
    return dates.date_span(session.start, session.end)


def half_day_label(day, period):
    """E.g. "Lun. 1er mars — matin"."""
    return (f"{capfirst(date_format(day, 'D'))}. {dates.long_date(day, year=False)} — "
            f"{PERIOD_LABELS[period]}")


def _mandates(user):
    """The official's mandates, e.g. "Maire — Beauvais (60)"; "" when there are none."""
    try:
        profile = user.official_profile
    except ObjectDoesNotExist:
        return ""
    return "; ".join(str(mandate) for mandate in profile.mandates.all())


def _duration(attended, planned):
    """E.g. "10,5 heures sur 14 prévues" (French plural from 2 on: "1,5 heure")."""
    return (f"{_number(attended)} heure{'s' if attended >= 2 else ''} "
            f"sur {_number(planned)} prévue{'s' if planned >= 2 else ''}")


def _number(value):
    """10.5 → "10,5"; 14.0 → "14"."""
    return f"{float(value):.1f}".removesuffix(".0").replace(".", ",")
