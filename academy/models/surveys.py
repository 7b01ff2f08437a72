"""Satisfaction surveys built in: question sets (edited in the admin), invitations sent to the
participants marked present, and their answers, kept without any link to the person.

An invitation knows who was asked and whether they answered (``answered``), nothing more;
a response knows the session and the answers, never the invitation or the person: results
can never show who answered what."""

import secrets

from django import forms
from django.db import models
from django.db.models import Q
from django.utils import timezone
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import Orderable
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

# The follow-up asks what was put into practice this long after the session's end.
FOLLOW_UP_AFTER = timezone.timedelta(days=90)
# The reminder goes to those who have not answered this long after the invitation.
REMIND_AFTER = timezone.timedelta(days=7)

# The Likert scale, 1 to 5, labelled in French: satisfaction at the end of the session,
# agreement with a statement at the follow-up.
LIKERT_CHOICES = [
    (1, "1 – Pas du tout satisfait"),
    (2, "2 – Peu satisfait"),
    (3, "3 – Moyennement satisfait"),
    (4, "4 – Satisfait"),
    (5, "5 – Très satisfait"),
]
AGREEMENT_CHOICES = [
    (1, "1 – Pas du tout d'accord"),
    (2, "2 – Plutôt pas d'accord"),
    (3, "3 – Ni d'accord ni pas d'accord"),
    (4, "4 – Plutôt d'accord"),
    (5, "5 – Tout à fait d'accord"),
]


class Stage(models.TextChoices):
    END = "end", "Fin de session"
    FOLLOW_UP = "follow_up", "Suivi à 3 mois"


class QuestionSetQuerySet(models.QuerySet):
    def for_course(self, course, stage):
        """The set a course uses at that stage: one naming the course, else the default."""
        named = self.filter(stage=stage, courses=course).order_by("pk").first()
        return named or self.filter(stage=stage, is_default=True).order_by("pk").first()


class QuestionSet(ClusterableModel):
    """A questionnaire: ordered questions, for the end of a session or the follow-up."""

    name = models.CharField("nom", max_length=200)
    stage = models.CharField("moment", max_length=20, choices=Stage.choices,
                             default=Stage.END)
    is_default = models.BooleanField(
        "questionnaire par défaut", default=False,
        help_text="Utilisé pour les formations qui n'en choisissent pas d'autre.")
    intro = models.TextField("introduction", blank=True,
                             help_text="Affichée en haut du questionnaire.")
    courses = ParentalManyToManyField(
        "academy.CoursePage", verbose_name="formations utilisant ce questionnaire",
        blank=True, related_name="question_sets",
        help_text="Laissez vide pour le questionnaire par défaut.")

    objects = QuestionSetQuerySet.as_manager()

    panels = [FieldPanel("name"), FieldPanel("stage"), FieldPanel("is_default"),
              FieldPanel("intro"),
              FieldPanel("courses", widget=forms.CheckboxSelectMultiple),
              InlinePanel("questions", heading="Questions", label="Question", min_num=1)]

    class Meta:
        verbose_name = "questionnaire de satisfaction"
        verbose_name_plural = "questionnaires de satisfaction"
        constraints = [models.UniqueConstraint(
            fields=["stage"], condition=Q(is_default=True), name="one_default_set_per_stage")]

    def __str__(self):
        return self.name

    @property
    def scale(self):
        """The labels of the 1–5 scale for this set's questions."""
        return AGREEMENT_CHOICES if self.stage == Stage.FOLLOW_UP else LIKERT_CHOICES


class Question(Orderable):
    class Kind(models.TextChoices):
        LIKERT = "likert", "Échelle de 1 à 5"
        TEXT = "text", "Texte libre"

    question_set = ParentalKey(QuestionSet, on_delete=models.CASCADE, related_name="questions")
    label = models.CharField("question", max_length=300)
    kind = models.CharField("type", max_length=10, choices=Kind.choices, default=Kind.LIKERT)
    required = models.BooleanField("réponse obligatoire", default=True)

    panels = [FieldPanel("label"), FieldPanel("kind"), FieldPanel("required")]

    class Meta(Orderable.Meta):
        verbose_name = "question"

    def __str__(self):
        return self.label


def new_token():
    return secrets.token_urlsafe(24)  # 192 bits: the link is the key


class SurveyInvitation(models.Model):
    """One person asked once at one stage of a session. ``answered`` is the only trace of
    their answer: the response itself is stored apart, without any link back."""

    enrolment = models.ForeignKey("academy.Enrolment", verbose_name="inscription",
                                  on_delete=models.CASCADE, related_name="survey_invitations")
    stage = models.CharField("moment", max_length=20, choices=Stage.choices)
    question_set = models.ForeignKey(QuestionSet, verbose_name="questionnaire",
                                     on_delete=models.PROTECT, related_name="invitations")
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    sent_at = models.DateTimeField("envoyée le", default=timezone.now)
    reminded_at = models.DateTimeField("relancée le", null=True, blank=True)
    answered = models.BooleanField("a répondu", default=False)

    class Meta:
        verbose_name = "invitation au questionnaire"
        constraints = [models.UniqueConstraint(fields=["enrolment", "stage"],
                                               name="one_survey_invitation_per_stage")]

    def __str__(self):
        return f"{self.get_stage_display()} — {self.enrolment}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("academy:survey", args=[self.token])


class SurveyResponse(models.Model):
    """One anonymous set of answers: the session and the stage, never the person. Only the
    day is kept, so the time of an answer cannot be matched with a login."""

    session = models.ForeignKey("academy.Session", verbose_name="session",
                                on_delete=models.PROTECT, related_name="survey_responses")
    stage = models.CharField("moment", max_length=20, choices=Stage.choices)
    question_set = models.ForeignKey(QuestionSet, verbose_name="questionnaire",
                                     on_delete=models.PROTECT, related_name="responses")
    answered_on = models.DateField("date", default=timezone.localdate)

    class Meta:
        verbose_name = "réponse au questionnaire"
        indexes = [models.Index(fields=["session", "stage"])]

    def __str__(self):
        return f"{self.get_stage_display()} — {self.session}"


class SurveyAnswer(models.Model):
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE,
                                 related_name="answers")
    # The question as it was asked: a question removed from its set later keeps its answers.
    question = models.ForeignKey(Question, null=True, on_delete=models.SET_NULL,
                                 related_name="answers")
    label = models.CharField("question", max_length=300)
    score = models.PositiveSmallIntegerField("note", null=True, blank=True)
    text = models.TextField("réponse", blank=True)

    class Meta:
        verbose_name = "réponse à une question"
        constraints = [
            models.UniqueConstraint(fields=["response", "question"],
                                    name="one_answer_per_question"),
            models.CheckConstraint(condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5),
                                   name="survey_score_1_to_5"),
        ]

    def __str__(self):
        return self.label


class QuestionSetViewSet(SnippetViewSet):
    """"Questionnaires de satisfaction" in the admin: the sets and their ordered questions."""

    model = QuestionSet
    icon = "form"
    menu_label = "Questionnaires de satisfaction"
    list_display = ["name", "stage", "is_default"]
    list_filter = ["stage"]


register_snippet(QuestionSetViewSet)
