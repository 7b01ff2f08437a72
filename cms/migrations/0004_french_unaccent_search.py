"""Accent-insensitive full-text search on PostgreSQL: a ``french_unaccent`` text search
configuration (French stemming after ``unaccent``), which ``WAGTAILSEARCH_BACKENDS`` uses
on PostgreSQL. SQLite needs nothing (its FTS5 tokenizer drops diacritics).

After this migration on an existing PostgreSQL database, run ``manage.py update_index`` once
so that pages indexed before it are indexed with the new configuration (pages saved later
are indexed with it anyway)."""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS unaccent;
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'french_unaccent') THEN
        CREATE TEXT SEARCH CONFIGURATION french_unaccent (COPY = french);
        ALTER TEXT SEARCH CONFIGURATION french_unaccent
            ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
    END IF;
END
$$;
"""

DROP = "DROP TEXT SEARCH CONFIGURATION IF EXISTS french_unaccent;"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("cms", "0003_contentpage_newsindexpage_programmepage_and_more")]

    operations = [migrations.RunPython(create, drop)]
