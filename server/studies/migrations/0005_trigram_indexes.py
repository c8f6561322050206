from django.db import migrations


def create(apps, schema_editor):
    from server.core.trigram import trigram_indexes_create
    from server.studies.filters import TRIGRAM_INDEXES

    trigram_indexes_create(TRIGRAM_INDEXES)


def drop(apps, schema_editor):
    from server.studies.filters import TRIGRAM_INDEXES

    if schema_editor.connection.vendor == "postgresql":
        for index in TRIGRAM_INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(index.name)}")


class Migration(migrations.Migration):
    """PostgreSQL only: pg_trgm GIN indexes for q (server/core/trigram.py), where the
    extension exists or this user may create it; else nothing, and a warning at start."""

    dependencies = [
        ("studies", "0004_search_index"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
