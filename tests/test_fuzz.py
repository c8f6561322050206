"""No input a client can send makes the server answer 500 or anything but JSON."""

from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

PARAMS = [
    "q", "exam_status", "exam_source", "exam_item", "status", "page", "page_size", "date_from", "date_to",
    "patient_age_min", "patient_age_max", "patient_gender", "sort", "format",
]

anything = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300
) | st.sampled_from(["0", "-1", "1", "1000", "1001", "9" * 30, "1.5", "", " ", "%", "_", "\\", "\x00", "\x1f"])

queries = st.lists(st.tuples(st.sampled_from(PARAMS + ["other"]), anything), max_size=8)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pairs=queries,
    endpoint=st.sampled_from(["studies/search", "reports/search", "studies/statistics", "studies/export"]),
)
def test_any_query_is_answered_200_or_a_400_naming_a_parameter(api, contract_reports, pairs, endpoint):
    response = api.get(f"/api/v1/{endpoint}?" + urlencode(pairs))
    assert response.status_code in (200, 400), response.content
    if response.status_code == 400:
        assert response.json()["detail"].startswith("Invalid parameter: ")
    elif endpoint == "studies/export":
        content = b"".join(response.streaming_content)
        assert content.startswith(b"\xef\xbb\xbfexam_id,") or content.startswith(b"PK")  # csv, or xlsx (a zip)
    else:
        body = response.json()
        assert "total" in body


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=anything, endpoint=st.sampled_from(["studies", "reports"]))
def test_any_exam_or_report_id_is_answered_200_404_or_400_with_json(api, contract_reports, key, endpoint):
    response = api.get(f"/api/v1/{endpoint}/" + quote(key, safe=""))
    assert response.status_code in (200, 400, 404), response.content
    assert "detail" in response.json() or key in response.json().values()
