"""The documents an élu joins to a DIF élus request on Mon compte élu: the course's programme
(public) and the quote of their enrolment (theirs only). Django templates rendered to PDF by
WeasyPrint, like the attendance sheet and the attestation (``documents.py``)."""

import re

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import strip_tags

from calendars import dates

from . import funding
from .documents import ORGANISER, _place, _render_pdf_from_html, _session_dates

BLOCK_END = re.compile(r"</(h[1-6]|p|li|div|tr)>|<br\s*/?>", re.IGNORECASE)


def _session_row(session):
    return {
        "dates": _session_dates(session),
        "place": "À distance" if not session.commune_id else _place(session),
        "remote": bool(session.remote_url) and bool(session.commune_id),
        "hours": funding.hours_label(session.planned_hours()),
        "trainers": _trainers(session),
    }


def _trainers(session):
    names = [user.get_full_name() for user in session.trainer_accounts.all()
             if user.get_full_name()]
    if session.trainers.strip():
        names = [session.trainers.strip(), *[n for n in names if n not in session.trainers]]
    return ", ".join(names)


def _programme_text(course):
    """The programme StreamField as headings and paragraphs of text (the PDF loads nothing:
    no images, no embeds)."""
    lines = []
    for block in course.programme:
        html = BLOCK_END.sub("\n", str(block.render()))
        for line in strip_tags(html).splitlines():
            text = " ".join(line.split())
            if text:
                lines.append(text)
    return lines


def programme_html(course, sessions):
    body = funding.dif_training_body(course)
    with translation.override("fr"):
        return render_to_string("academy/documents/dif_programme.html", {
            "course": course,
            "objectives": course.objectives,
            "programme": _programme_text(course),
            "duration": funding.hours_label(course.duration_hours),
            "sessions": [_session_row(session) for session in sessions],
            "body": body,
            "approval_date": dates.long_date(body.approval_date) if body else "",
            "approval_until": (dates.long_date(body.approval_until)
                               if body and body.approval_until else ""),
            "organiser": ORGANISER,
            "today": dates.long_date(timezone.localdate()),
        })


def programme_pdf(course, sessions) -> bytes:
    return _render_pdf_from_html(programme_html(course, sessions))


def quote_html(enrolment):
    session = enrolment.session
    course = session.course
    body = funding.dif_training_body(course)
    price = funding.course_price(course)
    user = enrolment.user
    with translation.override("fr"):
        return render_to_string("academy/documents/dif_quote.html", {
            "reference": funding.quote_reference(enrolment),
            "today": dates.long_date(timezone.localdate()),
            "valid_until": dates.long_date(funding.quote_validity(enrolment)),
            "full_name": user.get_full_name() or user.email,
            "email": user.email,
            "mandate": str(enrolment.counted_mandate(_mandates(user)) or ""),
            "course": course,
            "session": _session_row(session),
            "hours": funding.hours_label(session.planned_hours()),
            "price": funding.euros(price),
            "vat": funding.VAT_STATEMENT,
            "body": body,
            "approval_date": dates.long_date(body.approval_date) if body else "",
            "organiser": ORGANISER,
        })


def quote_pdf(enrolment) -> bytes:
    return _render_pdf_from_html(quote_html(enrolment))


def _mandates(user):
    profile = getattr(user, "official_profile", None)
    return list(profile.mandates.all()) if profile is not None else []
