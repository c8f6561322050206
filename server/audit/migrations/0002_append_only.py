"""The database refuses UPDATE and DELETE (and, on PostgreSQL, TRUNCATE) of audit entries."""

from django.db import migrations

from server.audit.triggers import create_statements, drop_statements


def _create(apps, schema_editor):
    for sql in create_statements(schema_editor.connection.vendor):
        schema_editor.execute(sql, params=None)


def _drop(apps, schema_editor):
    for sql in drop_statements(schema_editor.connection.vendor):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(_create, _drop)]
