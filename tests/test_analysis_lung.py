"""lung_nodule_detection on real studies and reports (server/analysis/lung.py)."""

import datetime as dt

import pytest

from server.analysis.base import AnalysisContext
from server.analysis.errors import AnalysisError
from server.analysis.lung import LUNG_NODULE_DETECTION
from server.reports.services import report_create

pytestmark = pytest.mark.django_db


def analyse(study) -> tuple[dict, list]:
    seen = []
    results = LUNG_NODULE_DETECTION.run(AnalysisContext(study=study, progress=seen.append))
    return results, seen


def add_report(report_id, exam_id, findings, hours=0):
    report_create(report_id=report_id, study_id=exam_id, findings=findings,
                  created_at=dt.datetime(2025, 1, 1) + dt.timedelta(hours=hours))


@pytest.mark.parametrize(
    "findings,found,sizes",
    [
        ("A 6 mm solid nodule in the right upper lobe.", 1, [6.0]),
        ("No pulmonary nodules.", 0, []),
        ("Lungs clear without nodules. Heart normal.", 0, []),
        ("左肺下叶见一约8mm实性结节。", 1, [8.0]),
        ("未见明显结节。", 0, []),
        ("Rundherd von 1,2 cm im linken Oberlappen.", 1, [12.0]),
        ("Kein Rundherd.", 0, []),
        ("Pas de nodule. Nodule de 4 mm du lobe inférieur droit.", 1, [4.0]),
        ("Sin nódulos pulmonares.", 0, []),
        ("Small nodular opacity in the lingula.", 1, [None]),
        ("No nodule in the left lung, but a 6 mm nodule in the right upper lobe.", 1, [6.0]),
        ("Two nodules, 4 mm and 7 mm, in the left lower lobe.", 1, [7.0]),
    ],
)
def test_each_affirmed_sentence_counts_with_its_stated_size(make_study, findings, found, sizes):
    study = make_study("E1")
    add_report("R1", "E1", findings)
    results, _ = analyse(study)
    assert results["nodules_found"] == found
    assert [d["size_mm"] for d in results["details"]] == sizes


def test_results_name_the_sentence_the_report_and_the_fleischner_follow_up(make_study):
    study = make_study("E1")
    add_report("R1", "E1", "A 5 mm nodule in the RUL. Lymph nodes normal.", hours=0)
    add_report("R2", "E1", "Since then a new 9 mm nodule in the LLL. Small nodular opacity in the lingula.", hours=1)
    add_report("R3", "OTHER", "A 30 mm nodule.")  # another study's report is not read
    results, progress = analyse(study)
    assert list(results) == [
        "nodules_found", "confidence", "details", "largest_size_mm", "recommendation", "reports_read",
    ]
    assert results["nodules_found"] == 3 and results["reports_read"] == 2
    assert results["details"][0] == {
        "report_id": "R1", "sentence": "A 5 mm nodule in the RUL", "size_mm": 5.0, "count": 1,
    }
    assert [d["report_id"] for d in results["details"]] == ["R1", "R2", "R2"]
    assert results["confidence"] == round(2 / 3, 2)
    assert results["largest_size_mm"] == 9.0
    recommendation = results["recommendation"]
    assert recommendation["guideline"] == "Fleischner Society 2017"
    assert recommendation["category"] == ">8 mm"
    assert progress == sorted(progress) and progress[-1] == 90


def test_no_mention_means_zero_nodules_and_no_confidence_or_recommendation(make_study):
    study = make_study("E1")
    add_report("R1", "E1", "No pulmonary nodules. 未见结节。")
    results, _ = analyse(study)
    assert (results["nodules_found"], results["confidence"], results["recommendation"]) == (0, None, None)
    assert results["details"] == [] and results["reports_read"] == 1


@pytest.mark.parametrize("reports", [[], [None], [""], ["   ", None]])
def test_a_study_without_report_findings_fails_with_the_reason(make_study, reports):
    study = make_study("E1")
    for i, findings in enumerate(reports):
        report_create(report_id=f"R{i}", study_id="E1", findings=findings)
    with pytest.raises(AnalysisError, match="has no report findings to read"):
        analyse(study)
