"""The synthetic demo DuckDB file: layout, determinism, plausibility and refusals, for the
examinations and for the reports written beside them."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import duckdb
import pytest

from server.demo import DemoData, demo_data_write
from server.demo.vocabulary import RADIOLOGISTS
from server.reports.layout import REPORT_LAYOUT
from server.studies.layout import STUDY_LAYOUT

ROWS = 2_000
COLUMNS = list(STUDY_LAYOUT.duckdb_columns)
REPORT_COLUMNS = list(REPORT_LAYOUT.duckdb_columns)
CHINESE = re.compile(r"[\u4e00-\u9fff]")
CHEST_ITEMS = {"Chest CT", "Chest X-ray", "Chest radiograph PA/lateral"}
# A sentence ends at a full stop followed by a space (so "1.2 cm" stays whole) or at "。".
SENTENCE_END = re.compile(r"(?<=\.)\s+|(?<=。)")
NODULE = re.compile(r"nodul|nódul|rundherd|结节", re.IGNORECASE)
SIZE = re.compile(r"\d+(?:[.,]\d+)?\s?(?:mm|cm|毫米|厘米)")
NEGATION = re.compile(r"^(?:No |Kein|Pas de|Absence de|Sin )|未见")


def read_rows(path, table: str = "medical_examinations_fact", key: str = "exam_id") -> list[dict]:
    with duckdb.connect(str(path), read_only=True) as con:
        cursor = con.execute(f"SELECT * FROM {table} ORDER BY {key}")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]


def read_reports(path) -> list[dict]:
    return read_rows(path, "reports", "report_id")


def table_names(path) -> list[str]:
    with duckdb.connect(str(path), read_only=True) as con:
        return [n for (n,) in con.execute("SELECT table_name FROM information_schema.tables ORDER BY 1").fetchall()]


def report_count(path) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("SELECT count(*) FROM reports").fetchone()[0]


def sentences(findings: str) -> list[str]:
    return [s for s in SENTENCE_END.split(findings) if s]


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "source.duckdb"
    written = demo_data_write(path=path, rows=ROWS, seed=7)
    assert written == DemoData(path=path, examinations=ROWS, reports=report_count(path))
    return path


@pytest.fixture(scope="module")
def rows(demo_file) -> list[dict]:
    return read_rows(demo_file)


@pytest.fixture(scope="module")
def reports(demo_file) -> list[dict]:
    return read_reports(demo_file)


@pytest.fixture(scope="module")
def exams(rows) -> dict[str, dict]:
    return {r["exam_id"]: r for r in rows}


@pytest.fixture(scope="module")
def chest_findings(reports, exams) -> list[str]:
    return [r["findings"] for r in reports
            if r["exam_id"] in exams and exams[r["exam_id"]]["exam_item"] in CHEST_ITEMS]


def test_the_same_seed_writes_the_same_rows(tmp_path, rows):
    demo_data_write(path=tmp_path / "again.duckdb", rows=ROWS, seed=7)
    assert read_rows(tmp_path / "again.duckdb") == rows


def test_a_different_seed_writes_different_rows(tmp_path, rows):
    demo_data_write(path=tmp_path / "other.duckdb", rows=ROWS, seed=8)
    other = read_rows(tmp_path / "other.duckdb")
    assert len(other) == len(rows)
    assert other != rows


def columns_of(path, table: str) -> list[tuple[str, str]]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(
            "SELECT column_name, data_type FROM information_schema.columns"
            " WHERE table_name = ? ORDER BY ordinal_position", [table]
        ).fetchall()


def test_the_file_holds_the_examinations_and_the_reports(demo_file):
    assert table_names(demo_file) == ["medical_examinations_fact", "reports"]


def test_the_table_has_the_fourteen_source_columns_in_order(demo_file):
    assert columns_of(demo_file, "medical_examinations_fact") == COLUMNS


def test_the_reports_table_has_its_six_columns_in_order(demo_file):
    assert columns_of(demo_file, "reports") == REPORT_COLUMNS


def test_it_writes_and_returns_the_requested_number_of_rows(rows):
    assert len(rows) == ROWS


def test_nulls_chinese_text_and_microseconds_survive_exactly(rows):
    from server.demo.exams import batches

    epoch = dt.datetime(1970, 1, 1)
    generated = [value for batch in batches(ROWS, 7) for value in zip(*batch)]
    expected = [
        tuple(epoch + dt.timedelta(microseconds=v) if kind == "TIMESTAMP" and v is not None else v
              for v, (_, kind) in zip(row, COLUMNS))
        for row in generated
    ]
    assert [tuple(r.values()) for r in rows] == expected
    values = [v for row in expected for v in row]
    assert None in values
    assert any(isinstance(v, str) and CHINESE.search(v) for v in values)
    assert any(isinstance(v, dt.datetime) and v.microsecond for v in values)


def test_exam_ids_are_unique_and_numbered(rows):
    ids = [r["exam_id"] for r in rows]
    assert len(set(ids)) == ROWS
    assert all(re.fullmatch(r"EX\d{8}", i) for i in ids)
    assert all(re.fullmatch(r"MR\d+", r["medical_record_no"]) for r in rows)
    assert all(re.fullmatch(r"AO\d+", r["application_order_no"]) for r in rows)


def test_check_in_follows_the_order_and_certification_follows_check_in(rows):
    checked_in = [r for r in rows if r["check_in_datetime"] is not None]
    certified = [r for r in rows if r["report_certification_datetime"] is not None]
    assert checked_in and certified
    for r in checked_in:
        waited = r["check_in_datetime"] - r["order_datetime"]
        assert 60 <= waited.total_seconds() <= 4 * 3600
    for r in certified:
        waited = r["report_certification_datetime"] - r["check_in_datetime"]
        assert 30 * 60 <= waited.total_seconds() <= 3 * 24 * 3600


def test_exams_not_yet_started_or_cancelled_have_no_check_in(rows):
    for r in rows:
        if r["exam_status"] in ("scheduled", "pending", "cancelled"):
            assert r["check_in_datetime"] is None


def test_only_completed_exams_have_a_report_and_a_physician(rows):
    for r in rows:
        completed = r["exam_status"] == "completed"
        assert (r["report_certification_datetime"] is not None) == completed
        assert (r["certified_physician"] is not None) == completed


def test_names_come_in_latin_and_chinese_script(rows):
    names = [r["patient_name"] for r in rows]
    chinese = [n for n in names if CHINESE.search(n)]
    latin = [n for n in names if re.search(r"[A-Za-z]", n)]
    assert len(chinese) + len(latin) == ROWS
    assert 0.2 < len(chinese) / ROWS < 0.45
    assert any(re.search(r"[äöüßéèçñíóúá]", n) for n in latin)  # accents and umlauts survive


def test_several_modalities_and_statuses_appear(rows):
    sources = Counter(r["exam_source"] for r in rows)
    statuses = Counter(r["exam_status"] for r in rows)
    assert {"CT", "MRI", "X-ray", "US", "MG"} <= set(sources)
    assert sources.most_common(3)[0][0] in ("CT", "X-ray", "US")
    assert {"completed", "pending", "scheduled", "cancelled"} <= set(statuses)
    assert statuses.most_common(1)[0][0] == "completed"
    assert len({r["exam_item"] for r in rows}) >= 15


def test_ages_are_between_0_and_99_or_unknown(rows):
    ages = [r["patient_age"] for r in rows]
    assert all(a is None or 0 <= a <= 99 for a in ages)
    assert None in ages


def test_genders_are_mostly_m_or_f_with_a_few_unknown(rows):
    genders = Counter(r["patient_gender"] for r in rows)
    assert set(genders) <= {"M", "F", "U", None}
    assert genders["M"] + genders["F"] > 0.9 * ROWS
    assert genders["U"] and genders[None]


def test_a_medical_record_number_always_has_the_same_name_and_gender(rows):
    seen = {}
    for r in rows:
        patient = (r["patient_name"], r["patient_gender"])
        assert seen.setdefault(r["medical_record_no"], patient) == patient
    assert len(seen) < ROWS / 2  # patients come back for several exams


def test_orders_fall_in_clinic_hours_mostly_on_weekdays(rows):
    ordered = [r["order_datetime"] for r in rows]
    assert all(7 <= t.hour < 20 for t in ordered)
    assert sum(t.weekday() < 5 for t in ordered) > 0.9 * ROWS
    assert (max(ordered) - min(ordered)).days > 2 * 365
    assert any(t.microsecond for t in ordered)  # microseconds survive the round trip


def test_some_descriptions_are_missing_as_in_the_source(rows):
    descriptions = [r["exam_description"] for r in rows]
    assert None in descriptions
    assert sum(d is not None for d in descriptions) > ROWS / 2


def test_the_same_seed_writes_the_same_reports(tmp_path, reports):
    demo_data_write(path=tmp_path / "again.duckdb", rows=ROWS, seed=7)
    assert read_reports(tmp_path / "again.duckdb") == reports


def test_a_different_seed_writes_different_reports(tmp_path, reports):
    demo_data_write(path=tmp_path / "other.duckdb", rows=ROWS, seed=8)
    assert read_reports(tmp_path / "other.duckdb") != reports


def test_adding_the_reports_left_the_examinations_of_a_seed_unchanged(tmp_path, rows):
    demo_data_write(path=tmp_path / "alone.duckdb", rows=ROWS, seed=7, reports=False)
    assert read_rows(tmp_path / "alone.duckdb") == rows


def test_without_reports_the_file_has_no_reports_table(tmp_path):
    path = tmp_path / "alone.duckdb"
    assert demo_data_write(path=path, rows=ROWS, seed=7, reports=False) == DemoData(path, ROWS, 0)
    assert table_names(path) == ["medical_examinations_fact"]


def test_it_returns_the_number_of_reports_the_file_holds(tmp_path):
    path = tmp_path / "counted.duckdb"
    written = demo_data_write(path=path, rows=500, seed=5)
    assert written.reports == report_count(path) == len(read_reports(path)) > 0
    assert (written.path, written.examinations) == (path, len(read_rows(path)))


def test_without_reports_it_returns_no_reports(tmp_path):
    assert demo_data_write(path=tmp_path / "alone.duckdb", rows=300, seed=5, reports=False).reports == 0


def test_report_ids_are_unique_and_numbered(reports):
    ids = [r["report_id"] for r in reports]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"RP\d{9}", i) for i in ids)


def test_every_report_is_of_an_examination_except_a_few_orphans(reports, exams):
    orphans = [r for r in reports if r["exam_id"] not in exams]
    assert 1 <= len(orphans) <= 0.01 * len(reports)
    assert all(re.fullmatch(r"OLD-\d{6}", r["exam_id"]) for r in orphans)
    assert all(r["findings"] and r["radiologist"] in RADIOLOGISTS for r in orphans)


def test_two_hundred_rows_already_have_an_orphan(tmp_path):
    demo_data_write(path=tmp_path / "small.duckdb", rows=200, seed=3)
    exam_ids = {r["exam_id"] for r in read_rows(tmp_path / "small.duckdb")}
    assert [r for r in read_reports(tmp_path / "small.duckdb") if r["exam_id"] not in exam_ids]


def test_every_certified_exam_has_one_final_report_at_its_certification_time(reports, exams):
    finals = [r for r in reports if r["status"] == "final" and r["exam_id"] in exams]
    assert Counter(r["exam_id"] for r in finals) == Counter(
        e["exam_id"] for e in exams.values() if e["report_certification_datetime"] is not None)
    for r in finals:
        exam = exams[r["exam_id"]]
        assert r["created_at"] == exam["report_certification_datetime"]
        assert r["radiologist"] == exam["certified_physician"]


def test_amended_reports_come_later_and_keep_the_findings_they_amend(reports):
    final = {r["exam_id"]: r for r in reports if r["status"] == "final"}
    amended = [r for r in reports if r["status"] == "amended"]
    assert amended
    for r in amended:
        assert r["created_at"] > final[r["exam_id"]]["created_at"]
        assert r["findings"].startswith(final[r["exam_id"]]["findings"])
        assert len(r["findings"]) > len(final[r["exam_id"]]["findings"])


def test_preliminary_reports_are_for_exams_under_way_or_pending(reports, exams):
    preliminary = [r for r in reports if r["status"] == "preliminary"]
    assert preliminary
    for r in preliminary:
        exam = exams[r["exam_id"]]
        assert exam["exam_status"] in ("in_progress", "pending")
        assert r["radiologist"] in RADIOLOGISTS
        assert r["created_at"] > (exam["check_in_datetime"] or exam["order_datetime"])


def test_reports_are_mostly_final_with_some_preliminary_and_a_few_amended(reports):
    statuses = Counter(r["status"] for r in reports)
    assert set(statuses) == {"final", "preliminary", "amended"}
    assert statuses["final"] > 0.85 * len(reports)
    assert 0 < statuses["amended"] < 0.06 * len(reports)
    assert 0 < statuses["preliminary"] < 0.1 * len(reports)


def test_chest_findings_mention_nodules_with_sizes(chest_findings):
    sized = [s for f in chest_findings for s in sentences(f)
             if NODULE.search(s) and SIZE.search(s) and not NEGATION.search(s)]
    assert len(sized) > 0.1 * len(chest_findings)
    assert any(re.search(r"\d mm", s) for s in sized) and any(re.search(r"\d cm", s) for s in sized)
    assert any(re.search(r"\d,\d cm", s) for s in sized)  # a decimal comma, as in German
    assert any(CHINESE.search(s) for s in sized)
    assert any(len(SIZE.findall(s)) == 2 for s in sized)  # several nodules in one sentence


def test_chest_findings_also_mention_nodules_without_sizes_or_negated_or_not_at_all(chest_findings):
    mentions = [s for f in chest_findings for s in sentences(f) if NODULE.search(s)]
    assert any(not SIZE.search(s) and not NEGATION.search(s) for s in mentions)
    negated = [s for s in mentions if NEGATION.search(s)]
    assert len(negated) > 0.2 * len(chest_findings)
    assert any(s.startswith("No pulmonary nodules") for s in negated)
    assert any("未见" in s for s in negated)
    assert {"Kein", "Pas de", "Sin "} <= {m for s in negated for m in re.findall(r"^(?:Kein|Pas de|Sin )", s)}
    assert any(not NODULE.search(f) for f in chest_findings)


def test_lungs_are_spoken_of_only_in_chest_reports(reports, exams):
    lung = re.compile(r"\bpulmon|\blung|肺|Rundherd|lobe (?:supérieur|moyen|inférieur)", re.IGNORECASE)
    others = [r["findings"] for r in reports if r["exam_id"] in exams
              and exams[r["exam_id"]]["exam_item"] not in CHEST_ITEMS | {"CT pulmonary angiography"}]
    assert others
    assert not [f for f in others if lung.search(f)]


def test_findings_come_in_several_languages(reports):
    findings = [r["findings"] for r in reports]
    chinese = [f for f in findings if CHINESE.search(f)]
    english = [f for f in findings if f.isascii()]
    assert 0.15 < len(chinese) / len(findings) < 0.45
    assert len(english) > len(chinese)
    assert any(re.search(r"\b(?:Kein|Keine|unauffällig|beidseits)\b", f) for f in findings)
    assert any(re.search(r"\b(?:Pas de|Pas d'|sans particularité)", f) for f in findings)
    assert any(re.search(r"\b(?:Sin|sin alteraciones)\b", f) for f in findings)


def test_patients_with_chinese_names_mostly_get_chinese_findings(reports, exams):
    by_script = {True: [], False: []}
    for r in reports:
        if r["exam_id"] in exams:
            by_script[bool(CHINESE.search(exams[r["exam_id"]]["patient_name"]))].append(r["findings"])
    assert sum(bool(CHINESE.search(f)) for f in by_script[True]) > 0.6 * len(by_script[True])
    assert not any(CHINESE.search(f) for f in by_script[False])


def test_zero_rows_writes_empty_tables(tmp_path):
    path = tmp_path / "empty.duckdb"
    assert demo_data_write(path=path, rows=0) == DemoData(path, 0, 0)
    assert read_rows(path) == []
    assert read_reports(path) == []


def test_an_existing_file_is_kept_without_force(tmp_path):
    path = tmp_path / "source.duckdb"
    path.write_bytes(b"keep me")
    with pytest.raises(FileExistsError, match="--force") as raised:
        demo_data_write(path=path, rows=10)
    assert str(path) in str(raised.value)
    assert path.read_bytes() == b"keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["source.duckdb"]


def test_force_replaces_an_existing_file(tmp_path):
    path = tmp_path / "source.duckdb"
    path.write_bytes(b"old")
    assert demo_data_write(path=path, rows=10, force=True).examinations == 10
    assert len(read_rows(path)) == 10


def test_negative_rows_are_refused(tmp_path):
    with pytest.raises(ValueError, match="rows"):
        demo_data_write(path=tmp_path / "source.duckdb", rows=-1)
    assert list(tmp_path.iterdir()) == []


def test_a_missing_folder_is_refused(tmp_path):
    path = tmp_path / "missing" / "source.duckdb"
    with pytest.raises(FileNotFoundError, match="missing"):
        demo_data_write(path=path, rows=10)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_leaves_nothing_behind(tmp_path, monkeypatch):
    import server.demo.writer as writer

    original = writer.batches

    def interrupted(rows, seed):
        yield from original(rows, seed)
        raise KeyboardInterrupt

    monkeypatch.setattr(writer, "batches", interrupted)
    with pytest.raises(KeyboardInterrupt):
        demo_data_write(path=tmp_path / "source.duckdb", rows=10)
    assert list(tmp_path.iterdir()) == []
