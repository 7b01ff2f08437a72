"""Front-end forms of the advisors programme. They check what a person typed and give French
messages; the rules themselves live in ``advisors.services`` (views call them)."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from territories import authorities

from . import bounds, sirene
from .models import (
    AGE_BANDS,
    STATUS_BANDS,
    ActivityReport,
    ActivityTheme,
    Amendment,
    Application,
    Contract,
    OpeningRange,
    PlaceService,
    PrefectOpinion,
    ServicePoint,
    Structure,
)
from .models.activity import MAX_PARTICIPANTS
from .models.applications import (
    MAX_POSTS_REQUESTED,
    MOTIVATION_MAX_LENGTH,
    OPINION_COMMENT_MAX_LENGTH,
    OPINION_COMMENT_MIN_LENGTH,
)
from .models.people import euros as models_euros
from .validators import normalize_phone, normalize_siret, validate_phone, validate_siret

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
REQUIRED = "Ce champ est obligatoire."
INVALID_DATE = "Saisissez une date valide, par exemple 15/09/2026."


def add_bound_errors(form, errors):
    """Puts ``bounds`` errors next to their fields (those not already in error)."""
    for name, messages in errors.items():
        if name in form.fields and name not in form.errors:
            for message in messages:
                form.add_error(name, message)


def bounded_dates(form, *names, years=bounds.YEARS_AHEAD):
    """The programme's date bounds on these date fields: min/max of the picker and a hint
    (up to ``years`` years ahead)."""
    latest = bounds.latest_date(years=years)
    for name in names:
        field = form.fields[name]
        field.widget.attrs.update({"min": bounds.EARLIEST_DATE.isoformat(),
                                   "max": latest.isoformat()})
        hint = bounds.hint(years=years)
        field.help_text = f"{field.help_text} {hint}".strip() if field.help_text else hint


def add_workflow_error(form, error, renamed=None):
    """Shows a service refusal (``WorkflowError``) on the form: each field's message next to
    the field (``renamed`` maps the model's field names to the form's), anything else at the
    top."""
    placed = False
    for name, messages in (error.errors or {}).items():
        name = (renamed or {}).get(name, name)
        if name in form.fields:
            for message in messages:
                form.add_error(name, message)
            placed = True
    if not placed:
        form.add_error(None, error.message)


class CommuneField(forms.CharField):
    """A commune typed as the autocomplete shows it ("Beauvais (60)"), a name or a postal
    code; resolved to one Commune (French message when none or several match)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Commune")
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("help_text", "Tapez le début du nom ou le code postal, par exemple "
                                       "« Beauvais (60) ».")
        kwargs.setdefault("widget", forms.TextInput(attrs={
            "autocomplete": "off", "data-commune-input": ""}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return getattr(value, "label", value)

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        return authorities.resolve("commune", text)


class BaseForm(forms.Form):
    required_message = REQUIRED

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages.setdefault("required", REQUIRED)
            field.error_messages["required"] = REQUIRED
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = INVALID_DATE


# --- Structure manager ------------------------------------------------------------------------

class ApplicationForm(BaseForm):
    name = forms.CharField(label="Nom de la structure", max_length=255)
    siret = forms.CharField(label="SIRET", max_length=20,
                            help_text="14 chiffres, espaces acceptés.",
                            widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                          "autocomplete": "off"}))
    kind = forms.ChoiceField(label="Type de structure",
                             choices=[("", "Choisir un type")] + list(Structure.Kind.choices))
    address = forms.CharField(label="Adresse", max_length=255,
                              widget=forms.TextInput(attrs={"autocomplete": "street-address"}))
    commune = CommuneField()
    contact_first_name = forms.CharField(label="Prénom du contact", max_length=150,
                                         widget=forms.TextInput(
                                             attrs={"autocomplete": "given-name"}))
    contact_last_name = forms.CharField(label="Nom du contact", max_length=150,
                                        widget=forms.TextInput(
                                            attrs={"autocomplete": "family-name"}))
    contact_email = forms.EmailField(label="Courriel du contact",
                                     error_messages={"invalid": "Saisissez une adresse "
                                                     "électronique valide."},
                                     widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    contact_phone = forms.CharField(label="Téléphone du contact", max_length=20, required=False,
                                    validators=[validate_phone],
                                    widget=forms.TextInput(attrs={"type": "tel",
                                                                  "autocomplete": "tel"}))
    posts_requested = forms.IntegerField(
        label="Nombre de postes demandés", min_value=1, max_value=MAX_POSTS_REQUESTED,
        error_messages={
            "min_value": "Demandez au moins un poste.",
            "max_value": f"Vous pouvez demander au plus {MAX_POSTS_REQUESTED} postes.",
            "invalid": "Saisissez un nombre entier.",
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    motivation = forms.CharField(
        label="Motivation", max_length=MOTIVATION_MAX_LENGTH,
        help_text=f"{MOTIVATION_MAX_LENGTH:,} caractères au maximum.".replace(",", " "),
        error_messages={"max_length": (
            f"La motivation doit comporter au plus {MOTIVATION_MAX_LENGTH:,} caractères "
            "(actuellement %(show_value)d).").replace(",", " ")},
        widget=forms.Textarea(attrs={"rows": 8, "data-counter": ""}))
    desired_start = forms.DateField(label="Date de démarrage souhaitée", widget=DATE)

    # Filled from the business register when left empty (the SIRET says them).
    PREFILLED = ("name", "address", "commune")
    register = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.PREFILLED:
            self.fields[name].required = False
        self.fields["siret"].help_text = (
            "14 chiffres, espaces acceptés. Laissés vides, le nom et les coordonnées de la "
            "structure sont repris du répertoire des entreprises.")

    def clean_siret(self):
        siret = normalize_siret(self.cleaned_data["siret"])
        validate_siret(siret)
        # The register, when reachable, must know an active establishment; unreachable, the
        # form goes on (the Luhn key was checked above).
        self.register = sirene.lookup(siret)
        if self.register.status == sirene.NOT_FOUND:
            raise ValidationError(
                "Ce SIRET ne figure pas au répertoire des entreprises : vérifiez les chiffres "
                "saisis (avis de situation SIRENE de la structure).", code="siret_unknown")
        if self.register.found and not self.register.active:
            raise ValidationError(
                "Cet établissement est fermé d'après le répertoire des entreprises : indiquez "
                "le SIRET d'un établissement en activité.", code="siret_closed")
        return siret

    def clean(self):
        data = super().clean()
        found = self.register if self.register is not None and self.register.found else None
        if found is not None:
            prefill = {"name": found.name, "address": found.address,
                       "commune": found.commune()}
            for name, value in prefill.items():
                if not data.get(name) and name not in self.errors and value:
                    data[name] = value
        for name in self.PREFILLED:
            if not data.get(name) and name not in self.errors:
                self.add_error(name, REQUIRED)
        return data

    def clean_contact_phone(self):
        return normalize_phone(self.cleaned_data["contact_phone"])

    def clean_desired_start(self):
        value = self.cleaned_data["desired_start"]
        if value < timezone.localdate():
            raise ValidationError("La date de démarrage souhaitée ne peut pas être passée.")
        return value

    STRUCTURE_FIELDS = ("name", "siret", "kind", "address", "commune", "contact_first_name",
                        "contact_last_name", "contact_email", "contact_phone")

    def structure_data(self):
        return {name: self.cleaned_data[name] for name in self.STRUCTURE_FIELDS}


class ContractForm(BaseForm):
    first_name = forms.CharField(label="Prénom du conseiller", max_length=150)
    last_name = forms.CharField(label="Nom du conseiller", max_length=150)
    email = forms.EmailField(
        label="Courriel professionnel du conseiller",
        help_text="Si le conseiller est déjà connu (même courriel), son dossier est repris.",
        error_messages={"invalid": "Saisissez une adresse électronique valide."})
    phone = forms.CharField(label="Téléphone professionnel", max_length=20, required=False,
                            validators=[validate_phone],
                            widget=forms.TextInput(attrs={"type": "tel"}))
    kind = forms.ChoiceField(label="Type de contrat",
                             choices=[("", "Choisir un type")] + list(Contract.Kind.choices))
    start = forms.DateField(label="Début du contrat", widget=DATE)
    end = forms.DateField(label="Fin du contrat", required=False, widget=DATE,
                          help_text="Dernier jour du contrat ; laissez vide pour un CDI.")
    monthly_gross_salary = forms.DecimalField(
        label="Salaire brut mensuel (€)", max_digits=8, decimal_places=2, min_value=0,
        error_messages={"invalid": "Saisissez un montant, par exemple 2100,00.",
                        "min_value": "Le salaire doit être positif."},
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bounded_dates(self, "start", "end")
        self.fields["monthly_gross_salary"].help_text = (
            f"Montant mensuel, pas annuel. Au-delà de "
            f"{models_euros(bounds.SALARY_CONFIRMATION_ABOVE)}, seule l'ANCT peut l'accepter.")

    def clean_phone(self):
        return normalize_phone(self.cleaned_data["phone"])

    def clean(self):
        data = super().clean()
        kind, end, start = data.get("kind"), data.get("end"), data.get("start")
        add_bound_errors(self, {**bounds.contract_errors(start, end),
                                **bounds.salary_errors(data.get("monthly_gross_salary"))})
        if kind == Contract.Kind.CDI and end:
            self.add_error("end", "Un CDI n'a pas de date de fin.")
        elif kind and kind != Contract.Kind.CDI and not end and "end" not in self.errors:
            self.add_error("end", "Indiquez la date de fin du contrat (seul un CDI n'en a pas).")
        elif start and end and end <= start:
            self.add_error("end", "La fin du contrat doit suivre son début.")
        return data

    def advisor_data(self):
        return {name: self.cleaned_data[name]
                for name in ("first_name", "last_name", "email", "phone")}

    def contract_data(self):
        return {"kind": self.cleaned_data["kind"], "start": self.cleaned_data["start"],
                "end": self.cleaned_data["end"],
                "monthly_gross_salary": self.cleaned_data["monthly_gross_salary"]}


class RuptureForm(BaseForm):
    reason = forms.ChoiceField(label="Motif de la rupture",
                               choices=[("", "Choisir un motif")]
                               + list(Contract.RuptureReason.choices))
    date = forms.DateField(label="Date d'effet", widget=DATE,
                           help_text="Premier jour où le contrat ne court plus.")


# --- Préfet -------------------------------------------------------------------------------

class ApplicationFilterForm(forms.Form):
    status = forms.ChoiceField(label="Statut", required=False,
                               choices=[("", "Tous les statuts")]
                               + list(Application.Status.choices))
    without_opinion = forms.BooleanField(label="Sans avis uniquement", required=False)
    q = forms.CharField(label="Structure ou SIRET", required=False, max_length=100)

    def filter(self, applications):
        if not self.is_valid():
            return applications
        data = self.cleaned_data
        if data["status"]:
            applications = applications.filter(status=data["status"])
        if data["without_opinion"]:
            applications = applications.filter(opinion__isnull=True)
        if data["q"]:
            text = data["q"].strip()
            digits = normalize_siret(text)
            if digits.isdigit():
                applications = applications.filter(structure__siret__startswith=digits)
            else:
                applications = applications.filter(structure__name__icontains=text)
        return applications


class OpinionForm(BaseForm):
    verdict = forms.ChoiceField(label="Avis", choices=PrefectOpinion.Verdict.choices,
                                widget=forms.RadioSelect)
    comment = forms.CharField(
        label="Commentaire", min_length=OPINION_COMMENT_MIN_LENGTH,
        max_length=OPINION_COMMENT_MAX_LENGTH,
        help_text=(f"Entre {OPINION_COMMENT_MIN_LENGTH} et {OPINION_COMMENT_MAX_LENGTH:,} "
                   "caractères.").replace(",", " "),
        error_messages={
            "min_length": (f"Le commentaire doit comporter au moins "
                           f"{OPINION_COMMENT_MIN_LENGTH} caractères (actuellement "
                           "%(show_value)d)."),
            "max_length": (f"Le commentaire doit comporter au plus "
                           f"{OPINION_COMMENT_MAX_LENGTH:,} caractères (actuellement "
                           "%(show_value)d).").replace(",", " "),
        },
        widget=forms.Textarea(attrs={"rows": 5, "data-counter": ""}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["verdict"].error_messages["required"] = "Choisissez un avis favorable ou " \
                                                            "défavorable."


# --- Advisor: service points ----------------------------------------------------------------

class ServicePointForm(BaseForm):
    structure = forms.TypedChoiceField(label="Structure", coerce=int)
    name = forms.CharField(label="Nom du lieu", max_length=255,
                           help_text="Par exemple « Médiathèque François-Mitterrand ».")
    address = forms.CharField(label="Adresse", max_length=255, required=False,
                              help_text="Obligatoire sauf pour une permanence itinérante.")
    commune = CommuneField()
    is_itinerant = forms.BooleanField(label="Permanence itinérante", required=False)
    access = forms.ChoiceField(label="Accès", choices=ServicePoint.Access.choices,
                               widget=forms.RadioSelect)
    services = forms.MultipleChoiceField(label="Services proposés", choices=PlaceService.choices,
                                         widget=forms.CheckboxSelectMultiple)
    phone = forms.CharField(label="Téléphone", max_length=20, required=False,
                            validators=[validate_phone],
                            widget=forms.TextInput(attrs={"type": "tel"}))
    email = forms.EmailField(label="Courriel", required=False,
                             error_messages={"invalid": "Saisissez une adresse électronique "
                                                        "valide."})
    website = forms.URLField(label="Site internet", required=False,
                             error_messages={"invalid": "Saisissez une adresse web valide, "
                                                        "commençant par https://."})
    booking_url = forms.URLField(label="Lien de prise de rendez-vous", required=False,
                                 error_messages={"invalid": "Saisissez une adresse web valide, "
                                                            "commençant par https://."})
    is_public = forms.BooleanField(label="Afficher ce lieu sur la carte publique",
                                   required=False, initial=True)

    DATA_FIELDS = ("name", "address", "commune", "is_itinerant", "access", "services", "phone",
                   "email", "website", "booking_url", "is_public")

    def __init__(self, *args, structures=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].error_messages["required"] = ("Choisissez au moins un service "
                                                              "proposé.")
        self.fields["structure"].choices = [(s.pk, s.name) for s in structures]
        self.structures = {s.pk: s for s in structures}
        if len(structures) <= 1:  # nothing to choose
            del self.fields["structure"]

    def clean_phone(self):
        return normalize_phone(self.cleaned_data["phone"])

    def clean(self):
        data = super().clean()
        if not data.get("is_itinerant") and not (data.get("address") or "").strip() \
                and "address" not in self.errors:
            self.add_error("address", "Indiquez l'adresse du lieu (sauf permanence itinérante).")
        return data

    def data_for_service(self):
        return {name: self.cleaned_data[name] for name in self.DATA_FIELDS}

    def chosen_structure(self):
        if "structure" in self.fields:
            return self.structures[self.cleaned_data["structure"]]
        return next(iter(self.structures.values()))

    @classmethod
    def initial_from(cls, service_point):
        initial = {name: getattr(service_point, name) for name in cls.DATA_FIELDS}
        initial["structure"] = service_point.structure_id
        return initial


class OpeningHoursForm(BaseForm):
    """The weekly grid: Monday–Sunday × morning/afternoon, each with opening and closing
    times. A half-day left empty is closed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for weekday, day_label in OpeningRange.Weekday.choices:
            for period, period_label in OpeningRange.Period.choices:
                for end, end_label in (("opens", "ouverture"), ("closes", "fermeture")):
                    self.fields[self.name(weekday, period, end)] = forms.TimeField(
                        label=f"{day_label} {period_label.lower()} : {end_label}",
                        required=False, widget=TIME,
                        error_messages={"invalid": "Saisissez une heure, par exemple 09:00."})

    @staticmethod
    def name(weekday, period, end):
        return f"h{weekday}_{period}_{end}"

    @classmethod
    def initial_from(cls, ranges):
        initial = {}
        for item in ranges:
            initial[cls.name(item.weekday, item.period, "opens")] = item.opens
            initial[cls.name(item.weekday, item.period, "closes")] = item.closes
        return initial

    def days(self):
        """For the template: [(day label, weekday, [(period label, opens, closes)])]."""
        return [
            (day_label, weekday, [(period_label, self[self.name(weekday, period, "opens")],
                                   self[self.name(weekday, period, "closes")])
                                  for period, period_label in OpeningRange.Period.choices])
            for weekday, day_label in OpeningRange.Weekday.choices
        ]

    def clean(self):
        data = super().clean()
        self.ranges = []
        for weekday, _day in OpeningRange.Weekday.choices:
            for period, _ in OpeningRange.Period.choices:
                opens_name = self.name(weekday, period, "opens")
                closes_name = self.name(weekday, period, "closes")
                if opens_name in self.errors or closes_name in self.errors:
                    continue
                opens, closes = data.get(opens_name), data.get(closes_name)
                if not opens and not closes:
                    continue
                if not opens or not closes:
                    missing = opens_name if not opens else closes_name
                    self.add_error(missing, "Indiquez l'heure d'ouverture et l'heure de "
                                            "fermeture, ou aucune des deux.")
                    continue
                row = OpeningRange(weekday=weekday, period=period, opens=opens, closes=closes)
                try:
                    row.clean()
                except ValidationError as error:
                    for field, messages in error.message_dict.items():
                        for message in messages:
                            self.add_error(self.name(weekday, period, field), message)
                    continue
                self.ranges.append({"weekday": weekday, "period": period, "opens": opens,
                                    "closes": closes})
        return data

    def day_errors(self, weekday):
        return [error for period, _ in OpeningRange.Period.choices
                for end in ("opens", "closes")
                for error in self.errors.get(self.name(weekday, period, end), [])]


class ClosureForm(BaseForm):
    start = forms.DateField(label="Premier jour de fermeture", widget=DATE)
    end = forms.DateField(label="Dernier jour de fermeture", widget=DATE, required=False,
                          help_text="Laissez vide pour une fermeture d'un jour.")
    reason = forms.CharField(label="Motif", max_length=255, required=False,
                             help_text="Par exemple « Congés d'été ».")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bounded_dates(self, "start", "end", years=bounds.CLOSURE_YEARS_AHEAD)

    def clean(self):
        data = super().clean()
        add_bound_errors(self, bounds.closure_errors(data.get("start"), data.get("end")))
        return data


# --- Advisor: activity reports ---------------------------------------------------------------

def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _band_field(label):
    return forms.IntegerField(
        label=label, min_value=0, max_value=MAX_PARTICIPANTS, initial=0, required=False,
        error_messages={"min_value": "Saisissez un nombre positif.",
                        "max_value": f"Au plus {MAX_PARTICIPANTS}.",
                        "invalid": "Saisissez un nombre entier."},
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0,
                                        "class": "fr-input"}))


class ActivityReportForm(BaseForm):
    date = forms.DateField(label="Date", widget=DATE)
    kind = forms.ChoiceField(label="Type d'accompagnement", choices=ActivityReport.Kind.choices,
                             widget=forms.RadioSelect)
    channel = forms.ChoiceField(label="Canal", choices=ActivityReport.Channel.choices)
    service_point = forms.TypedChoiceField(label="Lieu d'activité", coerce=int, required=False,
                                           empty_value=None)
    commune = CommuneField(help_text="La commune où a eu lieu l'accompagnement.")
    participants = forms.IntegerField(
        label="Nombre de participants", min_value=1, max_value=MAX_PARTICIPANTS,
        error_messages={
            "min_value": f"Le nombre de participants est compris entre 1 et {MAX_PARTICIPANTS}.",
            "max_value": f"Le nombre de participants est compris entre 1 et {MAX_PARTICIPANTS}.",
            "invalid": "Saisissez un nombre entier."},
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1,
                                        "max": MAX_PARTICIPANTS}))
    themes = forms.MultipleChoiceField(label="Thèmes", choices=ActivityTheme.choices,
                                       widget=forms.CheckboxSelectMultiple)
    duration = forms.ChoiceField(label="Durée", choices=ActivityReport.Duration.choices,
                                 widget=forms.RadioSelect)
    redirected = forms.BooleanField(label="Personne réorientée", required=False)
    redirected_to = forms.CharField(label="Réorientée vers", max_length=255, required=False,
                                    help_text="Par exemple « France Services de Beauvais ».")

    def __init__(self, *args, service_points=(), frequent_themes=(), **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in [*AGE_BANDS, *STATUS_BANDS]:
            self.fields[name] = _band_field(label.capitalize())
        self.fields["themes"].error_messages["required"] = "Choisissez au moins un thème."
        self.service_points = {sp.pk: sp for sp in service_points}
        self.fields["service_point"].choices = [("", "Aucun")] + [
            (sp.pk, str(sp)) for sp in service_points]
        # At the service point, the commune is the place's: asked only elsewhere.
        self.fields["commune"].required = False
        self.fields["commune"].help_text = (
            "Où a eu lieu l'accompagnement, s'il n'a pas eu lieu au lieu d'activité (au lieu "
            "d'activité, sa commune est reprise).")
        self.frequent_themes = list(frequent_themes)

    def theme_options(self):
        """For the template: (the advisor's frequent themes, the others), as bound
        checkboxes; any checked theme stays in view."""
        options = list(self["themes"])
        checked = {str(value) for value in (self["themes"].value() or [])}
        first = [o for o in options if o.data["value"] in self.frequent_themes
                 or o.data["value"] in checked]
        return first, [o for o in options if o not in first]

    def place_summary(self):
        """"Médiathèque (Beauvais (60))" or the channel and commune: the folded place
        section's title."""
        channel = self["channel"].value()
        point = self.service_points.get(_int(self["service_point"].value()))
        if channel == ActivityReport.Channel.SERVICE_POINT and point is not None:
            return f"{point.name}, {point.commune.label}"
        label = dict(ActivityReport.Channel.choices).get(channel, "")
        commune = self["commune"].value()
        commune = getattr(commune, "label", commune)
        return f"{label}, {commune}" if commune else label

    def band_groups(self):
        """For the template: (legend, bound fields, id, errors of any of its fields) of the
        age and status bands."""
        groups = [("Participants par tranche d'âge", [self[n] for n, _ in AGE_BANDS], "ages"),
                  ("Participants par situation", [self[n] for n, _ in STATUS_BANDS],
                   "situations")]
        return [(legend, fields, group_id,
                 list(dict.fromkeys(error for field in fields for error in field.errors)))
                for legend, fields, group_id in groups]

    def clean_date(self):
        value = self.cleaned_data["date"]
        if value > timezone.localdate():
            raise ValidationError("La date de l'accompagnement ne peut pas être dans le futur.")
        if value < datetime.date(2020, 1, 1):
            raise ValidationError("La date de l'accompagnement ne peut pas précéder 2020.")
        return value

    def clean_service_point(self):
        pk = self.cleaned_data["service_point"]
        return self.service_points.get(pk) if pk else None

    def clean(self):
        data = super().clean()
        for name, _ in [*AGE_BANDS, *STATUS_BANDS]:
            if data.get(name) is None and name not in self.errors:
                data[name] = 0
        participants = data.get("participants")
        if participants:
            if data.get("kind") == ActivityReport.Kind.INDIVIDUAL and participants != 1:
                self.add_error("participants",
                               "Un accompagnement individuel concerne une personne.")
            # Nobody filled in the situations: they are "non renseignée".
            if not any(data.get(name) for name, _ in STATUS_BANDS):
                data["status_unknown"] = participants
            for bands, label in [(AGE_BANDS, "tranches d'âge"), (STATUS_BANDS, "situations")]:
                if any(name in self.errors for name, _ in bands):
                    continue
                total = sum(data.get(name) or 0 for name, _ in bands)
                if total != participants:
                    self.add_error(bands[0][0], (
                        f"La répartition par {label} ({total}) doit correspondre au nombre "
                        f"de participants ({participants})."))
        at_point = data.get("channel") == ActivityReport.Channel.SERVICE_POINT
        if at_point and not data.get("service_point") and "service_point" not in self.errors:
            self.add_error("service_point", "Indiquez le lieu d'activité.")
        elif at_point and data.get("service_point"):
            data["commune"] = data["service_point"].commune
        elif not data.get("commune") and "commune" not in self.errors:
            self.add_error("commune", "Indiquez la commune où a eu lieu l'accompagnement.")
        if data.get("redirected") and not (data.get("redirected_to") or "").strip():
            self.add_error("redirected_to", "Indiquez vers qui la personne a été réorientée.")
        return data

    def data_for_service(self):
        return dict(self.cleaned_data)


# --- Structure manager: conventions, amendments, extensions, status changes -----------------

class ConventionForm(BaseForm):
    """The period of a convention (initial or renewal) and, optionally, its posts."""

    start = forms.DateField(label="Début de la convention", widget=DATE)
    end = forms.DateField(label="Fin de la convention", widget=DATE)
    posts = forms.IntegerField(
        label="Postes conventionnés", required=False, min_value=1,
        help_text="Les postes attribués à la structure si vide.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bounded_dates(self, "start", "end")

    def clean(self):
        data = super().clean()
        add_bound_errors(self, bounds.convention_errors(data.get("start"), data.get("end")))
        if data.get("start") and data.get("end") and data["end"] <= data["start"] \
                and "end" not in self.errors:
            self.add_error("end", "La fin de la convention doit suivre son début.")
        return data


class ReasonForm(BaseForm):
    reason = forms.CharField(label="Motif", max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 4}))


class AmendmentForm(BaseForm):
    kind = forms.ChoiceField(label="Type d'avenant", widget=forms.RadioSelect,
                             choices=Amendment.Kind.choices)
    posts = forms.IntegerField(label="Nombre de postes", min_value=1,
                               max_value=MAX_POSTS_REQUESTED)
    reason = forms.CharField(label="Motif de l'avenant", max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].error_messages["required"] = ("Choisissez un ajout ou un retrait "
                                                          "de postes.")


class ExtensionForm(BaseForm):
    new_end = forms.DateField(label="Nouvelle date de fin", widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bounded_dates(self, "new_end")

    def clean(self):
        data = super().clean()
        add_bound_errors(self, bounds.extension_errors(data.get("new_end")))
        return data


class TransitionForm(BaseForm):
    """The status changes the person may make (``services.allowed_transitions``)."""

    to_status = forms.ChoiceField(label="Nouveau statut", widget=forms.RadioSelect)
    reason = forms.CharField(label="Motif", max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, allowed=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = [(status, Application.Status(status).label)
                                            for status in allowed]
