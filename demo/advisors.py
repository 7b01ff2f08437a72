"""A believable Conseillers numériques deployment: structures in several régions at every
application status, préfet opinions and committee decisions with their history,
conventions, advisors with contracts (one ended by a rupture), a coordinator, service
points with weekly hours and closures, and six months of activity reports.

Rows are written directly (the demo sets up a past that the services would have produced)
and only once: a second run finds the first demo structure and does nothing."""

import random
from datetime import time, timedelta
from decimal import Decimal

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from stdnum import luhn

from accounts.models import User
from accounts.roles import Role
from advisors import rollups
from advisors.models import (
    ActivityReport,
    Advisor,
    Application,
    ApplicationEvent,
    Closure,
    Contract,
    Convention,
    OpeningRange,
    PlaceService,
    PrefectAssignment,
    PrefectOpinion,
    ServicePoint,
    Structure,
)
from advisors.models.activity import ActivityTheme
from dashboards import cache as dashboard_cache
from dashboards import rollups as dashboard_rollups
from territories.models import Commune, Department
from territories.text import of_place

Status = Application.Status
# (département, structure kind, name pattern, application status, posts asked, posts granted)
STRUCTURES = [
    ("60", Structure.Kind.COMMUNE, "Ville de {commune}", Status.VALIDATED, 4, 3),
    ("60", Structure.Kind.EPCI, "Communauté d'agglomération du {commune}", Status.CREATED, 2,
     None),
    ("60", Structure.Kind.ASSOCIATION, "Association Clic & Lien {commune}", Status.CREATED, 1,
     None),
    ("59", Structure.Kind.DEPARTMENT, "Département du Nord", Status.VALIDATED, 10, 8),
    ("59", Structure.Kind.ASSOCIATION, "Emmaüs Connect {commune}", Status.EXAMINATION, 3, None),
    ("57", Structure.Kind.COMMUNE, "Ville de {commune}", Status.VALIDATED, 3, 3),
    ("33", Structure.Kind.OTHER_PUBLIC, "GIP Territoires numériques {commune}",
     Status.VALIDATED, 5, 4),
    ("33", Structure.Kind.COMPANY, "Numérique Solidaire SAS", Status.REFUSED, 2, None),
    ("69", Structure.Kind.COMMUNE, "Ville de {commune}", Status.ABANDONED, 2, None),
    ("13", Structure.Kind.ASSOCIATION, "Les Petits Débrouillards {commune}", Status.CANCELLED,
     1, None),
    ("29", Structure.Kind.COMMUNE, "Ville de {commune}", Status.DUPLICATE, 2, None),
    ("971", Structure.Kind.REGION, "Région Guadeloupe", Status.VALIDATED, 6, 5),
]
FIRST_NAMES = ["Thomas", "Sophie", "Karim", "Julie", "Mathieu", "Aïcha", "Lucas", "Emma",
               "Yann", "Léa", "Hugo", "Inès", "Nicolas", "Chloé", "Mehdi", "Manon"]
LAST_NAMES = ["Lefebvre", "Martin", "Haddad", "Bernard", "Roux", "Diallo", "Petit", "Fournier",
              "Le Gall", "Moreau", "Girard", "Benali", "Lambert", "Faure", "Rousseau", "Blanc"]
REDIRECTIONS = ["France services", "CCAS de la commune", "Mission locale", "France Travail"]
WORKSHOP_TITLES = ["Premiers pas sur smartphone", "Créer son adresse électronique",
                   "Les démarches en ligne de la CAF", "Repérer les arnaques",
                   "Visioconférence avec ses proches"]
TAGS = ["Pass numérique", "quartier prioritaire", "partenariat CCAS", "public senior"]
WEEK = [(0, "am", time(9), time(12)), (0, "pm", time(14), time(17)),
        (2, "am", time(9), time(12, 30)), (3, "pm", time(13, 30), time(18)),
        (4, "am", time(9), time(12))]


def _siret(n):
    siren = f"{21600000 + n * 37:08d}"
    siren += luhn.calc_check_digit(siren)
    base = f"{siren}{n:04d}"
    return base + luhn.calc_check_digit(base)


def _largest_communes(code, count):
    return list(Commune.objects.filter(department__code=code)
                .order_by(F("population").desc(nulls_last=True))[:count])


@transaction.atomic
def _coordinator_post(structure, coordinator, manager, admin, prefect, applied):
    """The demo coordinator's scope comes from a granted coordinator post of their
    structure, covering its département (the Oise): the préfet's favourable opinion, the
    committee's decision, then the coordinator appointed under their contract."""
    asked = applied + timedelta(days=5)
    post = Application.objects.create(
        structure=structure, kind=Application.Kind.COORDINATOR, posts_requested=1,
        status=Status.VALIDATED, posts_granted=1,
        motivation=("Un coordinateur pour animer le réseau des conseillers numériques du "
                    "département et partager leurs pratiques."),
        desired_start=asked + timedelta(days=60), created_by=manager,
        decision_number="COSELEC-COORD-2025-001", decided_on=asked + timedelta(days=40),
        coordination_scope=Application.CoordinationScope.DEPARTMENT,
        coordinated_department=structure.commune.department,
        coordinator_contract=coordinator.contracts.first(),
    )
    Application.objects.filter(pk=post.pk).update(created_at=_at(asked))
    ApplicationEvent.objects.create(application=post, to_status=Status.CREATED, at=_at(asked),
                                    actor=manager, reason="Demande d'un poste de coordinateur")
    PrefectOpinion.objects.create(
        application=post, verdict=PrefectOpinion.Verdict.FAVOURABLE,
        comment="Un coordinateur renforcera le maillage départemental.", author=prefect,
        given_at=_at(asked, 15))
    ApplicationEvent.objects.create(application=post, from_status=Status.CREATED,
                                    to_status=Status.VALIDATED, actor=admin,
                                    at=_at(asked, 40), reason="Comité de sélection : 1 poste.")
    ApplicationEvent.objects.create(
        application=post, from_status=Status.VALIDATED, to_status=Status.VALIDATED,
        actor=manager, at=_at(asked, 75),
        reason=f"Coordinateur désigné : {coordinator.full_name}")
    return post


def create_demo_deployment():
    """Returns a dict of counts, or None when there is nothing to do."""
    if Structure.objects.filter(siret=_siret(1)).exists():
        return None
    if not Department.objects.filter(code="60").exists():
        return None  # no geography imported
    rng = random.Random(2026)
    today = timezone.localdate()
    admin = User.objects.filter(email="admin@demo.anct.fr").first()
    prefect = User.objects.filter(email="prefet@demo.anct.fr").first()
    manager = User.objects.filter(email="structure@demo.anct.fr").first()
    if prefect:
        PrefectAssignment.objects.get_or_create(
            user=prefect, defaults={"department": Department.objects.get(code="60")})

    counts = {"structures": 0, "advisors": 0, "service_points": 0, "reports": 0}
    people = iter(zip(FIRST_NAMES * 3, LAST_NAMES[::-1] * 3, strict=False))
    demo_advisor_user = User.objects.filter(email="conseiller@demo.anct.fr").first()
    coordinator_user = User.objects.filter(email="coordinateur@demo.anct.fr").first()
    all_advisors = []
    for n, (code, kind, pattern, status, asked, granted) in enumerate(STRUCTURES, start=1):
        communes = _largest_communes(code, 6)
        if not communes:
            continue
        commune = communes[0]
        applied = today - timedelta(days=400 - n * 20)
        structure = Structure.objects.create(
            name=pattern.format(commune=commune.name), siret=_siret(n), kind=kind,
            address=f"{n} place de la République", commune=commune,
            contact_first_name=FIRST_NAMES[n % 16], contact_last_name=LAST_NAMES[n % 16],
            contact_email=f"numerique{n}@structure-demo.fr", contact_phone="0344000000",
        )
        counts["structures"] += 1
        if n == 1 and manager:
            structure.managers.add(manager)
        application = Application.objects.create(
            structure=structure, posts_requested=asked, status=status, posts_granted=granted,
            motivation=("Nous voulons ouvrir des permanences numériques dans nos quartiers et "
                        "nos communes rurales, au plus près des habitants éloignés du "
                        "numérique."),
            desired_start=applied + timedelta(days=60), created_by=manager if n == 1 else None,
            decision_number=f"COSELEC-{2025 + n % 2}-{n:03d}" if granted else "",
            decided_on=applied + timedelta(days=45) if status != Status.CREATED else None,
        )
        Application.objects.filter(pk=application.pk).update(created_at=_at(applied))
        ApplicationEvent.objects.create(application=application, from_status="",
                                        to_status=Status.CREATED, at=_at(applied),
                                        actor=manager if n == 1 else None)
        # Every application but the fresh ones in the Oise has the préfet's opinion.
        if not (status == Status.CREATED and n == 3):
            PrefectOpinion.objects.create(
                application=application,
                verdict=(PrefectOpinion.Verdict.UNFAVOURABLE if status == Status.REFUSED
                         else PrefectOpinion.Verdict.FAVOURABLE),
                comment="Projet cohérent avec le schéma départemental d'inclusion numérique.",
                author=_prefect_of(code, prefect), given_at=_at(applied, 20),
            )
        if status != Status.CREATED:
            ApplicationEvent.objects.create(
                application=application, from_status=Status.CREATED, to_status=status,
                actor=admin, at=_at(applied, 45),
                reason={Status.VALIDATED: f"Comité de sélection : {granted} postes.",
                        Status.REFUSED: "Avis défavorable du préfet ; besoin couvert.",
                        Status.EXAMINATION: "Pièces complémentaires demandées.",
                        Status.ABANDONED: "La structure a renoncé.",
                        Status.CANCELLED: "Candidature retirée.",
                        Status.DUPLICATE: "Doublon d'une candidature antérieure."}[status],
            )
        if status != Status.VALIDATED:
            continue
        start = applied + timedelta(days=75)
        Convention.objects.create(
            structure=structure, kind=Convention.Kind.INITIAL,
            status=Convention.Status.VALIDATED, posts=granted, start=start,
            end=start + timedelta(days=3 * 365), validated_by=admin,
            validated_at=_at(start),
        )
        advisors = []
        for slot in range(granted - (1 if granted > 2 else 0)):  # one post stays vacant
            first, last = next(people)
            account = None
            if n == 1 and slot == 0:
                account = demo_advisor_user
            elif n == 1 and slot == 1:
                account = coordinator_user
            advisor = Advisor.objects.create(
                user=account, first_name=account.first_name if account else first,
                last_name=account.last_name if account else last,
                email=(account.email if account
                       else f"{slugify(first)}.{slugify(last)}.{n}{slot}"
                            "@conseiller-numerique.fr"),
                phone="0600000000", is_coordinator=bool(account and account == coordinator_user),
                training_start=start, training_end=start + timedelta(days=70),
                training_hours=350, pix_level=rng.choice([3, 4, 5]),
                ccp1_obtained=slot % 2 == 0,
            )
            kind_of_contract = [Contract.Kind.CDD, Contract.Kind.CDI, Contract.Kind.PEC,
                                Contract.Kind.PUBLIC_PROJECT][slot % 4]
            Contract.objects.create(
                advisor=advisor, structure=structure, kind=kind_of_contract, start=start,
                end=None if kind_of_contract == Contract.Kind.CDI
                else start + timedelta(days=2 * 365),
                monthly_gross_salary=Decimal("2150.00"), status=Contract.Status.VALIDATED,
                validated_by=admin, validated_at=_at(start),
            )
            advisors.append(advisor)
        counts["advisors"] += len(advisors)
        if len(advisors) > 2:  # one rupture: the post becomes vacant
            ended = advisors.pop()
            Contract.objects.filter(advisor=ended).update(
                rupture_status=Contract.Rupture.VALIDATED,
                rupture_reason=Contract.RuptureReason.RESIGNATION,
                rupture_date=today - timedelta(days=30))
        coordinator = next((a for a in advisors if a.is_coordinator), None)
        if coordinator:
            _coordinator_post(structure, coordinator, manager, admin,
                              _prefect_of(code, prefect), applied)
        points = []
        for index, place in enumerate(communes[:3]):
            point = ServicePoint.objects.create(
                structure=structure, commune=place,
                name=(f"Médiathèque {of_place(place.name)}" if index == 0
                      else f"France services {of_place(place.name)}" if index == 1
                      else f"Permanence itinérante — {place.name}"),
                address="" if index == 2 else f"{index + 2} rue de la Mairie",
                is_itinerant=index == 2,
                access=[ServicePoint.Access.FREE, ServicePoint.Access.APPOINTMENT,
                        ServicePoint.Access.FREE][index],
                services=rng.sample(PlaceService.values, 3),
                phone="0344000000", booking_url="https://rdv.example.fr/demo" if index else "",
                # Fixed places stand a few hundred metres from the commune's centre, so that
                # the directory can measure how far they are; the itinerant one has none.
                latitude=(place.latitude + 0.002 * (index + 1)
                          if place.latitude is not None and index < 2 else None),
                longitude=(place.longitude + 0.003 * (index + 1)
                           if place.longitude is not None and index < 2 else None),
            )
            OpeningRange.objects.bulk_create([
                OpeningRange(service_point=point, weekday=d, period=p, opens=o, closes=c)
                for d, p, o, c in WEEK[index:index + 3]])
            point.advisors.set(advisors)
            points.append(point)
        Closure.objects.create(service_point=points[0], start=today + timedelta(days=20),
                               end=today + timedelta(days=24), reason="Inventaire annuel")
        counts["service_points"] += len(points)
        all_advisors.extend((advisor, structure, points) for advisor in advisors)

    reports = []
    themes = ActivityTheme.values
    for advisor, structure, points in all_advisors:
        for _ in range(40):
            point = rng.choice(points)
            participants = rng.choice([1, 1, 1, 2, 3, 6, 8])
            kind = (ActivityReport.Kind.WORKSHOP if participants > 1
                    else ActivityReport.Kind.INDIVIDUAL)
            redirected = rng.random() < 0.1
            age = rng.choice(["age_18_35", "age_35_60", "age_over_60", "age_over_60",
                              "age_unknown"])
            situation = rng.choice(["status_job_seeker", "status_employed", "status_retired",
                                    "status_unknown"])
            reports.append(ActivityReport(
                advisor=advisor, structure=structure, service_point=point,
                date=today - timedelta(days=rng.randint(1, 180)), commune=point.commune,
                channel=rng.choice(ActivityReport.Channel.values), kind=kind,
                participants=participants, **{age: participants, situation: participants},
                themes=rng.sample(themes, rng.randint(1, 3)),
                duration=rng.choice(ActivityReport.Duration.values),
                title=(rng.choice(WORKSHOP_TITLES) if kind == ActivityReport.Kind.WORKSHOP
                       else ""),
                tags=rng.sample(TAGS, 1) if rng.random() < 0.2 else [],
                redirected=redirected,
                redirected_to=rng.choice(REDIRECTIONS) if redirected else "",
            ))
    ActivityReport.objects.bulk_create(reports)
    rollups.rebuild()  # bulk-created reports bypass the service that counts them
    dashboard_cache.bump()  # and bulk-created hours send no signal
    dashboard_rollups.rebuild()  # nor do they reach the deployment rollups
    counts["reports"] = len(reports)
    return counts


def _prefect_of(code, demo_prefect):
    """The demo préfet covers the Oise; other départements get a préfet without a login."""
    if code == "60" and demo_prefect:
        return demo_prefect
    user, created = User.objects.get_or_create(
        email=f"prefet.{code}@demo.anct.fr",
        defaults={"first_name": "Préfet", "last_name": f"({code})"})
    if created:
        user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get(name=Role.PREFET))
        PrefectAssignment.objects.create(user=user,
                                         department=Department.objects.get(code=code))
    return user


def _at(day, days_after=0):
    return timezone.make_aware(timezone.datetime.combine(day + timedelta(days=days_after),
                                                         time(10)))
