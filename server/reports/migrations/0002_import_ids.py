"""The import runs that first stored and last changed a report become plain numbers
(first_import_id, last_import_id), as the studies' do (studies 0002)."""

from django.db import migrations, models

from server.core.records import import_ids_as_plain_numbers


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0001_initial"),
    ]

    operations = [
        *import_ids_as_plain_numbers("report"),
        # The column's comment moved to server/reports/layout.py.
        migrations.AlterField(model_name="report", name="created_at", field=models.DateTimeField(blank=True, null=True)),
    ]
