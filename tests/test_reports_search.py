import datetime as dt

import pytest

from server.reports.services import report_create

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/reports/search"


def report_ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["report_id"] for row in response.json()["data"]]


@pytest.fixture
def reports(make_study):
    make_study("E1", patient_name="Émile Durand", exam_status="completed", exam_item="Chest CT")
    make_study("E2", patient_name="李娜", exam_status="pending", exam_item="Brain MRI")
    when = dt.datetime(2025, 3, 1, 9, 0)
    rows = [
        ("R1", "E1", "Nodule 6 mm, 100% solid.", "Dr. Chen", when, "final"),
        ("R2", "E1", "Follow_up advised.", "Dr. Müller", when, "amended"),
        ("R3", "E2", "未见明显结节。", "王医生", when + dt.timedelta(hours=1), "preliminary"),
        ("R4", "GONE", "Old report, back\\slash.", "Dr. Chen", when - dt.timedelta(days=1), "final"),
        ("R5", None, "No study at all.", None, None, "final"),
    ]
    for report_id, exam_id, findings, radiologist, created_at, status in rows:
        report_create(report_id=report_id, study_id=exam_id, findings=findings,
                      radiologist=radiologist, created_at=created_at, status=status)


def test_reports_come_newest_first_then_by_report_id_with_undated_ones_last(api, reports):
    assert report_ids(api.get(SEARCH)) == ["R3", "R1", "R2", "R4", "R5"]


def test_a_linked_report_shows_its_studys_patient_and_item(api, reports):
    row = api.get("/api/v1/reports/R3").json()
    assert (row["exam_id"], row["patient_name"], row["exam_item"]) == ("E2", "李娜", "Brain MRI")


@pytest.mark.parametrize("report_id,exam_id", [("R4", "GONE"), ("R5", None)])
def test_an_orphan_keeps_its_exam_id_and_shows_null_patient_and_item(api, reports, report_id, exam_id):
    row = api.get(f"/api/v1/reports/{report_id}").json()
    assert (row["exam_id"], row["patient_name"], row["exam_item"]) == (exam_id, None, None)


@pytest.mark.parametrize(
    "params,expected",
    [
        ({"q": "émile"}, ["R1", "R2"]),  # the linked study's patient name
        ({"q": "EMILE"}, []),  # folded, not accent-stripped
        ({"q": "ÉMILE DURAND"}, ["R1", "R2"]),
        ({"q": "李娜"}, ["R3"]),
        ({"q": "结节"}, ["R3"]),  # findings
        ({"q": "dr. chen"}, ["R1", "R4"]),  # radiologist
        ({"q": "müller"}, ["R2"]),
        ({"q": "r5"}, ["R5"]),  # report_id
        ({"q": "%"}, ["R1"]),
        ({"q": "_"}, ["R2"]),
        ({"q": "\\"}, ["R4"]),
        ({"status": "final"}, ["R1", "R4", "R5"]),
        ({"status": "Final"}, []),
        ({"exam_status": "pending"}, ["R3"]),
        ({"exam_status": "completed", "status": "amended"}, ["R2"]),
        ({"exam_status": "completed", "q": "nodule"}, ["R1"]),
        ({"status": ""}, ["R1", "R2", "R3", "R4", "R5"]),
    ],
)
def test_reports_filter_by_q_status_and_the_studys_status(api, reports, params, expected):
    assert sorted(report_ids(api.get(SEARCH, params))) == expected


def test_the_status_filter_options_are_every_report_status_sorted(api, reports):
    report_create(report_id="R6", status="")
    body = api.get(SEARCH, {"status": "amended"}).json()
    assert body["filters"] == {"statuses": ["amended", "final", "preliminary"]}
    assert body["total"] == 1


def test_walking_every_page_yields_each_report_once(api, make_study):
    make_study("E1", patient_name="Needle")
    when = dt.datetime(2025, 1, 1)
    for i in range(45):
        report_create(report_id=f"R{(i * 7) % 45:02d}", study_id="E1" if i % 2 else "X",
                      findings="needle" if i % 3 else "hay", created_at=when + dt.timedelta(hours=i % 5))
    for q in ("", "needle"):
        seen, page = [], 1
        while ids := report_ids(api.get(SEARCH, {"q": q, "page": page, "page_size": 4})):
            seen.extend(ids)
            page += 1
        assert len(seen) == len(set(seen)) == api.get(SEARCH, {"q": q}).json()["total"]


@pytest.mark.parametrize(
    "url,parameter",
    [
        (f"{SEARCH}?page=0", "page"),
        (f"{SEARCH}?page_size=1001", "page_size"),
        (f"{SEARCH}?q=%00", "q"),
        (f"{SEARCH}?status=a&status=b", "status"),
        (f"{SEARCH}?exam_status=%00", "exam_status"),
        ("/api/v1/reports/a%00b", "report_id"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(api, url, parameter):
    response = api.get(url)
    assert response.status_code == 400
    assert response.json()["detail"].startswith(f"Invalid parameter: {parameter} ")


def test_reports_need_credentials(anon):
    assert anon.get(SEARCH).status_code == 401
    assert anon.get("/api/v1/reports/R1").status_code == 401
