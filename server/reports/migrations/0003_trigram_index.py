from django.db import migrations


def create(apps, schema_editor):
    from server.core.trigram import trigram_indexes_create
    from server.reports.filters import TRIGRAM_INDEXES

    trigram_indexes_create(TRIGRAM_INDEXES)


def drop(apps, schema_editor):
    from server.core.trigram import trigram_indexes_drop
    from server.reports.filters import TRIGRAM_INDEXES

    trigram_indexes_drop(TRIGRAM_INDEXES, schema_editor=schema_editor)


class Migration(migrations.Migration):
    """PostgreSQL only: the pg_trgm GIN index of the reports' q (server/core/trigram.py)."""

    dependencies = [
        ("reports", "0002_import_ids"),
        ("studies", "0005_trigram_indexes"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
