from django.db import migrations, models


def install(apps, schema_editor):
    from server.studies.search_index import search_index_install

    search_index_install()


def uninstall(apps, schema_editor):
    from server.studies.search_index import search_index_uninstall

    search_index_uninstall()


class Migration(migrations.Migration):
    """The text index, rollup and counts of server/studies/search_index.py (SQLite only)."""

    dependencies = [
        ("studies", "0003_patient_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="study",
            name="search_rowid",
            field=models.BigIntegerField(editable=False, null=True),
        ),
        migrations.AddConstraint(
            model_name="study",
            constraint=models.UniqueConstraint(
                condition=models.Q(("search_rowid__isnull", False)),
                fields=("search_rowid",),
                name="study_search_rowid_uniq",
            ),
        ),
        migrations.CreateModel(
            name="StudyRollup",
            fields=[
                ("key", models.TextField(primary_key=True, serialize=False)),
                ("order_day", models.TextField(null=True)),
                ("exam_status", models.TextField(null=True)),
                ("exam_source", models.TextField(null=True)),
                ("exam_item", models.TextField(null=True)),
                ("patient_gender", models.TextField(null=True)),
                ("studies", models.BigIntegerField()),
            ],
            options={"db_table": "study_rollup", "managed": False},
        ),
        migrations.RunPython(install, uninstall),
    ]
