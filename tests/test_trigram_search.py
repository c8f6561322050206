"""q on PostgreSQL: an escaped LIKE served by pg_trgm GIN indexes (server/core/trigram.py),
exactly the substring instr() finds on SQLite; and where pg_trgm cannot be created, a
plain scan with a warning in the log and in health."""

from __future__ import annotations

import uuid
from urllib.parse import quote

import pytest

from tests.support.commands import import_cli
from tests.support.servers import start_server, subprocess_env
from tests.support.sources import source_row, write_duckdb

NAMES = [
    "100% Müller", "100 Percent", "under_score", "underXscore", "back\\slash", "backslash", "a\\%_b", "a%b",
    "李明", "李明华", "王李", "张伟", "ÉLODIE Ÿ", "ß straße", "x", "xy", "%", "_", "\\", "\\\\",
]
NEEDLES = [
    "%", "_", "\\", "\\\\", "%_", "0%", "0% m", "r_s", "_s", "k\\s", "\\%_", "a%b", "a\\%",
    "李", "李明", "明华", "李明华", "x", "xy", "ab", "é", "élo", "STRASSE", "ss", "no such thing",
]


def _postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


@pytest.fixture
def named_studies(make_study):
    for number, name in enumerate(NAMES):
        make_study(f"T{number:03d}", patient_name=name, exam_item="Item", medical_record_no=None)


@pytest.mark.django_db
@pytest.mark.parametrize("needle", NEEDLES)
def test_q_finds_exactly_the_studies_whose_folded_text_holds_it(api, named_studies, needle):
    from server.core.text import fold
    from server.studies.models import Study

    texts = dict(Study.objects.values_list("exam_id", "search_text"))
    expected = sorted(exam_id for exam_id, text in texts.items() if fold(needle) in text)
    body = api.get(f"/api/v1/studies/search?q={quote(needle)}&page_size=100").json()
    assert sorted(row["exam_id"] for row in body["data"]) == expected
    assert body["total"] == len(expected)


@pytest.mark.django_db
@pytest.mark.parametrize("needle", ["a%b", "_", "\\", "李明"])
def test_the_instr_lookup_is_an_escaped_like_on_postgresql(named_studies, needle):
    from server.studies.models import Study

    sql, params = Study.objects.filter(search_text__instr=needle).query.sql_with_params()
    if _postgres():
        assert "LIKE %s ESCAPE '\\'" in sql
        escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        assert params[-1] == f"%{escaped}%"
    else:
        assert "INSTR(" in sql and params[-1] == needle


@pytest.mark.django_db
def test_on_postgresql_the_migrations_made_the_trigram_indexes():
    if not _postgres():
        pytest.skip("PostgreSQL's own: the suite's PostgreSQL pass runs it")
    from server.composition.selectors import TRIGRAM_INDEXES, database_warnings
    from server.core.trigram import trigram_indexes_missing

    assert trigram_indexes_missing(TRIGRAM_INDEXES) == []
    assert database_warnings() == []


@pytest.mark.django_db
def test_on_postgresql_a_three_character_q_reads_the_trigram_index():
    if not _postgres():
        pytest.skip("PostgreSQL's own: the suite's PostgreSQL pass runs it")
    from django.db import connection

    from server.studies.filters import StudyFilters
    from server.studies.models import Study

    with connection.cursor() as cursor:
        # Thousands of studies, one of them with the searched order number.
        cursor.execute(
            "INSERT INTO study (exam_id, patient_name, exam_item, order_datetime, order_day, search_text, name_text, "
            "extra, created_at, updated_at) "
            "SELECT 'P' || i, 'patient ' || i, 'Item', now(), '2025-01-01', "
            "'p' || i || chr(31) || 'patient ' || (i % 997) || chr(31) || 'ao-' || md5(i::text), "
            "'patient ' || i, '{}', now(), now() FROM generate_series(1, 5000) AS i"
        )
        # As after an import's commit and autovacuum: the index's pending rows merged.
        cursor.execute("SELECT gin_clean_pending_list('study_text_trgm'::regclass)")
        cursor.execute("ANALYZE study")
    needle = Study.objects.get(exam_id="P4321").search_text.split("\x1f")[2][:12]
    matches = StudyFilters(q=needle).apply(Study.objects.all())
    plan = matches.explain()
    assert "study_text_trgm" in plan, plan
    assert list(matches.values_list("exam_id", flat=True)) == ["P4321"]


def _insert_numbered_studies(count: int) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO study (exam_id, patient_name, exam_item, order_datetime, order_day, search_text, name_text, "
            "extra, created_at, updated_at) "
            "SELECT 'P' || i, 'patient ' || (i %% 37), 'Item', "
            "timestamp '2025-01-01' + (i %% 401) * interval '1 hour', "
            "'2025-01-01', 'p' || i || chr(31) || 'patient ' || (i %% 37), 'patient ' || (i %% 37), '{}', now(), now() "
            "FROM generate_series(1, %s) AS i",
            [count],
        )


@pytest.mark.django_db
@pytest.mark.parametrize("sort", ["order_datetime_desc", "order_datetime_asc", "patient_name_asc"])
@pytest.mark.parametrize("q", ["", "patient", "patient 1"])
def test_on_postgresql_pages_far_from_both_ends_read_their_exam_ids_first_and_equal_the_plain_order(api, sort, q):
    if not _postgres():
        pytest.skip("PostgreSQL's own: the suite's PostgreSQL pass runs it")
    from server.studies.filters import SORTS
    from server.studies.models import Study

    _insert_numbered_studies(2_600)
    plain = Study.objects.filter(search_text__instr=q) if q else Study.objects.all()
    plain = list(plain.order_by(*SORTS[sort][0]).values_list("exam_id", flat=True))
    for page in (1, 51, 60, 66, 70, len(plain) // 20 + 1):
        body = api.get(f"/api/v1/studies/search?q={quote(q)}&sort={sort}&page={page}&page_size=20").json()
        assert body["total"] == len(plain)
        assert [row["exam_id"] for row in body["data"]] == plain[(page - 1) * 20: page * 20], page


def _role_database(admin, owner: str, name: str) -> None:
    admin.execute(f'CREATE ROLE "{owner}" LOGIN')
    admin.execute(f'CREATE DATABASE "{name}" OWNER "{owner}"')
    # pg_trgm is trusted: the database's owner may create it, unless refused CREATE on
    # the database (it still owns the schema public, so it creates its tables).
    admin.execute(f'REVOKE CREATE ON DATABASE "{name}" FROM PUBLIC, "{owner}"')


def test_without_the_right_to_create_pg_trgm_q_scans_and_health_and_the_log_say_how(tmp_path, postgres_admin):
    import psycopg

    admin, base = postgres_admin
    suffix = uuid.uuid4().hex[:10]
    owner, name = f"imaging_desk_user_{suffix}", f"imaging_desk_notrgm_{suffix}"
    _role_database(admin, owner, name)
    server = None
    try:
        scheme, rest = base.split("://", 1)
        host = rest.split("@", 1)[-1].rsplit("/", 1)[0]
        url = f"{scheme}://{owner}@{host}/{name}"
        data_dir = tmp_path / "data"
        env = subprocess_env(data_dir, IMAGING_DESK_DATABASE_URL=url)
        source = write_duckdb(tmp_path / "source.duckdb", [
            source_row("E1", patient_name="50%_off Müller"), source_row("E2", patient_name="500 off"),
            source_row("E3", patient_name="李明华"),
        ])
        imported = import_cli(source, data_dir, env=env)
        assert imported.returncode == 0, imported.stderr

        server = start_server(data_dir, env=env)
        status, health = server.call("GET", "health")
        assert status == 200
        assert health["database_name"] == name and health["database_host"] == host.split(":")[0]
        [warning] = health["warnings"]
        assert "pg_trgm" in warning and f"-d {name} -c 'CREATE EXTENSION pg_trgm'" in warning
        assert "superuser" in warning
        for q, found in (("0%_", ["E1"]), ("müller", ["E1"]), ("李明", ["E3"]), ("off", ["E1", "E2"])):
            status, body = server.call("GET", f"studies/search?q={quote(q)}")
            assert status == 200 and sorted(row["exam_id"] for row in body["data"]) == found, q
        server.stop()
        log = (data_dir / "logs" / "server.log").read_text(encoding="utf-8")
        assert log.count("The q search reads every row") == 1, log

        # A superuser enables it; the next start builds the indexes, and the warning goes.
        with psycopg.connect(base.rsplit("/", 1)[0] + "/" + name, autocommit=True) as superuser:
            superuser.execute("CREATE EXTENSION pg_trgm")
        server = start_server(data_dir, env=env)
        status, health = server.call("GET", "health")
        assert health["warnings"] == []
        status, body = server.call("GET", f"studies/search?q={quote('0%_')}")
        assert [row["exam_id"] for row in body["data"]] == ["E1"]
        with psycopg.connect(base.rsplit("/", 1)[0] + "/" + name) as check:
            indexes = {row[0] for row in check.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%trgm'")}
        assert indexes == {"study_text_trgm", "study_name_trgm", "report_text_trgm"}
    finally:
        if server is not None:
            server.stop()
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'DROP ROLE IF EXISTS "{owner}"')


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_total_is_kept_until_a_committed_change_of_the_studies(api, make_study):
    if not _postgres():
        pytest.skip("PostgreSQL's own: the suite's PostgreSQL pass runs it")
    from django.db import connection, transaction

    from server.studies.search_version import search_version

    make_study("K1", patient_name="Kept One")
    version = search_version()
    assert version is not None
    assert api.get("/api/v1/studies/search?q=kept").json()["total"] == 1
    with connection.cursor() as cursor:  # a row written behind the app's back, in psql say
        cursor.execute(
            "INSERT INTO study (exam_id, patient_name, exam_item, order_datetime, order_day, search_text, name_text,"
            " extra, created_at, updated_at) VALUES ('K2', 'Kept Two', 'Item', now(), '2025-01-01', 'k2' || chr(31)"
            " || 'kept two', 'kept two', '{}', now(), now())"
        )
    assert search_version() not in (None, version)
    assert api.get("/api/v1/studies/search?q=kept").json()["total"] == 2
    with transaction.atomic():
        make_study("K3", patient_name="Kept Three")
        make_study("K4", patient_name="Kept Four")
        assert search_version() is None  # this transaction wrote: nothing it counts is kept
        assert api.get("/api/v1/studies/search?q=kept").json()["total"] == 4
    assert api.get("/api/v1/studies/search?q=kept").json()["total"] == 4
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM study WHERE exam_id = 'K4'")
    assert api.get("/api/v1/studies/search?q=kept").json()["total"] == 3
    # Few matches: their exam IDs are kept with the total, and the pages read from them.
    from server.studies.filters import SORTS
    from server.studies.models import Study

    for sort, order in SORTS.items():
        plain = Study.objects.filter(search_text__instr="kept").order_by(*order[0])
        plain = list(plain.values_list("exam_id", flat=True))
        for page in (1, 2):
            url = f"/api/v1/studies/search?q=KEPT&sort={sort}&page={page}&page_size=2"
            for _ in range(2):  # counted, then kept
                body = api.get(url).json()
                assert [row["exam_id"] for row in body["data"]] == plain[(page - 1) * 2: page * 2], (sort, page)
                assert body["total"] == 3
    options = api.get("/api/v1/studies/filters/options").json()
    assert options["exam_items"] == sorted({"Item", "Chest CT"})


@pytest.mark.django_db
def test_on_postgresql_the_sort_by_name_reads_its_code_point_index(make_study):
    if not _postgres():
        pytest.skip("PostgreSQL's own: the suite's PostgreSQL pass runs it")
    from django.db import connection

    from server.studies.filters import SORTS
    from server.studies.models import Study

    for number, name in enumerate(["b", "B", "a", "Ä", None]):
        make_study(f"N{number}", patient_name=name)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a handful of rows: a scan would be cheaper
    page = Study.objects.order_by(*SORTS["patient_name_asc"][0])[:20]
    assert "study_name_c_idx" in page.explain()
    assert list(page.values_list("patient_name", flat=True)) == ["B", "a", "b", "Ä", None]
