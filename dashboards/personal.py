"""Personal statistics: an advisor's own ("Mes statistiques"), a coordinator's team
("Statistiques de mon équipe") and a structure's for its managers ("Statistiques de ma
structure").

Who sees what is decided here, once, from the signed-in person only (``Subject``): an
advisor reads the rows of their own advisor record, a coordinator those of the advisors in
their scope (``Scope.coordinated``), a manager those of the structures they manage. Nothing
in the address can widen it. The figures come from the advisors' monthly totals
(``advisors.advisor_rollups``), never from the reports."""

import datetime
from dataclasses import dataclass, field

from django import forms
from django.db.models import Q
from django.utils import timezone

from advisors import advisor_rollups, permissions
from advisors.models import (
    AGE_BANDS,
    STATUS_BANDS,
    ActivityReport,
    ActivityTheme,
    Advisor,
    ServicePoint,
    Structure,
)
from calendars.dates import month_year

from .charts import bars

FORBIDDEN_ADVISOR = ("Ces statistiques sont celles d'un conseiller numérique : votre compte "
                     "n'est lié à aucun conseiller.")
FORBIDDEN_TEAM = "Ces statistiques sont celles d'un coordinateur de conseillers numériques."
FORBIDDEN_STRUCTURE = "Vous ne gérez pas cette structure."
FIRST_MONTH = datetime.date(2020, 1, 1)
LAST_MONTH = datetime.date(2100, 12, 1)


# --- whose figures --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Subject:
    """What one page covers: ``condition`` selects the monthly rows it may read."""

    kind: str  # "advisor", "team" or "structure"
    title: str
    condition: Q
    slug: str
    # (pk, "Prénom Nom") of the team (a coordinator's page lists them all, even idle).
    members: tuple = field(default=())
    structure: object = None

    @property
    def by_advisor(self):
        return self.kind != "advisor"


def own_advisor(user):
    if user is None or not user.is_authenticated:
        return None
    return Advisor.objects.filter(user=user).only("pk", "is_coordinator").first()


def advisor_subject(user):
    advisor = own_advisor(user)
    if advisor is None:
        return None
    return Subject("advisor", "Mes statistiques", Q(advisor_id=advisor.pk),
                   f"mes-statistiques-{advisor.pk}")


def team_members(user):
    scope = permissions.scope_of(user)
    coordinated = scope.coordinated("")
    if coordinated is None:
        return []
    return [(pk, f"{first} {last}") for pk, first, last in
            Advisor.objects.filter(coordinated).order_by("last_name", "first_name", "pk")
            .values_list("pk", "first_name", "last_name")]


def team_subject(user):
    """A coordinator's team: the advisors they coordinate (their scope). A coordinator
    whose team is empty still opens the page (and reads nothing)."""
    advisor = own_advisor(user)
    members = team_members(user) if user is not None and user.is_authenticated else []
    if not members and not (advisor is not None and advisor.is_coordinator):
        return None
    return Subject("team", "Statistiques de mon équipe",
                   Q(advisor_id__in=[pk for pk, _name in members]),
                   f"statistiques-equipe-{user.pk}", members=tuple(members))


def managed_structures(user):
    if user is None or not user.is_authenticated:
        return Structure.objects.none()
    return Structure.objects.filter(managers=user).order_by("name", "pk")


def structure_subject(user, pk):
    """The structure ``pk`` if ``user`` manages it, else None."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    structure = managed_structures(user).filter(pk=pk).only("pk", "name").first()
    if structure is None:
        return None
    return Subject("structure", "Statistiques de ma structure", Q(structure_id=structure.pk),
                   f"statistiques-structure-{structure.pk}", structure=structure)


# --- the filters ---------------------------------------------------------------------------
INVALID_MONTH = "Saisissez un mois au format AAAA-MM, par exemple 2026-09."


class MonthField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "month", "placeholder": "AAAA-MM"},
                             format="%Y-%m")
    input_formats = ["%Y-%m", "%m/%Y", "%Y-%m-%d"]
    default_error_messages = {"invalid": INVALID_MONTH}

    def to_python(self, value):
        day = super().to_python(value)
        return day.replace(day=1) if day else day


class StatisticsForm(forms.Form):
    """Period (from one month to another), kind and theme: ``?du=2026-01&au=2026-12&type=
    workshop&theme=email``. Unknown parameters are ignored; a wrong value is an error next to
    its field (and a 400)."""

    du = MonthField(label="Du mois", required=False)
    au = MonthField(label="Au mois (inclus)", required=False)
    type = forms.ChoiceField(label="Type d'accompagnement", required=False,
                             choices=[("", "Tous les types"), *(
                                 (value, label if value in ActivityReport.Kind.current()
                                  else f"{label} (avant 2025)")
                                 for value, label in ActivityReport.Kind.choices)])
    theme = forms.ChoiceField(label="Thème", required=False,
                              choices=[("", "Tous les thèmes"), *ActivityTheme.choices])

    def clean(self):
        data = super().clean()
        for name in ("du", "au"):
            month = data.get(name)
            if month and not FIRST_MONTH <= month <= LAST_MONTH:
                self.add_error(name, f"Choisissez un mois entre {month_year(FIRST_MONTH)} et "
                                     f"{month_year(LAST_MONTH)}.")
                data.pop(name, None)
        first, last = data.get("du"), data.get("au")
        if first and last and first > last:
            self.add_error("au", f"Le mois de fin ({month_year(last)}) doit suivre le mois "
                                 f"de début ({month_year(first)}).")
        return data

    def error_text(self):
        labels = {name: str(self.fields[name].label) for name in self.fields}
        return " ".join(f"{labels.get(name, 'Filtres')} : {' '.join(messages)}"
                        for name, messages in self.errors.items())


@dataclass(frozen=True)
class Filters:
    first: datetime.date  # first day of the first month
    last: datetime.date  # first day of the last month
    kind: str = ""
    theme: str = ""

    @property
    def label(self):
        if self.first == self.last:
            return month_year(self.first)
        return f"de {month_year(self.first)} à {month_year(self.last)}"

    def query(self, **changes):
        """The address's query string for these filters (with ``changes``)."""
        from urllib.parse import urlencode

        values = {"du": f"{self.first:%Y-%m}", "au": f"{self.last:%Y-%m}",
                  "type": self.kind, "theme": self.theme, **changes}
        return urlencode({name: value for name, value in values.items() if value})


def default_months(today=None):
    """The last twelve months, this one included."""
    today = today or timezone.localdate()
    last = today.replace(day=1)
    return _months_before(last, 11), last


def _months_before(month, count):
    for _ in range(count):
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    return month


def filters_of(data):
    """``(form, Filters)``, or ``(form, None)`` when a value is wrong."""
    first, last = default_months()
    bound = any(data.get(name) not in (None, "") for name in StatisticsForm.base_fields)
    form = StatisticsForm(data if bound else None, initial={"du": first, "au": last})
    if not bound:
        return form, Filters(first, last)
    if not form.is_valid():
        return form, None
    cleaned = form.cleaned_data
    chosen_first, chosen_last = cleaned.get("du"), cleaned.get("au")
    if chosen_first and not chosen_last:
        last = max(last, chosen_first)
    if chosen_last and not chosen_first:
        first = min(first, _months_before(chosen_last, 11))
    filters = Filters(chosen_first or first, chosen_last or last, cleaned.get("type") or "",
                      cleaned.get("theme") or "")
    # The fields show the months read, also those left empty (the defaults).
    form.data = {**{name: form.data.get(name) for name in form.fields},
                 "du": f"{filters.first:%Y-%m}", "au": f"{filters.last:%Y-%m}"}
    return form, filters


def presets(filters, today=None):
    """The quick periods: [(label, query, current)]."""
    today = today or timezone.localdate()
    this_month = today.replace(day=1)
    options = [("12 derniers mois", *default_months(today)),
               (f"Année {today.year}", this_month.replace(month=1), this_month),
               (f"Année {today.year - 1}", datetime.date(today.year - 1, 1, 1),
                datetime.date(today.year - 1, 12, 1)),
               ("Depuis 2020", FIRST_MONTH, this_month)]
    return [(label, filters.query(du=f"{first:%Y-%m}", au=f"{last:%Y-%m}"),
             (first, last) == (filters.first, filters.last))
            for label, first, last in options]


# --- the figures ---------------------------------------------------------------------------
def months_between(first, last):
    months, month = [], first
    while month <= last:
        months.append(month)
        month = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return months


def figures(subject, filters):
    """Everything the page and its export show, as plain data."""
    data = advisor_rollups.statistics(subject.condition, filters.first, filters.last,
                                      kind=filters.kind or None, theme=filters.theme or None,
                                      by_advisor=subject.by_advisor)
    totals = data["totals"]
    kinds = [(label, data["by_kind"].get(value, {}).get("accompaniments", 0))
             for value, label in ActivityReport.Kind.choices
             if not filters.kind or value == filters.kind]
    # "Demande ponctuelle" is no longer recorded (2025 model): shown only where reports of it
    # from before are counted.
    current = {label for value, label in ActivityReport.Kind.choices
               if value in ActivityReport.Kind.current()}
    kinds = [(label, count) for label, count in kinds if label in current or count]
    themes = sorted(((label, data["by_theme"].get(value, 0))
                     for value, label in ActivityTheme.choices
                     if not filters.theme or value == filters.theme),
                    key=lambda pair: (-pair[1], pair[0]))
    channels = [(label, totals[f"channel_{value}"])
                for value, label in ActivityReport.Channel.choices]
    ages = [(label, totals[name]) for name, label in AGE_BANDS
            if name in advisor_rollups.BANDS]
    statuses = [(label, totals[name]) for name, label in STATUS_BANDS
                if name in advisor_rollups.BANDS]
    months = [(month, data["by_month"].get(month, {"accompaniments": 0, "people": 0}))
              for month in months_between(filters.first, filters.last)]
    result = {
        "totals": totals,
        "charts": [
            ("type", "Accompagnements par type", bars(kinds)),
            ("theme", "Accompagnements par thème", bars(themes)),
            ("canal", "Accompagnements par canal", bars(channels)),
            ("lieu", "Accompagnements par lieu d'activité", bars(_places(data["by_place"]))),
            ("age", "Personnes accompagnées par tranche d'âge", bars(ages)),
            ("situation", "Personnes accompagnées par situation", bars(statuses)),
            ("mois", "Accompagnements par mois",
             bars([(month_year(month), row["accompaniments"]) for month, row in months])),
        ],
        "months": [{"month": month, "label": month_year(month), **row}
                   for month, row in months],
    }
    if subject.by_advisor:
        result["charts"].insert(0, ("conseiller", "Accompagnements par conseiller",
                                    bars(_advisors(subject, data["by_advisor"]))))
    return result


def _places(by_place):
    """[(label, accompaniments)] by service point, the most used first; the reports made
    elsewhere last."""
    ids = [pk for pk in by_place if pk is not None]
    names = {pk: f"{name} ({commune})" for pk, name, commune in
             ServicePoint.objects.filter(pk__in=ids).values_list("pk", "name",
                                                                  "commune__name")}
    rows = sorted(((names.get(pk, "Lieu d'activité supprimé"), row["accompaniments"])
                   for pk, row in by_place.items() if pk is not None and row["accompaniments"]),
                  key=lambda pair: (-pair[1], pair[0]))
    elsewhere = (by_place.get(None) or {}).get("accompaniments", 0)
    if elsewhere:
        rows.append(("Hors lieu d'activité (autre lieu, à distance, à domicile)", elsewhere))
    return rows


def _advisors(subject, by_advisor):
    names = dict(subject.members)
    missing = [pk for pk in by_advisor if pk not in names]
    if missing:
        names.update((pk, f"{first} {last}") for pk, first, last in
                     Advisor.objects.filter(pk__in=missing)
                     .values_list("pk", "first_name", "last_name"))
    counts = {pk: row["accompaniments"] for pk, row in by_advisor.items()}
    pks = list(names) if subject.kind == "team" else [pk for pk in counts if counts[pk]]
    return sorted(((names.get(pk, "Conseiller"), counts.get(pk, 0)) for pk in pks),
                  key=lambda pair: (-pair[1], pair[0]))


def export_rows(subject, filters):
    """The figures as [Répartition, Catégorie, Accompagnements or personnes] rows."""
    data = figures(subject, filters)
    yield ["Total", "Accompagnements", data["totals"]["accompaniments"]]
    yield ["Total", "Personnes accompagnées", data["totals"]["people"]]
    headings = {"conseiller": "Conseiller", "type": "Type", "theme": "Thème",
                "canal": "Canal", "lieu": "Lieu d'activité", "age": "Tranche d'âge",
                "situation": "Situation"}
    for key, _title, rows in data["charts"]:
        if key == "mois":
            continue
        for row in rows:
            yield [headings[key], row["label"], row["value"]]
    for row in data["months"]:
        yield ["Mois (accompagnements)", row["label"], row["accompaniments"]]
        yield ["Mois (personnes)", row["label"], row["people"]]
