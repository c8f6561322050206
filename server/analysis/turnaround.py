"""turnaround_review: a study's waiting times against the clinic's own."""

from __future__ import annotations

from server.analysis.base import AnalysisContext, AnalysisType
from server.studies.models import Study
from server.studies.statistics import turnaround_summary

# Fewer comparable studies than this, and a p90 says too little to flag anything.
MIN_SAMPLE = 10

# (result name, the study's stored minutes column)
INTERVALS = (
    ("order_to_check_in", "minutes_to_check_in"),
    ("check_in_to_certification", "minutes_to_certification"),
)

DESCRIPTION = (
    "Reads the study's order, check-in and report certification times and those of every "
    "study with the same exam_source. For each interval (order to check-in, check-in to "
    "certification) it gives the study's minutes, the clinic's median and 90th percentile "
    "(nearest rank) over the studies of that source that have both times, and flags the "
    f"interval as an outlier when it took longer than that 90th percentile. With fewer than "
    f"{MIN_SAMPLE} comparable studies, or a missing time, it does not judge (outlier null)."
)

RESULT_FIELDS = (
    ("exam_source", "the source the study is compared within"),
    ("order_to_check_in", "minutes, clinic_median, clinic_p90, sample_size, outlier"),
    ("check_in_to_certification", "minutes, clinic_median, clinic_p90, sample_size, outlier"),
    ("outliers", "the intervals that took longer than the clinic's 90th percentile"),
)


def clinic_interval(*, exam_source: str, column: str) -> dict:
    """Median and p90 (nearest rank) of a turnaround column over the source's studies,
    computed by the database (the clinic statistics' own summary)."""
    summary = turnaround_summary(Study.objects.filter(exam_source=exam_source), column)
    return {"sample_size": summary["count"], "median": summary["median"], "p90": summary["p90"]}


def run(context: AnalysisContext) -> dict:
    study = context.study
    results = {"exam_source": study.exam_source}
    outliers = []
    for step, (name, column) in enumerate(INTERVALS, start=1):
        minutes = getattr(study, column)
        minutes = None if minutes is None else round(minutes, 2)
        clinic = (
            clinic_interval(exam_source=study.exam_source, column=column)
            if study.exam_source is not None
            else {"sample_size": 0, "median": None, "p90": None}
        )
        judged = minutes is not None and clinic["sample_size"] >= MIN_SAMPLE
        outlier = (minutes > clinic["p90"]) if judged else None
        results[name] = {
            "minutes": minutes, "clinic_median": clinic["median"], "clinic_p90": clinic["p90"],
            "sample_size": clinic["sample_size"], "outlier": outlier,
        }
        if outlier:
            outliers.append(name)
        context.progress(10 + 80 * step // len(INTERVALS))
    results["outliers"] = outliers
    return results


TURNAROUND_REVIEW = AnalysisType(
    name="turnaround_review", description=DESCRIPTION, result_fields=RESULT_FIELDS, run=run
)
