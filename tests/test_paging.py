"""The page envelope (server/core/paging.py), and every paged endpoint answering with it."""

import pytest

from server.core.paging import page_envelope
from server.imports.models import ImportRun, QuarantinedRow

LAST_PAGE_PARAMETER = 10**18 - 1  # the largest page the parameter takes: its OFFSET is past 2**63


@pytest.mark.parametrize(
    "total,page,page_size,window",
    [
        (0, 1, 20, None),
        (1, 1, 20, slice(0, 20)),
        (45, 3, 20, slice(40, 60)),
        (40, 3, 20, None),
        (41, 3, 20, slice(40, 60)),
        (5, LAST_PAGE_PARAMETER, 1000, None),
    ],
)
def test_the_rows_are_read_only_for_a_page_that_has_some(total, page, page_size, window):
    asked = []
    envelope = page_envelope(total=total, page=page, page_size=page_size, rows=lambda w: asked.append(w) or ["row"])
    assert list(envelope) == ["data", "total", "page", "page_size"]
    assert envelope["total"] == total and envelope["page"] == page and envelope["page_size"] == page_size
    assert asked == ([] if window is None else [window])
    assert envelope["data"] == ([] if window is None else ["row"])


@pytest.fixture
def one_of_everything(make_study):
    from server.analysis.models import AnalysisTask
    from server.reports.services import report_create

    make_study("E1")
    report_create(report_id="R1", study_id="E1", findings="Normal.")
    AnalysisTask.objects.create(study_id="E1", analysis_type="turnaround_review", status="completed")
    run = ImportRun.objects.create(source_path="/a.duckdb", state="done")
    QuarantinedRow.objects.create(run=run, source_table="medical_examinations_fact", source_row=1, reason="x", raw={})
    return run


PAGED = ["studies/search", "reports/search", "analysis/tasks", "import/history", "import/jobs/{run}/issues"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGED)
def test_every_paged_endpoint_answers_an_empty_page_far_past_the_end(api, one_of_everything, path):
    url = "/api/v1/" + path.format(run=one_of_everything.pk)
    assert api.get(url).json()["total"] == 1
    response = api.get(url, {"page": LAST_PAGE_PARAMETER, "page_size": 1000})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["data"] == [] and body["total"] == 1 and body["page"] == LAST_PAGE_PARAMETER
