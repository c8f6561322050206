"""Writes of reports outside the importer (which writes in bulk with the same
report_derive): each stores the derived columns with the fields they come from."""

from __future__ import annotations

from server.reports.derive import report_derive
from server.reports.layout import REPORT_LAYOUT
from server.reports.models import Report


def _source_values(report: Report) -> dict:
    """The report's source columns by their source names (its exam_id is study_id here)."""
    return {name: report.study_id if name == "exam_id" else getattr(report, name) for name in REPORT_LAYOUT.names}


def report_create(**fields) -> Report:
    """Store a new report; fields are the model's (report_id at least; study_id for its exam)."""
    report = Report(**fields)
    for name, value in report_derive(values=_source_values(report)).items():
        setattr(report, name, value)
    report.save(force_insert=True)
    return report
