"""Satisfaction surveys: who is invited (participants marked present), the reminder and the
follow-up at 3 months (each once, whatever the number of runs), answering once, and the
results, which never say who answered.

Writes raise ``services.EnrolmentError`` (the academy's one error type) with a French message.
The Celery tasks of ``academy.tasks`` call the three jobs below."""

from collections import Counter

from django import forms
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from . import emails
from .models import (
    Attendance,
    Enrolment,
    Question,
    QuestionSet,
    Session,
    Stage,
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
)
from .models.surveys import AGREEMENT_CHOICES, FOLLOW_UP_AFTER, LIKERT_CHOICES, REMIND_AFTER
from .services import EnrolmentError

ALREADY_ANSWERED = ("Vous avez déjà répondu à ce questionnaire : une seule réponse est "
                    "enregistrée par personne. Merci pour votre participation !")
# The invitations and follow-ups are sent within this window after it is due (a job that
# did not run for a while does not write about sessions of long ago).
SEND_WITHIN = timezone.timedelta(days=30)


def present(enrolments):
    """Confirmed enrolments marked present on at least one half-day."""
    return enrolments.filter(status=Enrolment.Status.CONFIRMED).filter(
        Exists(Attendance.objects.filter(enrolment=OuterRef("pk"),
                                         status=Attendance.Status.PRESENT)))


def invite(enrolment, stage):
    """The person's invitation at that stage, created once: (invitation, created). None
    when no questionnaire exists for that stage (ANCT removed the default)."""
    question_set = QuestionSet.objects.for_course(enrolment.session.course, stage)
    if question_set is None:
        return None, False
    try:
        with transaction.atomic():
            return SurveyInvitation.objects.get_or_create(
                enrolment=enrolment, stage=stage, defaults={"question_set": question_set})
    except IntegrityError:  # another run created it at the same moment
        return SurveyInvitation.objects.get(enrolment=enrolment, stage=stage), False


def link(invitation):
    from django.conf import settings

    return f"{settings.SITE_URL}{invitation.get_absolute_url()}"


def send_invitation(enrolment):
    """The end-of-session message with the built-in questionnaire's link (once)."""
    invitation, created = invite(enrolment, Stage.END)
    if created:
        emails.notify(enrolment, "survey", key=f"survey:{enrolment.pk}",
                      survey_url=link(invitation))
    return created


def send_reminders(now=None):
    """Once, a week after the invitation, to those who have not answered."""
    now = now or timezone.now()
    due = (SurveyInvitation.objects.filter(
        stage=Stage.END, answered=False, reminded_at__isnull=True,
        sent_at__lte=now - REMIND_AFTER, sent_at__gte=now - REMIND_AFTER - SEND_WITHIN)
        .select_related("enrolment__session__course", "enrolment__user"))
    sent = 0
    for invitation in due:
        with transaction.atomic():
            claimed = SurveyInvitation.objects.filter(
                pk=invitation.pk, reminded_at__isnull=True, answered=False,
            ).update(reminded_at=now)
            if claimed:
                emails.notify(invitation.enrolment, "survey_reminder",
                              key=f"survey-reminder:{invitation.pk}",
                              survey_url=link(invitation))
                sent += 1
    return sent


def send_follow_ups(now=None):
    """Once, 3 months after the session's end, to those who were present."""
    now = now or timezone.now()
    due = present(Enrolment.objects.filter(
        session__status=Session.Status.SCHEDULED,
        session__end__lte=now - FOLLOW_UP_AFTER,
        session__end__gte=now - FOLLOW_UP_AFTER - SEND_WITHIN,
    )).exclude(survey_invitations__stage=Stage.FOLLOW_UP).select_related(
        "session__course", "session__commune__department", "user")
    sent = 0
    for enrolment in due:
        with transaction.atomic():
            invitation, created = invite(enrolment, Stage.FOLLOW_UP)
            if created:
                emails.notify(enrolment, "survey_follow_up",
                              key=f"survey-follow-up:{enrolment.pk}",
                              survey_url=link(invitation))
                sent += 1
    return sent


def submit(token, answers):
    """Saves one anonymous response for the invitation; ``answers`` maps question ids to a
    score (1–5) or a text. Refused when the person has already answered."""
    with transaction.atomic():
        invitation = (SurveyInvitation.objects.select_for_update()
                      .select_related("enrolment").filter(token=token).first())
        if invitation is None:
            raise EnrolmentError("Ce lien de questionnaire n'est pas valide.")
        if invitation.answered:
            raise EnrolmentError(ALREADY_ANSWERED)
        response = SurveyResponse.objects.create(
            session_id=invitation.enrolment.session_id, stage=invitation.stage,
            question_set=invitation.question_set)
        for question in invitation.question_set.questions.all():
            value = answers.get(question.pk)
            if value in (None, ""):
                continue
            SurveyAnswer.objects.create(
                response=response, question=question, label=question.label,
                score=int(value) if question.kind == Question.Kind.LIKERT else None,
                text=value if question.kind == Question.Kind.TEXT else "")
        invitation.answered = True  # saved, not updated: "Mon espace" is renewed on save
        invitation.save(update_fields=["answered"])
    return response


# --- the form ---------------------------------------------------------------------------------
class SurveyForm(forms.Form):
    """One field per question: the 1–5 scale as radio buttons, free text as a text area;
    each required question says so next to it, in French."""

    def __init__(self, question_set, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(question_set.questions.all())
        for question in self.questions:
            name = f"q{question.pk}"
            if question.kind == Question.Kind.LIKERT:
                self.fields[name] = forms.TypedChoiceField(
                    label=question.label, choices=question_set.scale, coerce=int,
                    required=question.required, widget=forms.RadioSelect,
                    error_messages={"required": "Choisissez une note de 1 à 5.",
                                    "invalid_choice": "Choisissez une note de 1 à 5."})
            else:
                self.fields[name] = forms.CharField(
                    label=question.label, required=question.required, max_length=4000,
                    widget=forms.Textarea(attrs={"rows": 4}),
                    error_messages={"required": "Répondez à cette question.",
                                    "max_length": "Votre réponse dépasse 4 000 caractères."})
            self.fields[name].question = question

    def answers(self):
        return {question.pk: self.cleaned_data.get(f"q{question.pk}")
                for question in self.questions}


# --- results (reads) ------------------------------------------------------------------------
class Results:
    """The figures of a set of invitations and of the anonymous responses they produced:
    response rate, and per question the average, the distribution 1–5 or the free texts."""

    def __init__(self, invitations, responses, stage):
        self.stage = stage
        self.stage_label = Stage(stage).label
        counts = invitations.filter(stage=stage).aggregate(
            invited=Count("pk"), answered=Count("pk", filter=Q(answered=True)))
        self.invited = counts["invited"]
        self.answered = counts["answered"]
        self.rate = round(self.answered * 100 / self.invited) if self.invited else None
        answers = (SurveyAnswer.objects.filter(response__in=responses.filter(stage=stage))
                   .select_related("question").order_by("question__sort_order", "pk"))
        self.responses = responses.filter(stage=stage).count()
        scale = AGREEMENT_CHOICES if stage == Stage.FOLLOW_UP else LIKERT_CHOICES
        self.questions = self._questions(answers, scale)

    @staticmethod
    def _questions(answers, scale):
        questions = {}
        for answer in answers:
            key = answer.question_id or answer.label
            item = questions.setdefault(key, {
                "label": answer.label,
                "kind": (answer.question.kind if answer.question
                         else (Question.Kind.LIKERT if answer.score else Question.Kind.TEXT)),
                "scores": Counter(), "texts": []})
            if answer.score:
                item["scores"][answer.score] += 1
            elif answer.text.strip():
                item["texts"].append(answer.text.strip())
        rows = []
        for n, item in enumerate(questions.values(), start=1):
            scores = item["scores"]
            count = sum(scores.values())
            rows.append({
                "number": n, "label": item["label"], "kind": item["kind"],
                "is_likert": item["kind"] == Question.Kind.LIKERT,
                "count": count if item["kind"] == Question.Kind.LIKERT else len(item["texts"]),
                "average": (round(sum(k * v for k, v in scores.items()) / count, 1)
                            if count else None),
                "distribution": [(label, scores.get(value, 0))
                                 for value, label in scale],
                "texts": sorted(item["texts"]),  # sorted: the order says nothing of who
            })
        return rows


def results_for(sessions):
    """Both stages' results over these sessions."""
    invitations = SurveyInvitation.objects.filter(enrolment__session__in=sessions)
    responses = SurveyResponse.objects.filter(session__in=sessions)
    return [Results(invitations, responses, stage) for stage in Stage.values]


def session_overview(sessions):
    """Per session: invited and answered at the end of the session (for the listing)."""
    return (sessions.annotate(
        invited=Count("enrolments__survey_invitations",
                      filter=Q(enrolments__survey_invitations__stage=Stage.END)),
        answered=Count("enrolments__survey_invitations",
                       filter=Q(enrolments__survey_invitations__stage=Stage.END,
                                enrolments__survey_invitations__answered=True)))
        .filter(invited__gt=0).select_related("course", "commune__department"))


def pending_for(user):
    """The person's invitations still to answer (for "Mon espace")."""
    return (SurveyInvitation.objects.filter(enrolment__user=user, answered=False)
            .select_related("enrolment__session__course").order_by("-sent_at"))
