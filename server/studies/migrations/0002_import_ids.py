"""The import runs that first stored and last changed a study become plain numbers
(first_import_id, last_import_id) instead of foreign keys into the importer's app, so
that the domain apps do not depend on it. The columns and their values stay."""

from django.db import migrations

from server.core.records import import_ids_as_plain_numbers


class Migration(migrations.Migration):

    dependencies = [
        ("studies", "0001_initial"),
    ]

    operations = import_ids_as_plain_numbers("study")
