from django import forms
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect
from django.urls import include, path, reverse
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import (
    CreateView,
    DeleteView,
    EditView,
    IndexView,
    SnippetViewSet,
)

from calendars import dates
from cms.figures import KeyFigure
from core.admin_exports import ExportingIndexViewMixin, ExportingViewSetMixin

from . import admin_views, services
from .exports import SessionsExport
from .models import CoursePage, Session

# Wagtail's generic messages read "Le(la) session n'a pas pu être créé(e)…", "Ajouter
# un(e) session": the session views say it in plain French.
FORM_ERROR = "corrigez les champs signalés ci-dessous."


class FrenchMessagesMixin:
    """Success message of the snippet views (whose mixin ignores ``success_message``)."""

    def get_success_message(self, instance=None):
        return self.success_message % {"object": instance or self.object}


class SessionIndexView(ExportingIndexViewMixin, IndexView):
    add_item_label = "Ajouter une session"


class SessionCreateView(FrenchMessagesMixin, CreateView):
    page_title = "Nouvelle session"
    success_message = "Session « %(object)s » créée."
    error_message = f"La session n'a pas pu être créée : {FORM_ERROR}"

    def get_page_subtitle(self):
        return ""

    def get_header_title(self):
        return self.page_title

    def get_breadcrumbs_items(self):
        items = super().get_breadcrumbs_items()
        items[-1] = {**items[-1], "label": "Nouvelle session"}
        return items

    def get_initial_form_instance(self):
        # "Ajouter une session" from a course's edit page arrives with ?course=<id>.
        course = CoursePage.objects.filter(pk=self.request.GET.get("course") or None).first()
        if course:
            return Session(course=course)
        return super().get_initial_form_instance()


class SessionEditView(FrenchMessagesMixin, EditView):
    success_message = "Session « %(object)s » enregistrée."
    error_message = f"La session n'a pas pu être enregistrée : {FORM_ERROR}"

    def save_instance(self):
        # Extra seats go to the waiting list in the same transaction as the new capacity.
        with transaction.atomic():
            instance = super().save_instance()
            locked = Session.objects.select_for_update().get(pk=instance.pk)
            promoted = services.fill_from_waitlist(locked)
        if promoted and instance.waitlist_mode == Session.WaitlistMode.OFFER:
            messages.info(self.request, f"Place proposée à {len(promoted)} personne(s) de la "
                                        "liste d'attente, prévenue(s) par courriel.")
        elif promoted:
            messages.info(self.request, f"{len(promoted)} personne(s) inscrite(s) depuis la "
                                        "liste d'attente et prévenue(s).")
        return instance


class SessionDeleteView(DeleteView):
    success_message = "Session « %(object)s » supprimée."


class ManageColumn(Column):
    def get_value(self, instance):
        return format_html('<a class="button button-small button-secondary" href="{}">'
                           "Inscriptions</a>",
                           reverse("academy_admin:enrolments", args=[instance.pk]))


class SessionViewSet(ExportingViewSetMixin, SnippetViewSet):
    model = Session
    icon = "date"
    menu_label = "Sessions"
    menu_order = 210
    add_to_admin_menu = True
    index_view_class = SessionIndexView
    add_view_class = SessionCreateView
    edit_view_class = SessionEditView
    delete_view_class = SessionDeleteView
    list_display = ["course",
                    Column("start", label="Début", sort_key="start",
                           accessor=lambda session: dates.long_datetime(
                               session.start, weekday=True, space=dates.NBSP)),
                    Column("place_label", label="Lieu"), "capacity",
                    "status", ManageColumn("manage", label="Gestion")]
    list_filter = ["status", "course"]
    ordering = ["start"]
    export_class = SessionsExport  # CSV / XLSX through core.exports (academy/exports.py)
    panels = [
        FieldPanel("course"),
        FieldRowPanel([FieldPanel("start"), FieldPanel("end")], heading="Dates"),
        MultiFieldPanel(
            [FieldPanel("address"), FieldPanel("commune"), FieldPanel("remote_url")],
            heading="Lieu",
        ),
        FieldPanel("capacity"),
        FieldRowPanel(
            [FieldPanel("enrolment_opens"), FieldPanel("enrolment_closes"),
             FieldPanel("cancellation_deadline")],
            heading="Inscriptions",
        ),
        FieldPanel("trainers"),
        FieldPanel("trainer_accounts", widget=forms.CheckboxSelectMultiple),
        MultiFieldPanel(
            [FieldPanel("requires_approval"), FieldPanel("contact_email"),
             FieldPanel("survey_url")],
            heading="Organisation",
        ),
        MultiFieldPanel(
            [FieldPanel("waitlist_mode", widget=forms.RadioSelect), FieldPanel("offer_hours")],
            heading="Liste d'attente",
        ),
        MultiFieldPanel(
            [InlinePanel("documents", label="Document", heading="Documents de la session"),
             FieldPanel("replay_url")],
            heading="Supports et replay",
            help_text="Les documents se téléchargent depuis « Mon espace » : participants "
                      "confirmés avant la session, présents après, et l'équipe.",
        ),
    ]


register_snippet(SessionViewSet)


@hooks.register("before_delete_snippet")
def keep_sessions_with_enrolments(request, instances):
    blocked = [obj for obj in instances if isinstance(obj, Session) and obj.enrolments.exists()]
    if blocked:
        messages.error(
            request,
            "Une session qui a des inscrits ne peut pas être supprimée : annulez-la "
            "(statut « Annulée ») pour prévenir les participants.",
        )
        return redirect("wagtailsnippets_academy_session:edit", blocked[0].pk)
    return None


@hooks.register("before_delete_page")
def keep_courses_with_sessions(request, page):
    course_ids = CoursePage.objects.descendant_of(page, inclusive=True).values("pk")
    if Session.objects.filter(course__in=course_ids).exists():
        messages.error(
            request,
            "Cette page porte des formations qui ont des sessions : supprimez ou annulez "
            "d'abord leurs sessions, ou dépubliez la page.",
        )
        return redirect("wagtailadmin_pages:edit", page.pk)
    return None


@hooks.register("register_admin_urls")
def session_management_urls():
    urls = [
        path("<int:session_id>/", admin_views.enrolments, name="enrolments"),
        path("<int:session_id>/ajouter/", admin_views.add_participant, name="add"),
        path("<int:session_id>/inscriptions/<int:enrolment_id>/<slug:action>/",
             admin_views.decide, name="decide"),
        path("<int:session_id>/annuler/", admin_views.cancel_session, name="cancel"),
        path("<int:session_id>/export.<str:fmt>", admin_views.export, name="export"),
        path("<int:session_id>/presences/", admin_views.attendance, name="attendance"),
        path("<int:session_id>/emargement.pdf", admin_views.attendance_sheet,
             name="attendance_sheet"),
    ]
    return [path("academie/sessions/", include((urls, "academy_admin")))]


@hooks.register("register_key_figure")
def live_courses_figure():
    return KeyFigure("academy-courses", "Formations publiées au catalogue",
                     lambda: CoursePage.objects.live().public().count())


@hooks.register("register_key_figure")
def upcoming_sessions_figure():
    return KeyFigure("academy-sessions", "Sessions à venir (programmées)",
                     lambda: Session.objects.upcoming().scheduled()
                     .filter(course__live=True).count())


@hooks.register("register_key_figure")
def session_regions_figure():
    return KeyFigure("academy-regions", "Régions où se tiennent des sessions à venir",
                     lambda: Session.objects.upcoming().scheduled()
                     .filter(course__live=True, commune__isnull=False)
                     .values("commune__department__region").distinct().count())


# The DIF élus fundings' back office (its own hooks).
from . import funding_admin  # noqa: E402, F401
