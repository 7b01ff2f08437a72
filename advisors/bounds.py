"""Sane bounds on the dates and amounts of the programme, shared by the services (which
enforce them, so the admin and imports are covered) and the forms (which show them next to
the field before anything is sent).

Each ``*_errors`` function returns ``{field name: [French message]}``, empty when all is
well, so a service raises it as a ``WorkflowError`` and a form adds it to its fields."""

import datetime
from decimal import Decimal

from django.utils import timezone

from .dates import long_date
from .models.people import euros

# The programme started in 2020: nothing of it (convention, contract, extension) is older.
EARLIEST_DATE = datetime.date(2020, 1, 1)
# Nothing is signed for more than five years ahead.
YEARS_AHEAD = 5
# Closures of a service point are announced at most two years ahead.
CLOSURE_YEARS_AHEAD = 2
# Above this gross monthly salary, ANCT confirms the amount explicitly (a likely typo:
# an annual salary, a misplaced comma).
SALARY_CONFIRMATION_ABOVE = Decimal("10000.00")


def latest_date(today=None, years=YEARS_AHEAD) -> datetime.date:
    """``years`` (five) years from today (28 February for a 29 February)."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + years)
    except ValueError:
        return today.replace(year=today.year + years, day=28)


def _too_early(value, what):
    return (f"{what} ne peut pas précéder le {long_date(EARLIEST_DATE)} (début du "
            "programme) : vérifiez l'année saisie.")


def _too_late(what, today=None):
    return (f"{what} ne peut pas dépasser le {long_date(latest_date(today))} (cinq ans à "
            "partir d'aujourd'hui) : vérifiez l'année saisie.")


def period_errors(start, end, *, start_label, end_label, start_field="start",
                  end_field="end", today=None) -> dict:
    """A period starting on/after 2020 and ending (or starting, when open-ended) within five
    years from today."""
    errors = {}
    latest = latest_date(today)
    if start and start < EARLIEST_DATE:
        errors[start_field] = [_too_early(start, start_label)]
    elif start and start > latest:
        errors[start_field] = [_too_late(start_label, today)]
    if end and end < EARLIEST_DATE:
        errors[end_field] = [_too_early(end, end_label)]
    elif end and end > latest:
        errors[end_field] = [_too_late(end_label, today)]
    return errors


def convention_errors(start, end, today=None) -> dict:
    return period_errors(start, end, start_label="Le début de la convention",
                         end_label="La fin de la convention", today=today)


def contract_errors(start, end, today=None) -> dict:
    return period_errors(start, end, start_label="Le début du contrat",
                         end_label="La fin du contrat", today=today)


def extension_errors(new_end, today=None) -> dict:
    return period_errors(None, new_end, start_label="", end_label="La nouvelle date de fin",
                         end_field="new_end", today=today)


def closure_errors(start, end, today=None) -> dict:
    """A closure from 2020 to two years ahead, its last day not before its first."""
    errors = {}
    latest = latest_date(today, CLOSURE_YEARS_AHEAD)
    too_late = (f"ne peut pas dépasser le {long_date(latest)} (deux ans à partir "
                "d'aujourd'hui) : vérifiez l'année saisie.")
    for field, value, label in (("start", start, "Le premier jour de fermeture"),
                                ("end", end, "Le dernier jour de fermeture")):
        if value and value < EARLIEST_DATE:
            errors[field] = [_too_early(value, label)]
        elif value and value > latest:
            errors[field] = [f"{label} {too_late}"]
    if start and end and end < start and "end" not in errors and "start" not in errors:
        errors["end"] = ["Le dernier jour de fermeture doit suivre le premier."]
    return errors


def salary_errors(amount, confirmed=False, field="monthly_gross_salary") -> dict:
    """A salary above 10,000 € a month needs ANCT's explicit confirmation."""
    if amount is None or confirmed or Decimal(amount) <= SALARY_CONFIRMATION_ABOVE:
        return {}
    return {field: [
        f"Un salaire brut mensuel de {euros(amount)} dépasse "
        f"{euros(SALARY_CONFIRMATION_ABOVE)} : vérifiez qu'il s'agit bien d'un montant "
        "mensuel. Au-delà de ce montant, seule l'ANCT peut l'accepter, en le confirmant "
        "explicitement."]}


def hint(today=None, years=YEARS_AHEAD) -> str:
    """The bounds of a date field, as a help text."""
    return (f"Entre le {long_date(EARLIEST_DATE)} et le "
            f"{long_date(latest_date(today, years))}.")
