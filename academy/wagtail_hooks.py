from django.contrib import messages
from django.shortcuts import redirect
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import CreateView, SnippetViewSet

from .models import CoursePage, Session


class SessionCreateView(CreateView):
    def get_initial_form_instance(self):
        # "Ajouter une session" from a course's edit page arrives with ?course=<id>.
        course = CoursePage.objects.filter(pk=self.request.GET.get("course") or None).first()
        if course:
            return Session(course=course)
        return super().get_initial_form_instance()


class SessionViewSet(SnippetViewSet):
    model = Session
    icon = "date"
    menu_label = "Sessions"
    menu_order = 210
    add_to_admin_menu = True
    add_view_class = SessionCreateView
    list_display = ["course", "start", "place_label", "capacity", "status"]
    list_filter = ["status", "course"]
    ordering = ["start"]
    list_export = ["course", "start", "end", "place_label", "capacity", "status", "trainers"]
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
        FieldPanel("status"),
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
