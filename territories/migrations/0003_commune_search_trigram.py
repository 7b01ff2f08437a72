"""Trigram index on the communes' searchable names (PostgreSQL only): the commune search
("beauv", "saint-…") matches a prefix or a word inside the name, which a b-tree cannot
answer; with pg_trgm both are index lookups instead of a scan of 35,000 communes."""

import logging

from django.db import DatabaseError, migrations, transaction

logger = logging.getLogger(__name__)


def create_trigram_index(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=connection.alias):
            with connection.cursor() as cursor:
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                cursor.execute(
                    "CREATE INDEX IF NOT EXISTS commune_search_name_trgm ON "
                    "territories_commune USING gin (search_name gin_trgm_ops)")
    except DatabaseError as error:  # e.g. no right to create the extension: search still works
        logger.warning("Commune search without a trigram index: %s", error)


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS commune_search_name_trgm")


class Migration(migrations.Migration):
    dependencies = [("territories", "0002_commune_coordinates")]

    operations = [migrations.RunPython(create_trigram_index, drop_trigram_index)]
