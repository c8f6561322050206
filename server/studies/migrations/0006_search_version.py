from django.db import migrations


def install(apps, schema_editor):
    from server.studies.search_version import search_version_install

    search_version_install()


def uninstall(apps, schema_editor):
    from server.studies.search_version import search_version_uninstall

    search_version_uninstall()


class Migration(migrations.Migration):
    """PostgreSQL only: the studies' version, kept by a trigger (server/studies/search_version.py)."""

    dependencies = [
        ("studies", "0005_trigram_indexes"),
    ]

    operations = [
        migrations.RunPython(install, uninstall),
    ]
