"""turnaround_review against the clinic's own times (server/analysis/turnaround.py)."""

import datetime as dt
import math
import statistics

import pytest

from server.analysis.base import AnalysisContext
from server.analysis.turnaround import MIN_SAMPLE, TURNAROUND_REVIEW, clinic_interval

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2025, 3, 3, 8, 0)


def nearest_rank_p90(values):
    ordered = sorted(values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


@pytest.fixture
def ct_studies(make_study):
    """CT studies whose waits are known: check-in after 1..25 minutes, certification
    after 10, 20, ... minutes; MRI ones that must not count for CT."""
    waits = [(m, 10 * m) for m in range(1, 26)]
    for i, (check_in, certify) in enumerate(waits):
        make_study(f"CT{i:02d}", exam_source="CT", order_datetime=T0,
                   check_in_datetime=T0 + dt.timedelta(minutes=check_in),
                   report_certification_datetime=T0 + dt.timedelta(minutes=check_in + certify))
    make_study("CT-NO-CHECKIN", exam_source="CT", order_datetime=T0, check_in_datetime=None,
               report_certification_datetime=None)
    for i in range(5):
        make_study(f"MR{i}", exam_source="MRI", order_datetime=T0, check_in_datetime=T0 + dt.timedelta(hours=9),
                   report_certification_datetime=T0 + dt.timedelta(hours=30))
    return waits


def review(study):
    seen = []
    return TURNAROUND_REVIEW.run(AnalysisContext(study=study, progress=seen.append)), seen


def test_clinic_median_and_p90_are_computed_in_the_database_over_the_same_source(ct_studies):
    check_ins = [float(c) for c, _ in ct_studies]
    got = clinic_interval(exam_source="CT", column="minutes_to_check_in")
    assert got == {"sample_size": 25, "median": statistics.median(check_ins), "p90": nearest_rank_p90(check_ins)}
    certifications = [float(c) for _, c in ct_studies[:24]] + [250.0]
    got = clinic_interval(exam_source="CT", column="minutes_to_certification")
    assert got["median"] == statistics.median(certifications)
    assert got["p90"] == nearest_rank_p90(certifications)


def test_an_even_sample_takes_the_mean_of_the_middle_two(make_study):
    for i, minutes in enumerate([1, 2, 10, 30]):
        make_study(f"S{i}", exam_source="US", order_datetime=T0, check_in_datetime=T0 + dt.timedelta(minutes=minutes))
    got = clinic_interval(exam_source="US", column="minutes_to_check_in")
    assert got == {"sample_size": 4, "median": 6.0, "p90": 30.0}


def test_a_slow_study_is_flagged_on_the_interval_that_was_slow(ct_studies, make_study):
    study = make_study("SLOW", exam_source="CT", order_datetime=T0, check_in_datetime=T0 + dt.timedelta(minutes=5),
                       report_certification_datetime=T0 + dt.timedelta(minutes=5 + 600))
    results, progress = review(study)
    assert list(results) == ["exam_source", "order_to_check_in", "check_in_to_certification", "outliers"]
    assert results["exam_source"] == "CT"
    assert results["order_to_check_in"]["minutes"] == 5.0
    assert results["order_to_check_in"]["outlier"] is False
    slow = results["check_in_to_certification"]
    assert slow["minutes"] == 600.0 and slow["outlier"] is True
    assert slow["sample_size"] == 26  # the study itself counts among the clinic's
    assert results["outliers"] == ["check_in_to_certification"]
    assert progress == sorted(progress)


def test_a_missing_time_is_not_judged(ct_studies, make_study):
    study = make_study("OPEN", exam_source="CT", order_datetime=T0, check_in_datetime=None,
                       report_certification_datetime=None)
    results, _ = review(study)
    for interval in ("order_to_check_in", "check_in_to_certification"):
        assert results[interval]["minutes"] is None and results[interval]["outlier"] is None
    assert results["outliers"] == []


def test_too_few_comparable_studies_are_not_judged(make_study):
    study = make_study("PET1", exam_source="PET", order_datetime=T0, check_in_datetime=T0 + dt.timedelta(hours=5))
    for i in range(MIN_SAMPLE - 2):
        make_study(f"PET{i + 2}", exam_source="PET", order_datetime=T0, check_in_datetime=T0 + dt.timedelta(minutes=5))
    results, _ = review(study)
    assert results["order_to_check_in"]["sample_size"] == MIN_SAMPLE - 1
    assert results["order_to_check_in"]["outlier"] is None


def test_a_study_without_a_source_has_nothing_to_compare_with(make_study):
    study = make_study("NOSRC", exam_source=None, order_datetime=T0, check_in_datetime=T0 + dt.timedelta(minutes=3))
    results, _ = review(study)
    assert results["exam_source"] is None
    assert results["order_to_check_in"] == {"minutes": 3.0, "clinic_median": None, "clinic_p90": None,
                                            "sample_size": 0, "outlier": None}
