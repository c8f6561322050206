"""Writes of reports outside the importer (which writes in bulk with the same
report_derive): each stores the derived columns with the fields they come from."""

from __future__ import annotations

from server.core.records import derive_fields
from server.reports.derive import report_derive
from server.reports.layout import REPORT_LAYOUT
from server.reports.models import Report


def report_create(**fields) -> Report:
    """Store a new report; fields are the model's (report_id at least; study_id for its exam)."""
    report = Report(**fields)
    derive_fields(report, layout=REPORT_LAYOUT, derive=report_derive, renamed={"exam_id": "study_id"})
    report.save(force_insert=True)
    return report
