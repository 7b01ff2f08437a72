from django.db import migrations


def create_homepage(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    HomePage = apps.get_model("cms.HomePage")
    Locale = apps.get_model("wagtailcore.Locale")

    # Replace Wagtail's default welcome page by our home page.
    Page.objects.filter(depth=2, content_type__model="page").delete()
    Site.objects.all().delete()

    content_type, _ = ContentType.objects.get_or_create(model="homepage", app_label="cms")
    root = Page.objects.get(depth=1)
    locale = Locale.objects.first()
    home = HomePage.objects.create(
        title="Agence nationale de la cohésion des territoires",
        draft_title="Agence nationale de la cohésion des territoires",
        slug="accueil",
        content_type=content_type,
        path=f"{root.path}0001",
        depth=2,
        numchild=0,
        url_path="/accueil/",
        locale=locale,
        intro="<p>Former les élus locaux et déployer les conseillers numériques, "
        "au plus près des territoires.</p>",
    )
    root.numchild = Page.objects.filter(depth=2).count()
    root.save(update_fields=["numchild"])
    from accounts.site import site_parts

    _scheme, hostname, port = site_parts()  # from SITE_URL, like every link of the platform
    Site.objects.create(hostname=hostname, port=port, root_page_id=home.id,
                        is_default_site=True, site_name="ANCT")


def remove_homepage(apps, schema_editor):
    apps.get_model("cms.HomePage").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0001_initial"),
        ("wagtailcore", "0001_initial"),
    ]

    run_before = []

    operations = [migrations.RunPython(create_homepage, remove_homepage)]
