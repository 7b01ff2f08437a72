"""The catalogue's snippets (themes, partners) and pages: the catalogue and its courses."""


from django import forms
from django.db import models
from django.utils import timezone
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, HelpPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from cms.blocks import ContentBlocks

from .enrolments import Enrolment
from .funding import CoursePageForm, DifFunding, TrainingBody, dif_body  # noqa: F401
from .sessions import Session


class CourseTheme(models.Model):
    """A catalogue theme (transition écologique, numérique…), edited by ANCT editors."""

    name = models.CharField("nom", max_length=100, unique=True)
    slug = models.SlugField(unique=True)

    panels = [FieldPanel("name"), FieldPanel("slug")]

    class Meta:
        verbose_name = "thème"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Partner(models.Model):
    name = models.CharField("nom", max_length=150, unique=True)
    logo = models.ForeignKey(
        "wagtailimages.Image", verbose_name="logo", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    url = models.URLField("site", blank=True)

    panels = [FieldPanel("name"), FieldPanel("logo"), FieldPanel("url")]

    class Meta:
        verbose_name = "partenaire"
        ordering = ["name"]

    def __str__(self):
        return self.name


register_snippet(CourseTheme)
register_snippet(Partner)


class Audience(models.TextChoices):
    ELECTED_OFFICIALS = "elected", "Élus locaux"
    ADVISORS = "advisors", "Conseillers numériques"
    AGENTS = "agents", "Agents des collectivités"
    ALL = "all", "Tous publics"


class Format(models.TextChoices):
    ON_SITE = "on_site", "En présentiel"
    REMOTE = "remote", "À distance"
    HYBRID = "hybrid", "Hybride"


class CatalogPage(Page):
    """The catalogue at /formations/: lists and filters course pages."""

    intro = models.TextField("introduction", blank=True)
    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["academy.CoursePage"]
    max_count = 1

    class Meta:
        verbose_name = "catalogue des formations"

    # The view that lists and filters the courses (``academy.views.catalog``). The view
    # knows the page, never the reverse: it registers itself with ``@CatalogPage.serves``
    # (academy.apps imports the views when the app is ready), so the models import no view.
    listing_view = None

    @classmethod
    def serves(cls, view):
        cls.listing_view = staticmethod(view)
        return view

    def serve(self, request, *args, **kwargs):
        return self.listing_view(request, self)


class CoursePage(Page):
    summary = models.TextField("résumé", max_length=500)
    objectives = RichTextField("objectifs pédagogiques", features=["ul", "bold", "italic"])
    programme = StreamField(ContentBlocks(), verbose_name="programme", blank=True)
    themes = ParentalManyToManyField(CourseTheme, verbose_name="thèmes", blank=True)
    audience = models.CharField("public", max_length=20, choices=Audience.choices,
                                default=Audience.ELECTED_OFFICIALS)
    format = models.CharField("format", max_length=20, choices=Format.choices,
                              default=Format.ON_SITE)
    duration_hours = models.DecimalField("durée (heures)", max_digits=5, decimal_places=1)
    partners = ParentalManyToManyField(Partner, verbose_name="partenaires", blank=True)
    price = models.DecimalField(
        "prix (€)", max_digits=8, decimal_places=2, null=True, blank=True,
        help_text="Laisser vide si la formation est gratuite.",
    )
    dif_eligible = models.BooleanField("éligible au DIF élus", default=False)
    # The approved body the course is given under (academy/models/funding.py).
    training_body = models.ForeignKey(
        "academy.TrainingBody", verbose_name="organisme de formation agréé", null=True,
        blank=True, on_delete=models.PROTECT, related_name="courses",
        help_text="Obligatoire pour une formation éligible au DIF des élus.",
    )
    programme_page = models.ForeignKey(
        "cms.ProgrammePage", verbose_name="programme national", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="courses",
    )

    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("objectives"),
        index.SearchField("programme"),
        index.FilterField("audience"),
        index.FilterField("format"),
    ]
    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        # cms.PageIllustration: shown on the course's card and page, with its alt text.
        InlinePanel("illustrations", max_num=1, heading="Image", label="Image"),
        FieldPanel("objectives"),
        FieldPanel("programme"),
        MultiFieldPanel(
            [
                FieldPanel("themes", widget=forms.CheckboxSelectMultiple),
                FieldPanel("audience"),
                FieldPanel("format"),
                FieldPanel("duration_hours"),
                FieldPanel("programme_page"),
            ],
            heading="Caractéristiques",
        ),
        MultiFieldPanel(
            [
                FieldPanel("price"),
                FieldPanel("dif_eligible"),
                FieldPanel("training_body"),
                FieldPanel("partners", widget=forms.CheckboxSelectMultiple),
            ],
            heading="Financement et partenaires",
        ),
        HelpPanel(
            template="academy/admin/course_sessions_panel.html", heading="Sessions",
        ),
    ]
    parent_page_types = ["academy.CatalogPage"]
    subpage_types = []
    base_form_class = CoursePageForm  # an eligible course names its approved body

    class Meta:
        verbose_name = "formation"

    @property
    def is_free(self):
        return not self.price

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # A course previewed before its first save has no sessions yet.
        context["sessions"] = (
            Session.objects.filter(course=self).scheduled().upcoming().with_seats()
            .select_related("commune__department")
            if self.pk else Session.objects.none()
        )
        context["now"] = timezone.now()
        context["dif_body"] = dif_body(self)  # the DIF élus' approved body, if eligible
        mine = {}
        if request.user.is_authenticated and self.pk:
            mine = {e.session_id: e for e in Enrolment.objects.filter(
                user=request.user, session__course=self)}
        for session in context["sessions"]:
            session.my_enrolment = mine.get(session.pk)
        # The quotes of the person's active enrolments (DIF élus, academy/funding.py).
        context["my_dif_quotes"] = sorted(
            (e for e in mine.values() if e.is_active), key=lambda e: e.session_id,
        ) if context["dif_body"] else []
        return context
