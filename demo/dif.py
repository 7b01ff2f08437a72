"""Demo DIF élus (academy.funding): an approved training body named by the eligible courses,
and the demo élu's enrolment in one of them with the funding "Demande faite", so the course
page says "Éligible au DIF des élus" and "Mon espace" offers the programme and the quote."""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from academy import services
from academy.models import CoursePage, Enrolment, Session
from academy.models.funding import DifFunding, TrainingBody
from accounts.models import User

BODY = {
    "name": "Institut de formation des élus des territoires (démonstration)",
    "siret": "12345678900012",
    "address": "20 avenue de Ségur, 75007 Paris",
    "approval_number": "DEMO-2024-0117",
    "approval_date": date(2024, 3, 15),
    "approval_until": date(2028, 3, 14),
}


@transaction.atomic
def create_demo_dif():
    """Once: returns the demo élu's funding row, or None when already done or nothing fits."""
    elu = User.objects.filter(email="elu@demo.anct.fr").first()
    staff = User.objects.filter(email="admin@demo.anct.fr").first()
    if elu is None or staff is None or DifFunding.objects.filter(enrolment__user=elu).exists():
        return None
    body, _ = TrainingBody.objects.get_or_create(name=BODY["name"], defaults=BODY)
    courses = list(CoursePage.objects.filter(dif_eligible=True, training_body__isnull=True))
    if not courses and not CoursePage.objects.filter(dif_eligible=True).exists():
        courses = list(CoursePage.objects.filter(audience="elected").order_by("pk")[:1])
    for course in courses:
        course.dif_eligible, course.training_body = True, body
        course.save_revision().publish()
    now = timezone.now()
    eligible = Session.objects.scheduled().filter(
        start__gt=now + timedelta(days=3), course__dif_eligible=True,
        course__training_body__isnull=False)
    enrolment = (Enrolment.objects.filter(user=elu, session__in=eligible,
                                          status__in=Enrolment.ACTIVE_STATUSES)
                 .order_by("session__start").first())
    if enrolment is None:
        session = (eligible.filter(enrolment_opens__lte=now, enrolment_closes__gt=now,
                                   requires_approval=False)
                   .exclude(enrolments__user=elu).order_by("start").first())
        if session is None:
            return None
        try:
            enrolment = services.enrol(session.pk, elu, by_staff=staff)
        except services.EnrolmentError:
            return None
    return DifFunding.objects.create(
        enrolment=enrolment, status=DifFunding.Status.REQUESTED,
        requested_on=timezone.localdate() - timedelta(days=2),
        file_reference="MCE-2026-004217", declared_at=now - timedelta(days=2))
