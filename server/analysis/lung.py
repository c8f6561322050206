"""lung_nodule_detection: nodule mentions in the study's report findings."""

from __future__ import annotations

from server.analysis.base import AnalysisContext, AnalysisType
from server.analysis.errors import AnalysisError
from server.analysis.nodules import find_nodule_mentions, fleischner_2017
from server.reports.models import Report

DESCRIPTION = (
    "Reads the written findings of the study's reports, never the images. It lists every "
    "sentence that affirms a pulmonary nodule, in English, Chinese, German, French or Spanish, "
    "with the size the sentence states (the largest length in mm or cm, converted to mm); "
    "negated mentions such as \"no nodule\", \"without nodules\" or \"未见结节\" do not count. "
    "nodules_found is the number of such sentences. confidence is the share of them that state "
    "a size (null when there are none): a sentence without a size is a weaker basis for follow-up. "
    "The follow-up recommendation applies the Fleischner Society 2017 size thresholds for a single "
    "solid incidental nodule to the largest size found; it is a reading aid, not a diagnosis. "
    "A study without report findings fails with that reason rather than report zero nodules."
)

RESULT_FIELDS = (
    ("nodules_found", "number of sentences that affirm a nodule"),
    ("confidence", "share of those sentences that state a size, 0 to 1 (null when none)"),
    ("details", "each mention: report_id, sentence, size_mm (null when not stated), count "
                "(nodules the sentence states; null for an unstated number)"),
    ("largest_size_mm", "the largest size stated, or null"),
    ("recommendation", "Fleischner Society 2017 follow-up for the largest size (null without a size)"),
    ("reports_read", "how many reports with findings were read"),
)


def run(context: AnalysisContext) -> dict:
    reports = list(
        Report.objects.filter(study_id=context.study.exam_id)
        .exclude(findings__isnull=True)
        .order_by("created_at", "report_id")
        .values_list("report_id", "findings")
    )
    reports = [(report_id, findings) for report_id, findings in reports if findings.strip()]
    if not reports:
        raise AnalysisError(
            f"Study {context.study.exam_id!r} has no report findings to read; this analysis reads "
            "the text of reports, not images"
        )
    details = []
    for done, (report_id, findings) in enumerate(reports, start=1):
        for mention in find_nodule_mentions(findings):
            details.append({
                "report_id": report_id, "sentence": mention.sentence,
                "size_mm": mention.size_mm, "count": mention.count,
            })
        context.progress(10 + 80 * done // len(reports))
    sizes = [d["size_mm"] for d in details if d["size_mm"] is not None]
    largest = max(sizes) if sizes else None
    return {
        "nodules_found": len(details),
        "confidence": round(len(sizes) / len(details), 2) if details else None,
        "details": details,
        "largest_size_mm": largest,
        "recommendation": fleischner_2017(largest) if largest is not None else None,
        "reports_read": len(reports),
    }


LUNG_NODULE_DETECTION = AnalysisType(
    name="lung_nodule_detection", description=DESCRIPTION, result_fields=RESULT_FIELDS, run=run
)
