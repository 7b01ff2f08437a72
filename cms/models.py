from django.core.paginator import Paginator
from django.db import models
from django.utils import timezone
from modelcluster.fields import ParentalKey
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from .blocks import ContentBlocks, KeyFigureBlock


class HomePage(Page):
    """The site root: hero, highlighted courses and news, key figures."""

    hero_title = models.CharField("titre d'accroche", max_length=200, blank=True)
    intro = RichTextField("introduction", blank=True)
    hero_image = models.ForeignKey(
        "wagtailimages.Image", verbose_name="image d'accroche", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    # Any page can be highlighted (courses usually); cms stays unaware of the academy app.
    highlighted_pages = StreamField(
        [("page", blocks.PageChooserBlock(label="Page"))],
        verbose_name="formations et pages mises en avant", blank=True,
    )
    key_figures = StreamField(
        [("figure", KeyFigureBlock())], verbose_name="chiffres clés", blank=True
    )
    body = StreamField(ContentBlocks(), verbose_name="contenu", blank=True)

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [FieldPanel("hero_title"), FieldPanel("intro"), FieldPanel("hero_image")],
            heading="Accroche",
        ),
        FieldPanel("highlighted_pages"),
        FieldPanel("key_figures"),
        FieldPanel("body"),
    ]

    max_count = 1
    parent_page_types = ["wagtailcore.Page"]
    # Children declare where they may live (parent_page_types), so apps built on cms can
    # add page types under the home page without cms knowing them.

    class Meta:
        verbose_name = "page d'accueil"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["latest_news"] = NewsPage.objects.live().public().order_by("-date")[:3]
        context["highlighted"] = [
            block.value.specific for block in self.highlighted_pages
            if block.value and block.value.live
        ]
        return context


class ContentPage(Page):
    """A standard page made of content blocks."""

    intro = models.TextField("chapô", blank=True)
    body = StreamField(ContentBlocks(), verbose_name="contenu", blank=True)

    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    parent_page_types = ["cms.HomePage", "cms.ContentPage", "cms.ProgrammePage"]
    subpage_types = ["cms.ContentPage"]

    class Meta:
        verbose_name = "page de contenu"


class ProgrammePage(Page):
    """One national programme (Académie des territoires, Conseillers numériques…)."""

    intro = models.TextField("présentation courte")
    launched_on = models.DateField("date de lancement", null=True, blank=True)
    body = StreamField(ContentBlocks(), verbose_name="contenu", blank=True)

    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    content_panels = Page.content_panels + [
        FieldPanel("intro"), FieldPanel("launched_on"), FieldPanel("body"),
    ]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.ContentPage"]

    class Meta:
        verbose_name = "page programme"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Pages of other apps point at their programme through a foreign key with
        # related_name="courses" (academy's course pages); cms does not import them.
        related = getattr(self, "courses", None)
        context["courses"] = related.live().public().order_by("title") if related else []
        return context


class NewsIndexPage(RoutablePageMixin, Page):
    """Lists news, newest first, at /actualites/, with an RSS feed at rss/."""

    intro = models.TextField("introduction", blank=True)
    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.NewsPage"]
    max_count = 1

    class Meta:
        verbose_name = "index des actualités"

    def news(self):
        return NewsPage.objects.child_of(self).live().public().order_by("-date")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["news_page"] = Paginator(self.news(), 10).get_page(request.GET.get("page"))
        return context

    @path("")
    def index(self, request):
        return self.render(request)

    @path("rss/", name="rss")
    def rss(self, request):
        from .feeds import NewsFeed

        return NewsFeed(self)(request)


class NewsPage(Page):
    date = models.DateField("date de publication", default=timezone.localdate)
    summary = models.TextField("résumé", max_length=400)
    image = models.ForeignKey(
        "wagtailimages.Image", verbose_name="image", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    body = StreamField(ContentBlocks(), verbose_name="contenu", blank=True)

    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("body")]
    content_panels = Page.content_panels + [
        FieldPanel("date"), FieldPanel("summary"), FieldPanel("image"), FieldPanel("body"),
    ]
    parent_page_types = ["cms.NewsIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = "actualité"


class LinkBlock(blocks.StructBlock):
    label = blocks.CharBlock(label="Libellé")
    page = blocks.PageChooserBlock(label="Page", required=False)
    url = blocks.CharBlock(label="ou adresse", required=False, help_text="ex. /formations/")

    class Meta:
        icon = "link"


@register_setting(icon="list-ul")
class SiteNavigation(BaseSiteSetting):
    """Header menu and footer links, edited in Paramètres › Navigation du site."""

    header_links = StreamField([("link", LinkBlock())], verbose_name="menu principal", blank=True)
    footer_links = StreamField(
        [("link", LinkBlock())], verbose_name="liens du pied de page", blank=True
    )

    panels = [FieldPanel("header_links"), FieldPanel("footer_links")]

    class Meta:
        verbose_name = "navigation du site"


class PageIllustration(Orderable):
    """The picture of a page in its card and at the top of the page (courses: a course page
    adds ``InlinePanel("illustrations", max_num=1)``). Any page type may have one; a child of
    Page itself, so it is kept in the page's revisions like the page's own fields."""

    page = ParentalKey("wagtailcore.Page", on_delete=models.CASCADE,
                       related_name="illustrations")
    image = models.ForeignKey("wagtailimages.Image", verbose_name="image",
                              on_delete=models.CASCADE, related_name="+")
    alt = models.CharField(
        "texte alternatif", max_length=250,
        help_text="Décrit ce que montre l'image, pour les personnes qui ne la voient pas.",
    )

    panels = [FieldPanel("image"), FieldPanel("alt")]

    class Meta(Orderable.Meta):
        verbose_name = "illustration"
