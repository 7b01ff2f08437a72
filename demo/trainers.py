"""The demo trainer (formateur@demo.anct.fr, Anne Leroy): a session today in Beauvais where
the demo élu and two other participants are enrolled (one already ticked by the trainer, late),
the demo élu's past training and next one. Signed in as the trainer, /formateur/ shows the
QR code of the half-day under way; signed in as the élu, scanning it marks the élu present."""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from academy.models import Attendance, CoursePage, Enrolment, Session
from accounts.models import User
from territories.models import Commune

TRAINER_EMAIL = "formateur@demo.anct.fr"
PARTICIPANTS = [("marie.lambert@demo.anct.fr", "Marie", "Lambert"),
                ("paul.girard@demo.anct.fr", "Paul", "Girard")]


@transaction.atomic
def create_demo_training_day():
    trainer = User.objects.filter(email=TRAINER_EMAIL).first()
    beauvais = Commune.objects.filter(insee_code="60057").first()
    course = (CoursePage.objects.filter(slug="construire-et-voter-le-budget-communal").first()
              or CoursePage.objects.order_by("pk").first())
    if trainer is None or beauvais is None or course is None or \
            trainer.trained_sessions.exists():
        return None
    day = timezone.localdate()
    start = timezone.make_aware(datetime.combine(day, time(9)))
    today = Session.objects.create(
        course=course, start=start, end=start + timedelta(hours=8), commune=beauvais,
        address="Maison des services, salle 2", capacity=12, trainers="Anne Leroy (ANCT)",
        enrolment_opens=start - timedelta(days=45), enrolment_closes=start - timedelta(days=1),
        cancellation_deadline=start - timedelta(days=2))
    people = [User.objects.filter(email="elu@demo.anct.fr").first()]
    for email, first, last in PARTICIPANTS:
        person, created = User.objects.get_or_create(
            email=email, defaults={"first_name": first, "last_name": last})
        if created:
            person.set_unusable_password()
            person.save()
        people.append(person)
    enrolments = [Enrolment.objects.create(session=today, user=person, status="confirmed")
                  for person in people if person is not None]
    # The trainer already ticked the last one, arrived late this morning.
    Attendance.objects.create(
        enrolment=enrolments[-1], day=day, period="am", status="present",
        mode=Attendance.Mode.TRAINER, recorded_by=trainer, recorded_at=start,
        arrived_at=time(9, 40))
    today.trainer_accounts.add(trainer)
    # The demo élu's past training (given by Anne Leroy) and next one.
    mine = Enrolment.objects.filter(user__email="elu@demo.anct.fr", status="confirmed")
    for session_id in [mine.filter(session__end__lt=timezone.now()).order_by(
            "-session__start").values_list("session", flat=True).first(),
            mine.filter(session__start__gt=timezone.now()).order_by(
            "session__start").values_list("session", flat=True).first()]:
        if session_id:
            trainer.trained_sessions.add(session_id)
    return today
