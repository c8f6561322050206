from django.db import migrations


def create(apps, schema_editor):
    from server.core.trigram import trigram_indexes_create
    from server.studies.filters import TRIGRAM_INDEXES

    trigram_indexes_create(TRIGRAM_INDEXES)


def drop(apps, schema_editor):
    from server.core.trigram import trigram_indexes_drop
    from server.studies.filters import TRIGRAM_INDEXES

    trigram_indexes_drop(TRIGRAM_INDEXES, schema_editor=schema_editor)


class Migration(migrations.Migration):
    """PostgreSQL only: pg_trgm GIN indexes for q (server/core/trigram.py), where the
    extension exists or this user may create it; else nothing, and a warning at start."""

    dependencies = [
        ("studies", "0004_search_index"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
