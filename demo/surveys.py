"""Demo satisfaction questionnaires: the demo élu's past training (given by Anne Leroy) had
eight participants marked present; six answered the end-of-session questionnaire, so
/tableau-de-bord/questionnaires/ shows a rate, averages, charts and free texts; the demo élu
has not answered yet and finds the questionnaire in "Mon espace". Once, whatever the runs."""

from django.db import transaction
from django.utils import timezone

from academy import surveys
from academy.models import Attendance, Enrolment, Stage, SurveyInvitation
from accounts.models import User

PARTICIPANTS = [("claire.morel@demo.anct.fr", "Claire", "Morel"),
                ("henri.dubois@demo.anct.fr", "Henri", "Dubois"),
                ("sophie.renaud@demo.anct.fr", "Sophie", "Renaud"),
                ("karim.haddad@demo.anct.fr", "Karim", "Haddad"),
                ("odile.perrin@demo.anct.fr", "Odile", "Perrin"),
                ("yann.le-goff@demo.anct.fr", "Yann", "Le Goff"),
                ("agnes.fabre@demo.anct.fr", "Agnès", "Fabre")]
# Scores for content, trainer, organisation, usefulness, and a free text (or "").
ANSWERS = [
    (5, 5, 4, 5, "Des exemples très concrets sur le budget d'une commune de notre taille."),
    (4, 5, 3, 4, "La salle était trop petite pour le nombre de participants."),
    (5, 4, 4, 5, ""),
    (3, 4, 2, 3, "Prévoir plus de temps pour les questions sur la section d'investissement."),
    (4, 4, 4, 4, ""),
    (5, 5, 5, 5, "Formatrice claire et disponible, merci !"),
]


@transaction.atomic
def create_demo_surveys():
    elu_enrolment = (Enrolment.objects.filter(
        user__email="elu@demo.anct.fr", status="confirmed", session__end__lt=timezone.now(),
        attendances__status="present").select_related("session__course")
        .order_by("-session__start").first())
    if elu_enrolment is None or SurveyInvitation.objects.filter(
            enrolment__session=elu_enrolment.session).exists():
        return None
    session = elu_enrolment.session
    day, period = session.half_days()[0]
    enrolments = []
    for email, first, last in PARTICIPANTS:
        person, created = User.objects.get_or_create(
            email=email, defaults={"first_name": first, "last_name": last})
        if created:
            person.set_unusable_password()
            person.save()
        enrolment, _ = Enrolment.objects.get_or_create(
            session=session, user=person, defaults={"status": "confirmed"})
        Attendance.objects.get_or_create(enrolment=enrolment, day=day, period=period,
                                         defaults={"status": "present"})
        enrolments.append(enrolment)
    now = timezone.now()
    for enrolment in [elu_enrolment, *enrolments]:
        surveys.invite(enrolment, Stage.END)
        # The end-of-session email went out the evening after the session.
        Enrolment.objects.filter(pk=enrolment.pk).update(survey_sent_at=session.end)
    SurveyInvitation.objects.filter(enrolment__session=session).update(
        sent_at=session.end, reminded_at=session.end + timezone.timedelta(days=7))
    for enrolment, answer in zip(enrolments, ANSWERS, strict=False):
        invitation = SurveyInvitation.objects.get(enrolment=enrolment, stage=Stage.END)
        values = {}
        for question, value in zip(invitation.question_set.questions.all(), answer,
                                   strict=False):
            values[question.pk] = value
        surveys.submit(invitation.token, values)
    # The élu's questionnaire waits in "Mon espace"; the reminder already went (a week ago).
    SurveyInvitation.objects.filter(enrolment=elu_enrolment).update(reminded_at=now)
    return session
