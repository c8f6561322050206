import datetime as dt

import pytest

from server.studies.services import study_update

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/studies/search"


def exam_ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["exam_id"] for row in response.json()["data"]]


def test_walking_every_page_yields_each_study_once_in_contract_order(api, make_study):
    same_time = dt.datetime(2025, 3, 1, 9, 0)
    for i in range(40):  # many ties: only exam_id can order them
        make_study(f"T{(i * 7) % 40:03d}", order_datetime=same_time)
    for i in range(17):
        make_study(f"E{i:03d}", order_datetime=same_time + dt.timedelta(minutes=i - 8))

    seen = []
    page = 1
    while ids := exam_ids(api.get(SEARCH, {"page": page, "page_size": 7})):
        seen.extend(ids)
        page += 1

    from server.studies.models import Study

    studies = Study.objects.all()
    expected = [
        s.exam_id
        for s in sorted(studies, key=lambda s: (-s.order_datetime.timestamp(), s.exam_id))
    ]
    assert seen == expected
    assert len(seen) == len(set(seen)) == 57


def test_a_page_past_the_end_is_empty_but_keeps_the_true_total(api, make_study):
    make_study("A1")
    make_study("A2")
    body = api.get(SEARCH, {"page": 3, "page_size": 1}).json()
    assert body["data"] == [] and body["total"] == 2 and body["page"] == 3


def test_a_very_large_page_number_is_just_past_the_end(api, make_study):
    make_study("A1")
    body = api.get(SEARCH, {"page": 10**17, "page_size": 1000}).json()
    assert body["data"] == [] and body["total"] == 1


@pytest.mark.parametrize(
    "q,expected",
    [
        ("%", ["PCT"]),
        ("_", ["UND"]),
        ("\\", ["BSL"]),
        ("100%", ["PCT"]),
        ("a_b", ["UND"]),
        ("a\\b", ["BSL"]),
        ("a%b", []),  # % is not a wildcard
        ("a_", ["UND"]),
        ("", ["BSL", "PCT", "PLN", "UND"]),
    ],
)
def test_percent_underscore_and_backslash_in_q_are_literal(api, make_study, q, expected):
    make_study("PCT", patient_name="100% sure")
    make_study("UND", patient_name="a_b")
    make_study("BSL", patient_name="a\\b")
    make_study("PLN", patient_name="axb plain")
    assert sorted(exam_ids(api.get(SEARCH, {"q": q}))) == expected


@pytest.mark.parametrize(
    "stored,q",
    [
        ("Émile Durand", "émile"),
        ("émile durand", "ÉMILE"),
        ("ÇAĞLAR Öztürk", "çağlar öztürk"),
        ("Иванов Пётр", "ИВАНОВ ПЁТР"),
        ("Σοφία Παπαδοπούλου", "ΣΟΦΊΑ"),
        ("ΟΔΥΣΣΕΥΣ", "οδυσσευς"),  # final sigma
        ("Straße", "STRASSE"),
        ("李娜", "李"),
        ("ZHANG wei", "zhang WEI"),
    ],
)
def test_q_is_case_insensitive_in_any_script(api, make_study, stored, q):
    make_study("HIT", patient_name=stored)
    make_study("MISS", patient_name="Someone Else")
    assert exam_ids(api.get(SEARCH, {"q": q})) == ["HIT"]


def test_q_matches_composed_and_decomposed_accents_alike(api, make_study):
    make_study("NFD", patient_name="Rene\u0301")  # e + combining acute
    assert exam_ids(api.get(SEARCH, {"q": "RENÉ"})) == ["NFD"]


@pytest.mark.parametrize(
    "field,value",
    [
        ("patient_name", "Ingrid Bergman"),
        ("exam_description", "Follow-up for BERGMAN lesion"),
        ("exam_item", "Bergman protocol"),
        ("exam_id", "X-BERGMAN-1"),
        ("medical_record_no", "MRN-bergman"),
        ("application_order_no", "ORD/Bergman/7"),
    ],
)
def test_q_searches_each_field_staff_type(api, make_study, field, value):
    exam_id = value if field == "exam_id" else "HIT"
    make_study(exam_id, **({} if field == "exam_id" else {field: value}))
    make_study("MISS")
    assert exam_ids(api.get(SEARCH, {"q": "bergman"})) == [exam_id]


@pytest.mark.parametrize(
    "field", ["certified_physician", "exam_status", "exam_source", "patient_gender"]
)
def test_q_does_not_search_other_fields(api, make_study, field):
    make_study("S1", **{field: "Bergman"})
    assert exam_ids(api.get(SEARCH, {"q": "bergman"})) == []


def test_q_never_matches_across_two_fields(api, make_study):
    make_study("S1", patient_name="Ann", exam_item="Chest CT", exam_description=None)
    assert exam_ids(api.get(SEARCH, {"q": "annchest"})) == []
    assert exam_ids(api.get(SEARCH, {"q": "ann chest"})) == []


def test_search_follows_an_edited_study(api, make_study):
    study = make_study("S1", patient_name="Old Name")
    study_update(study=study, patient_name="New Name")
    assert exam_ids(api.get(SEARCH, {"q": "new name"})) == ["S1"]
    assert exam_ids(api.get(SEARCH, {"q": "old name"})) == []


@pytest.mark.parametrize(
    "params,expected",
    [
        ({"exam_status": "failed"}, ["S3"]),
        ({"exam_status": "scheduled"}, ["S4"]),
        ({"exam_status": "completed"}, ["S1", "S2"]),
        ({"exam_source": "MRI"}, ["S2"]),
        ({"exam_item": "Head CT"}, ["S3"]),
        ({"exam_item": " Head CT"}, ["S4"]),  # exact: leading space is part of the value
        ({"exam_status": "completed", "exam_source": "CT"}, ["S1"]),
        ({"exam_status": "completed", "q": "brain"}, ["S2"]),
        ({"exam_status": "Completed"}, []),  # exact, not case-folded
        ({"exam_status": ""}, ["S1", "S2", "S3", "S4"]),  # empty means all
        ({"exam_source": "PET"}, []),
    ],
)
def test_exact_filters_select_whatever_values_the_source_holds(api, make_study, params, expected):
    make_study("S1", exam_status="completed", exam_source="CT", exam_item="Chest CT")
    make_study("S2", exam_status="completed", exam_source="MRI", exam_item="Brain MRI")
    make_study("S3", exam_status="failed", exam_source="CT", exam_item="Head CT")
    make_study("S4", exam_status="scheduled", exam_source="X-ray", exam_item=" Head CT")
    assert sorted(exam_ids(api.get(SEARCH, params))) == expected


def test_filter_options_cover_all_studies_not_only_the_matches(api, make_study):
    make_study("S1", exam_status="completed", exam_source="CT", exam_item="Chest CT")
    make_study("S2", exam_status="failed", exam_source="MRI", exam_item="Brain MRI")
    body = api.get(SEARCH, {"exam_status": "failed"}).json()
    assert [row["exam_id"] for row in body["data"]] == ["S2"]
    assert body["filters"] == {
        "exam_statuses": ["completed", "failed"],
        "exam_sources": ["CT", "MRI"],
        "exam_items": ["Brain MRI", "Chest CT"],
    }


def test_filter_options_are_distinct_non_empty_and_sorted_by_code_point(api, make_study):
    for i, status in enumerate(["b", "B", "a", "É", "é", "", None, "b", "  ", "中"]):
        make_study(f"S{i}", exam_status=status)
    options = api.get("/api/v1/studies/filters/options").json()
    assert options["exam_statuses"] == ["  ", "B", "a", "b", "É", "é", "中"]


def test_values_come_back_exactly_as_stored(api, make_study):
    make_study(
        " E 1\t",
        patient_name="  Zhang\tWei  ",
        exam_status=" completed",
        order_datetime=dt.datetime(2025, 1, 2, 3, 4, 5, 6),
        check_in_datetime=dt.datetime(2025, 1, 2, 3, 4, 5),
    )
    row = api.get(SEARCH).json()["data"][0]
    assert row["exam_id"] == " E 1\t"
    assert row["patient_name"] == "  Zhang\tWei  "
    assert row["exam_status"] == " completed"
    assert row["order_datetime"] == "2025-01-02T03:04:05.000006"
    assert row["check_in_datetime"] == "2025-01-02T03:04:05"
    assert api.get("/api/v1/studies/%20E%201%09").json()["exam_id"] == " E 1\t"


def test_page_size_bounds_are_allowed(api, make_study):
    for i in range(3):
        make_study(f"S{i}")
    assert len(exam_ids(api.get(SEARCH, {"page_size": 1}))) == 1
    assert len(exam_ids(api.get(SEARCH, {"page_size": 1000}))) == 3


def test_walking_the_pages_of_a_q_search_yields_each_match_once_in_order(api, make_study):
    # 120 matches over 40 distinct times, 60 non-matches: early pages walk the order
    # index, later ones scan and sort (server.studies.filters.search_order); the
    # result must not show where one plan hands over to the other.
    base = dt.datetime(2025, 6, 1, 12, 0)
    for i in range(180):
        make_study(
            f"S{(i * 37) % 180:03d}",
            patient_name="Needle Person" if i % 3 else "Other",
            order_datetime=base - dt.timedelta(hours=(i * 7) % 40),
        )
    seen, page = [], 1
    while ids := exam_ids(api.get(SEARCH, {"q": "needle", "page": page, "page_size": 6})):
        seen.extend(ids)
        page += 1

    from server.studies.models import Study

    matches = Study.objects.filter(patient_name="Needle Person")
    expected = [
        s.exam_id for s in sorted(matches, key=lambda s: (-s.order_datetime.timestamp(), s.exam_id))
    ]
    assert seen == expected and len(seen) == 120
