"""turnaround_review: a study's waiting times against the clinic's own."""

from __future__ import annotations

from django.db.models import DurationField, ExpressionWrapper, F

from server.analysis.base import AnalysisContext, AnalysisType
from server.studies.models import Study

# Fewer comparable studies than this, and a p90 says too little to flag anything.
MIN_SAMPLE = 10

INTERVALS = (
    ("order_to_check_in", "order_datetime", "check_in_datetime"),
    ("check_in_to_certification", "check_in_datetime", "report_certification_datetime"),
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


def _minutes(delta) -> float:
    return round(delta.total_seconds() / 60, 2)


def clinic_interval(*, exam_source: str, start: str, end: str) -> dict:
    """Median and p90 (nearest rank) of end - start over the source's studies, in the database."""
    durations = (
        Study.objects.filter(exam_source=exam_source, **{f"{start}__isnull": False, f"{end}__isnull": False})
        .annotate(duration=ExpressionWrapper(F(end) - F(start), output_field=DurationField()))
        .order_by("duration")
        .values_list("duration", flat=True)
    )
    n = durations.count()
    if n == 0:
        return {"sample_size": 0, "median": None, "p90": None}
    middle = list(durations[(n - 1) // 2 : n // 2 + 1])  # one value, or the two middle ones
    median = middle[0] if len(middle) == 1 else (middle[0] + middle[1]) / 2
    p90 = durations[max(0, -(-9 * n // 10) - 1)]  # nearest rank: the ceil(0.9 n)-th value
    return {"sample_size": n, "median": _minutes(median), "p90": _minutes(p90)}


def run(context: AnalysisContext) -> dict:
    study = context.study
    results = {"exam_source": study.exam_source}
    outliers = []
    for step, (name, start, end) in enumerate(INTERVALS, start=1):
        began, ended = getattr(study, start), getattr(study, end)
        minutes = _minutes(ended - began) if began is not None and ended is not None else None
        clinic = (
            clinic_interval(exam_source=study.exam_source, start=start, end=end)
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
