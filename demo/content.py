"""Demo content: programmes, news, the catalogue with its courses and dated sessions.

Written for the demo (no lorem ipsum), idempotent: pages are found by slug, a course's
sessions are only created with the course.
"""

import tomllib
from datetime import datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from wagtail.models import Site

from academy.models import Audience, CatalogPage, CoursePage, CourseTheme, Format, Partner, Session
from cms.models import (
    HomePage,
    NewsIndexPage,
    NewsPage,
    PageIllustration,
    ProgrammePage,
    SiteNavigation,
)
from territories.models import Commune

from .images import demo_image

THEMES = [
    "Transition écologique",
    "Numérique",
    "Résilience des territoires",
    "Coopération interterritoriale",
    "Finances locales",
    "Revitalisation des centres-villes",
]

PARTNERS = [
    ("Sciences Po Executive Education", "https://www.sciencespo.fr/executive-education/"),
    ("Banque des Territoires", "https://www.banquedesterritoires.fr"),
    ("Agence nationale de la cohésion des territoires",
     "https://agence-cohesion-territoires.gouv.fr"),
]

PROGRAMMES = [
    {
        "slug": "academie-des-territoires",
        "title": "Académie des territoires",
        "intro": "Des formations courtes et concrètes pour les élus locaux, conçues avec "
                 "Sciences Po Executive Education et la Banque des Territoires.",
        "launched_on": "2020-10-19",
        "body": [
            ("text", "<h2>Pourquoi une académie ?</h2><p>Les élus locaux portent des projets "
                     "de plus en plus complexes : transition écologique, numérique, "
                     "revitalisation, coopération entre collectivités. L'Académie des "
                     "territoires leur donne, au plus près de chez eux, les méthodes et les "
                     "réseaux pour les mener à bien.</p>"),
            ("callout", {"title": "Formations gratuites pour les élus",
                         "text": "Les frais pédagogiques sont pris en charge. Certaines "
                                 "formations sont éligibles au droit individuel à la "
                                 "formation des élus (DIF élus).",
                         "link": "", "link_label": ""}),
        ],
    },
    {
        "slug": "conseillers-numeriques",
        "title": "Conseillers numériques",
        "intro": "4\u202f000 conseillers numériques accueillis par des communes, des "
                 "intercommunalités, des départements et des associations pour "
                 "accompagner chacun vers l'autonomie numérique.",
        "launched_on": "2020-11-17",
        "body": [
            ("text", "<h2>Un conseiller près de chez vous</h2><p>Les conseillers numériques "
                     "proposent des ateliers et des permanences pour apprendre à utiliser un "
                     "ordinateur ou un smartphone, faire ses démarches en ligne, protéger "
                     "ses données et vérifier les informations.</p><h2>Accueillir un "
                     "conseiller</h2><p>Les structures publiques et privées candidatent ; le "
                     "préfet de département rend un avis, puis le comité de l'ANCT décide "
                     "et une convention est signée.</p>"),
        ],
    },
    {
        "slug": "petites-villes-de-demain",
        "title": "Petites villes de demain",
        "intro": "Un programme pour donner aux élus des communes de moins de 20\u202f000 "
                 "habitants les moyens de concrétiser leurs projets de revitalisation.",
        "launched_on": "2020-10-01",
        "body": [
            ("text", "<p>Petites villes de demain accompagne plus de 1 600 communes et "
                     "intercommunalités : ingénierie, financements et mise en réseau des "
                     "élus et de leurs chefs de projet.</p>"),
        ],
    },
]

NEWS = [
    ("La feuille de route de l'ANCT adoptée par son conseil d'administration", 120,
     "Programmes nationaux d'appui, pactes de cohésion territoriale et offre d'ingénierie "
     "sur mesure : les trois modes d'intervention de l'agence sont confirmés.",
     "<p>Le conseil d'administration de l'Agence nationale de la cohésion des territoires a "
     "adopté sa feuille de route. Elle confirme trois modes d'intervention : les programmes "
     "nationaux d'appui (Action cœur de ville, Territoires d'industrie, France services, "
     "Petites villes de demain), les pactes de cohésion territoriale et l'offre "
     "d'ingénierie sur mesure.</p><p>Trois domaines sont prioritaires : les ruralités, la "
     "politique de la ville et le numérique.</p>"),
    ("Ouverture des inscriptions aux sessions de printemps de l'Académie", 45,
     "Douze formations et une quarantaine de sessions dans toutes les régions : les élus "
     "locaux peuvent dès maintenant s'inscrire.",
     "<p>Les inscriptions aux sessions de printemps sont ouvertes. Les formations abordent "
     "la transition écologique, le numérique, les finances locales et la coopération entre "
     "territoires.</p><p>Les sessions se tiennent en présentiel dans chaque région et à "
     "distance pour les élus qui ne peuvent pas se déplacer.</p>"),
    ("Conseillers numériques : 1\u202f000 structures désormais conventionnées", 30,
     "Communes, intercommunalités, départements et associations accueillent déjà des "
     "conseillers numériques dans tous les départements.",
     "<p>Le déploiement des conseillers numériques franchit une étape : mille structures "
     "ont signé leur convention avec l'ANCT. Les conseillers tiennent des permanences dans "
     "les mairies, les médiathèques et les espaces France services.</p>"),
    ("L'ANCT, instrument de la résilience des territoires", 15,
     "Relance économique, transition écologique et cohésion : l'agence revisite ses "
     "programmes à l'aune de la crise.",
     "<p>Dans sa feuille de route, l'ANCT se veut un instrument de la résilience des "
     "territoires : elle participe à l'effort de relance et de transition écologique "
     "engagé par l'État et les collectivités territoriales.</p>"),
    ("Retour sur la première promotion de l'Académie des territoires", 5,
     "Trois cents élus formés en un an : témoignages et chiffres clés de la première "
     "promotion.",
     "<p>Maires de petites communes, adjoints aux finances, présidents d'intercommunalité : "
     "la première promotion de l'Académie a réuni des profils variés. Les participants "
     "soulignent la qualité des échanges entre pairs et le lien avec leurs projets.</p>"),
]


def _read_courses():
    """The courses of ``courses.toml`` as (title, theme indexes, audience, format, hours,
    price, dif, summary, objectives)."""
    with Path(__file__).with_name("courses.toml").open("rb") as file:
        courses = tomllib.load(file)["course"]
    return [(c["title"], c["themes"], Audience(c["audience"]), Format(c["format"]), c["hours"],
             Decimal(c["price"]) if "price" in c else None, c["dif"], c["summary"],
             c["objectives"]) for c in courses]


COURSES = _read_courses()

# Chefs-lieux of régions and départements (INSEE codes), across metropolitan France + DROM.
SESSION_COMMUNES = [
    "75056", "69123", "13055", "33063", "31555", "44109", "67482", "59350", "35238",
    "21231", "45234", "14118", "63113", "34172", "06088", "97411", "60057", "2A004",
    "51454", "87085", "25056", "86194", "29019", "97209",
]

TRAINERS = [
    "Claire Rousseau (Sciences Po Executive Education)",
    "Marc Lemoine (Banque des Territoires)",
    "Anne Leroy (ANCT)",
    "Yann Kerouac'h (ANCT)",
]


def _paris(day, hour):
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _stream(items):
    return [{"type": kind, "value": value} for kind, value in items]


def _publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _child(parent, model, slug, **fields):
    existing = model.objects.child_of(parent).filter(slug=slug).first()
    if existing:
        return existing, False
    return _publish(parent, model(slug=slug, **fields)), True


@transaction.atomic
def create_demo_content():
    """Creates the demo site content; returns counts for the command to print."""
    home = HomePage.objects.first()
    themes = [CourseTheme.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0]
              for name in THEMES]
    partners = [Partner.objects.get_or_create(name=name, defaults={"url": url})[0]
                for name, url in PARTNERS]

    programmes = {}
    for data in PROGRAMMES:
        programmes[data["slug"]], _ = _child(
            home, ProgrammePage, data["slug"], title=data["title"], intro=data["intro"],
            launched_on=data["launched_on"], body=_stream(data["body"]),
        )

    news_index, _ = _child(
        home, NewsIndexPage, "actualites", title="Actualités",
        intro="Les dernières nouvelles de l'Académie des territoires et des conseillers "
              "numériques.",
    )
    today = timezone.localdate()
    for title, days_ago, summary, body in NEWS:
        _child(news_index, NewsPage, slugify(title)[:80], title=title,
               date=today - timedelta(days=days_ago), summary=summary,
               body=_stream([("text", body)]))

    catalog, _ = _child(
        home, CatalogPage, "formations", title="Formations",
        intro="Trouvez une formation de l'Académie des territoires près de chez vous ou à "
              "distance, et inscrivez-vous à une session.",
    )
    communes = list(Commune.objects.filter(insee_code__in=SESSION_COMMUNES)
                    .order_by("insee_code"))
    academy = programmes["academie-des-territoires"]
    session_count = 0
    courses = []
    for index, (title, theme_ids, audience, fmt, hours, price, dif, summary, objectives
                ) in enumerate(COURSES):
        slug = slugify(title)[:80]
        course = CoursePage.objects.child_of(catalog).filter(slug=slug).first()
        if course is None:
            course = CoursePage(
                slug=slug, title=title, summary=summary,
                objectives="<ul>" + "".join(f"<li>{o}</li>" for o in objectives) + "</ul>",
                programme=_stream([
                    ("text", f"<h3>Matin</h3><p>{objectives[0]} : apports, exemples "
                             f"de collectivités et échanges entre élus.</p>"
                             f"<h3>Après-midi</h3><p>{objectives[1]}, puis "
                             f"{objectives[2][0].lower()}{objectives[2][1:]} en atelier.</p>"),
                ]),
                audience=audience, format=fmt, duration_hours=Decimal(hours), price=price,
                dif_eligible=dif, programme_page=academy,
            )
            catalog.add_child(instance=course)
            course.themes.set([themes[i] for i in theme_ids])
            course.partners.set(partners[: 1 + index % 3])
            course.save_revision().publish()
            session_count += _create_sessions(course, index, communes, today)
        if not course.illustrations.exists():
            # Ecology (theme 0) a landscape, digital (1) a screen, the others a town hall.
            scene = {0: "landscape", 1: "screen"}.get(theme_ids[0], "town_hall")
            image, alt = demo_image(scene)
            course = course.specific
            course.illustrations = [PageIllustration(image=image, alt=alt)]
            course.save_revision().publish()
        courses.append(course)

    if not home.highlighted_pages:
        home.hero_title = "Former les élus, accompagner chacun vers le numérique"
        home.intro = ("<p>L'Agence nationale de la cohésion des territoires accompagne les "
                      "collectivités dans leurs projets : formations pour les élus locaux "
                      "et déploiement de 4\u202f000 conseillers numériques.</p>")
        home.highlighted_pages = _stream([("page", c.pk) for c in courses[:3]])
        home.save_revision().publish()
    if not any(block.value.get("computed") for block in home.key_figures):
        # Counted when the page is shown (cms.figures), never typed: they cannot go stale.
        home.key_figures = _stream([
            ("figure", {"computed": "", "figure": "4\u202f000",
                        "label": "conseillers numériques financés"}),
            ("figure", {"computed": "academy-courses", "figure": "",
                        "label": "formations au catalogue"}),
            ("figure", {"computed": "academy-sessions", "figure": "",
                        "label": "sessions à venir"}),
            ("figure", {"computed": "academy-regions", "figure": "",
                        "label": "régions où se tiennent des sessions"}),
        ])
        home.save_revision().publish()

    navigation = SiteNavigation.for_site(Site.objects.get(is_default_site=True))
    if not navigation.header_links:
        navigation.header_links = _stream([
            ("link", {"label": "Formations", "page": catalog.pk, "url": ""}),
            ("link", {"label": "Conseillers numériques",
                      "page": programmes["conseillers-numeriques"].pk, "url": ""}),
            ("link", {"label": "Actualités", "page": news_index.pk, "url": ""}),
        ])
        navigation.footer_links = _stream([
            ("link", {"label": "Académie des territoires", "page": academy.pk, "url": ""}),
            ("link", {"label": "Rechercher", "page": None, "url": "/recherche/"}),
        ])
        navigation.save()

    return {"courses": CoursePage.objects.count(), "sessions": Session.objects.count(),
            "news": NewsPage.objects.count(), "new_sessions": session_count}


def _create_sessions(course, index, communes, today):
    """Three or four sessions per course, spread over the coming months and régions."""
    created = 0
    count = 4 if index % 3 == 0 else 3
    for n in range(count):
        start_day = today + timedelta(days=10 + index * 5 + n * 37)
        remote = course.format == Format.REMOTE or (course.format == Format.HYBRID and n == 2)
        # The first session of a hybrid course is held in a place AND by videoconference,
        # so that the demo shows the participant's on-site or remote choice.
        both = course.format == Format.HYBRID and n == 0
        commune = None if remote or not communes else communes[(index * 3 + n) % len(communes)]
        days = 2 if course.duration_hours >= 14 else 1
        start = _paris(start_day, 9)
        end = _paris(start_day + timedelta(days=days - 1), 17)
        Session.objects.create(
            course=course, start=start, end=end, commune=commune,
            address="" if commune is None else "Hôtel de ville, salle du conseil",
            remote_url=("https://webconf.numerique.gouv.fr/academie"
                        if commune is None or both else ""),
            capacity=[12, 20, 25, 30][(index + n) % 4],
            enrolment_opens=start - timedelta(days=60),
            enrolment_closes=start - timedelta(days=2),
            cancellation_deadline=start - timedelta(days=5),
            trainers=TRAINERS[(index + n) % len(TRAINERS)],
        )
        created += 1
    return created
