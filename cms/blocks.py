"""StreamField blocks rendered with DSFR components; each one has a Wagtail preview."""

from django.core.exceptions import ValidationError
from wagtail import blocks
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock

from . import figures

LEVELS = [("info", "Information"), ("success", "Succès"), ("warning", "Attention")]


class RichTextBlock(blocks.RichTextBlock):
    class Meta:
        template = "cms/blocks/rich_text.html"
        icon = "pilcrow"
        label = "Texte"
        description = "Paragraphes, intertitres, listes et liens."
        preview_value = (
            "<h2>Former les élus locaux</h2><p>L'Académie des territoires propose des "
            "formations courtes, au plus près des territoires.</p>"
        )


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label="Image")
    alt = blocks.CharBlock(
        label="Texte alternatif", required=False,
        help_text="Décrit l'image pour les personnes qui ne la voient pas.",
    )
    decorative = blocks.BooleanBlock(
        label="Image décorative (aucun texte alternatif)", required=False
    )
    caption = blocks.CharBlock(label="Légende", required=False)

    def clean(self, value):
        from django.core.exceptions import ValidationError
        from wagtail.blocks import StructBlockValidationError

        value = super().clean(value)
        if not value.get("decorative") and not value.get("alt"):
            raise StructBlockValidationError(
                block_errors={"alt": ValidationError(
                    "Saisissez un texte alternatif ou cochez « Image décorative »."
                )}
            )
        return value

    def get_preview_value(self):
        # Previews use the newest image of the library, when there is one.
        from wagtail.images import get_image_model

        image = get_image_model().objects.order_by("-created_at").first()
        return self.to_python({"image": image.pk if image else None, "decorative": False,
                               "alt": "Élus en formation", "caption": "Session à Beauvais"})

    class Meta:
        template = "cms/blocks/image.html"
        icon = "image"
        label = "Image"
        description = "Une image avec son texte alternatif et une légende."


class CalloutBlock(blocks.StructBlock):
    title = blocks.CharBlock(label="Titre", required=False)
    text = blocks.TextBlock(label="Texte")
    link = blocks.URLBlock(label="Lien", required=False)
    link_label = blocks.CharBlock(label="Libellé du lien", required=False)

    class Meta:
        template = "cms/blocks/callout.html"
        icon = "help"
        label = "Mise en avant"
        description = "Un encadré qui attire l'attention sur une information."
        preview_value = {"title": "Inscriptions ouvertes",
                         "text": "Les sessions du printemps sont ouvertes aux élus."}


class HighlightBlock(blocks.StructBlock):
    text = blocks.TextBlock(label="Texte")

    class Meta:
        template = "cms/blocks/highlight.html"
        icon = "openquote"
        label = "Mise en exergue"
        description = "Une phrase importante soulignée par une barre latérale."
        preview_value = {"text": "Chaque élu a droit à 18 jours de formation par mandat."}


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label="Citation")
    author = blocks.CharBlock(label="Auteur", required=False)
    source = blocks.CharBlock(label="Source", required=False)

    class Meta:
        template = "cms/blocks/quote.html"
        icon = "openquote"
        label = "Citation"
        description = "Une citation et son auteur."
        preview_value = {"text": "Je veux un État facilitateur de vos projets.",
                         "author": "Emmanuel Macron", "source": "Président de la République"}


class AccordionBlock(blocks.StructBlock):
    title = blocks.CharBlock(label="Titre")
    body = blocks.RichTextBlock(label="Contenu")


class AccordionGroupBlock(blocks.StructBlock):
    items = blocks.ListBlock(AccordionBlock(), label="Accordéons")

    class Meta:
        template = "cms/blocks/accordion_group.html"
        icon = "list-ul"
        label = "Groupe d'accordéons"
        description = "Des questions-réponses repliables."
        preview_value = {"items": [
            {"title": "Qui peut s'inscrire ?", "body": "<p>Tout élu local en exercice.</p>"},
            {"title": "La formation est-elle gratuite ?", "body": "<p>Oui, pour les élus.</p>"},
        ]}


class CardBlock(blocks.StructBlock):
    page = blocks.PageChooserBlock(label="Page liée")
    title = blocks.CharBlock(label="Titre (sinon celui de la page)", required=False)
    text = blocks.TextBlock(label="Description", required=False)
    image = ImageChooserBlock(label="Image", required=False)


class CardGridBlock(blocks.StructBlock):
    cards = blocks.ListBlock(CardBlock(), label="Cartes")

    def get_preview_value(self):
        from wagtail.models import Page

        pages = Page.objects.live().filter(depth__gt=1).order_by("-last_published_at")[:3]
        return self.to_python({"cards": [
            {"page": page.pk, "title": "", "text": "", "image": None} for page in pages
        ]})

    class Meta:
        template = "cms/blocks/card_grid.html"
        icon = "table"
        label = "Grille de cartes"
        description = "Des cartes qui mènent vers d'autres pages du site."


class TileBlock(blocks.StructBlock):
    title = blocks.CharBlock(label="Titre")
    text = blocks.CharBlock(label="Détail", required=False)
    page = blocks.PageChooserBlock(label="Page liée", required=False)
    url = blocks.URLBlock(label="ou adresse externe", required=False)


class TilesBlock(blocks.StructBlock):
    tiles = blocks.ListBlock(TileBlock(), label="Tuiles")

    class Meta:
        template = "cms/blocks/tiles.html"
        icon = "grip"
        label = "Tuiles"
        description = "Des raccourcis vers des pages ou des sites."
        preview_value = {"tiles": [
            {"title": "Académie des territoires", "text": "Formations des élus",
             "url": "https://agence-cohesion-territoires.gouv.fr"},
            {"title": "Conseillers numériques", "text": "Trouver un conseiller",
             "url": "https://agence-cohesion-territoires.gouv.fr"},
        ]}


class VideoBlock(blocks.StructBlock):
    title = blocks.CharBlock(label="Titre")
    url = blocks.URLBlock(label="Adresse de la vidéo (intégration)")
    transcript = blocks.TextBlock(label="Transcription", help_text="Obligatoire (RGAA).")

    class Meta:
        template = "cms/blocks/video.html"
        icon = "media"
        label = "Vidéo"
        description = "Une vidéo intégrée avec sa transcription."
        preview_value = {"title": "Présentation de l'Académie",
                         "url": "https://www.dailymotion.com/embed/video/x8example",
                         "transcript": "Bienvenue à l'Académie des territoires…"}


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label="Document")
    title = blocks.CharBlock(label="Titre (sinon celui du document)", required=False)

    def get_preview_value(self):
        from wagtail.documents import get_document_model

        document = get_document_model().objects.order_by("-created_at").first()
        return self.to_python({"document": document.pk if document else None, "title": ""})

    class Meta:
        template = "cms/blocks/document.html"
        icon = "doc-full"
        label = "Document à télécharger"
        description = "Un fichier avec son format et son poids."


class TableWithCaptionBlock(blocks.StructBlock):
    caption = blocks.CharBlock(label="Titre du tableau")
    table = TableBlock(label="Tableau", table_options={"startRows": 3, "startCols": 3})

    class Meta:
        template = "cms/blocks/table.html"
        icon = "table"
        label = "Tableau"
        description = "Un tableau de données avec son titre."
        preview_value = {"caption": "Calendrier 2021", "table": {
            "first_row_is_table_header": True, "first_col_is_header": False,
            "data": [["Étape", "Date"], ["Création de l'Académie", "19 octobre 2020"],
                     ["Premières sessions", "Printemps 2021"]],
        }}


class ContentBlocks(blocks.StreamBlock):
    """Everything an editor may put in the body of a page."""

    text = RichTextBlock()
    image = ImageBlock()
    callout = CalloutBlock()
    highlight = HighlightBlock()
    quote = QuoteBlock()
    accordions = AccordionGroupBlock()
    cards = CardGridBlock()
    tiles = TilesBlock()
    video = VideoBlock()
    document = DocumentBlock()
    table = TableWithCaptionBlock()


class KeyFigureBlock(blocks.StructBlock):
    computed = blocks.ChoiceBlock(
        label="Chiffre calculé", choices=figures.choices, required=False,
        help_text="Compté à chaque affichage : laissez vide pour saisir le chiffre vous-même.",
    )
    figure = blocks.CharBlock(label="Chiffre", max_length=20, required=False)
    label = blocks.CharBlock(label="Libellé", max_length=120)

    def clean(self, value):
        value = super().clean(value)
        if not value.get("computed") and not value.get("figure"):
            raise blocks.StructBlockValidationError(block_errors={"figure": ValidationError(
                "Saisissez un chiffre ou choisissez un chiffre calculé.")})
        return value

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        computed = figures.count(value.get("computed")) if value.get("computed") else None
        context["figure"] = computed if computed is not None else value.get("figure")
        return context

    class Meta:
        template = "cms/blocks/key_figure.html"
        icon = "pick"
        label = "Chiffre clé"
        preview_value = {"figure": "4 000", "label": "conseillers numériques financés"}
