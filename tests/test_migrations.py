"""The migrations match the models, and moving to a new schema keeps every value."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


@pytest.mark.django_db
def test_the_models_need_no_migration_that_is_not_written():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)  # exits 1 if one is missing


def foreign_keys(table: str) -> list:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return [c["columns"] for c in constraints.values() if c["foreign_key"]]


@pytest.mark.django_db(transaction=True)
def test_the_import_ids_of_studies_and_reports_keep_their_values_as_plain_numbers():
    before = [("studies", "0001_initial"), ("reports", "0001_initial")]
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    try:
        apps = executor.loader.project_state(before).apps
        run = apps.get_model("imports", "ImportRun").objects.create(source_path="/a.duckdb")
        later = apps.get_model("imports", "ImportRun").objects.create(source_path="/b.duckdb")
        apps.get_model("studies", "Study").objects.create(
            exam_id="E1", order_datetime=dt.datetime(2025, 1, 1), first_import=run, last_import=later
        )
        apps.get_model("reports", "Report").objects.create(report_id="R1", study_id="E1", first_import=run)
        assert ["first_import_id"] in foreign_keys("study")
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(latest)
    with connection.cursor() as cursor:
        cursor.execute("SELECT exam_id, first_import_id, last_import_id FROM study")
        assert cursor.fetchall() == [("E1", run.pk, later.pk)]
        cursor.execute("SELECT report_id, exam_id, first_import_id, last_import_id FROM report")
        assert cursor.fetchall() == [("R1", "E1", run.pk, None)]
    assert foreign_keys("study") == [] and foreign_keys("report") == []
