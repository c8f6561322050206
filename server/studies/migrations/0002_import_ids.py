"""The import runs that first stored and last changed a study become plain numbers
(first_import_id, last_import_id) instead of foreign keys into the importer's app, so
that the domain apps do not depend on it. The columns and their values stay."""

from django.db import migrations, models


def as_plain_number(name):
    """An AlterField to a number in the same column, then the field renamed to its column."""
    return [
        migrations.AlterField(
            model_name="study", name=name,
            field=models.BigIntegerField(blank=True, null=True, db_column=f"{name}_id"),
        ),
        migrations.RenameField(model_name="study", old_name=name, new_name=f"{name}_id"),
        migrations.AlterField(
            model_name="study", name=f"{name}_id", field=models.BigIntegerField(blank=True, null=True),
        ),
    ]


class Migration(migrations.Migration):

    dependencies = [
        ("studies", "0001_initial"),
    ]

    operations = [*as_plain_number("first_import"), *as_plain_number("last_import")]
