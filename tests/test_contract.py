"""The locked responses, compared byte for byte with committed fixtures.

The fixtures were written from the contract, not recorded from this server: a
difference of one byte (a space, a \\u escape, a key out of order, a "Z") fails.
"""

from pathlib import Path

import pytest

from tests.support.contract import fixture_bytes

pytestmark = pytest.mark.django_db

CONTRACT_CASES = [
    (
        "/api/v1/studies/search?q=zhang&exam_status=&exam_source=&exam_item=&page=1&page_size=20",
        200,
        "studies_search_example.json",
    ),
    ("/api/v1/studies/search", 200, "studies_search_all.json"),
    ("/api/v1/studies/search?page=5&page_size=2", 200, "studies_search_past_end.json"),
    ("/api/v1/studies/EXAM002", 200, "studies_detail.json"),
    ("/api/v1/studies/filters/options", 200, "studies_filters_options.json"),
    ("/api/v1/studies/NOPE", 404, "error_study_not_found.json"),
    ("/api/v1/studies/search?page=0", 400, "error_invalid_page.json"),
    ("/api/v1/reports/search", 200, "reports_search_all.json"),
    ("/api/v1/reports/RPT001", 200, "reports_detail.json"),
    ("/api/v1/reports/RPT003", 200, "reports_detail_orphan.json"),
    ("/api/v1/reports/NOPE", 404, "error_report_not_found.json"),
    ("/api/v1/studies/statistics", 200, "studies_statistics.json"),
    ("/api/v1/analysis/options", 200, "analysis_options.json"),
    ("/api/v1/analysis/tasks", 200, "analysis_tasks_list.json"),
    ("/api/v1/analysis/tasks/7", 200, "analysis_task_detail.json"),
    ("/api/v1/analysis/tasks/99", 404, "error_task_not_found.json"),
    ("/api/v1/analysis/statistics", 200, "analysis_statistics.json"),
]


@pytest.mark.parametrize("url,status,fixture", CONTRACT_CASES)
def test_response_bytes_equal_the_committed_fixture(api, contract_tasks, url, status, fixture):
    response = api.get(url)
    assert response.status_code == status
    assert response.content == fixture_bytes(fixture)


def test_responses_are_plain_application_json_as_fastapi_sent_them(api, contract_studies):
    response = api.get("/api/v1/studies/search")
    assert response["Content-Type"] == "application/json"


def test_an_unauthenticated_call_gets_the_documented_401(anon, contract_studies):
    response = anon.get("/api/v1/studies/search")
    assert response.status_code == 401
    assert response.content == fixture_bytes("error_not_authenticated.json")


def test_health_reports_version_database_count_and_linked_file(anon, contract_studies):
    from django.db import connection

    from server import __version__

    response = anon.get("/api/v1/health")
    assert response.status_code == 200
    name = connection.settings_dict["NAME"]
    if "postgresql" in _engine():
        where = f'"database":"postgresql","studies":3,"linked_source":null,"database_host":"127.0.0.1",' \
            f'"database_name":"{name}"'
    else:
        where = f'"database":"sqlite","studies":3,"linked_source":null,"database_host":null,' \
            f'"database_name":"{Path(name).name}"'
    assert response.content == f'{{"status":"ok","version":"{__version__}",{where},"warnings":[]}}'.encode()


def test_auth_me_names_the_local_owner(api):
    from server.core.auth import owner_username

    response = api.get("/api/v1/auth/me")
    assert response.status_code == 200
    assert response.content == (
        f'{{"user_id":1,"username":"{owner_username()}","email":null,"role":"owner"}}'.encode()
    )


def test_a_detail_has_exactly_the_ten_search_fields_in_order(api, contract_studies):
    search = api.get("/api/v1/studies/search?q=EXAM001").json()["data"][0]
    detail = api.get("/api/v1/studies/EXAM001").json()
    assert list(detail) == list(search) == [
        "exam_id", "patient_name", "patient_gender", "patient_age", "exam_status",
        "exam_source", "exam_item", "order_datetime", "check_in_datetime",
        "report_certification_datetime",
    ]
    assert detail == search


def _engine() -> str:
    from django.conf import settings

    return settings.DATABASES["default"]["ENGINE"]


def test_a_created_task_answers_201_with_the_documented_bytes(api, contract_studies):
    from server.analysis.models import AnalysisTask

    response = api.post(
        "/api/v1/analysis/tasks", {"exam_id": "EXAM001", "analysis_type": "turnaround_review"},
        content_type="application/json",
    )
    assert response.status_code == 201
    task = AnalysisTask.objects.get()
    expected = (
        fixture_bytes("analysis_task_created.json")
        .replace(b"__TASK_ID__", str(task.pk).encode())
        .replace(b"__CREATED_AT__", task.created_at.isoformat().encode())
    )
    assert response.content == expected


def test_deleting_a_task_answers_204_with_an_empty_body(api, contract_tasks):
    response = api.delete("/api/v1/analysis/tasks/8")
    assert response.status_code == 204 and response.content == b""
