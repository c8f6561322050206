from django.db import models

from server.clock import local_now
from server.imports.models import ImportedRecord
from server.reports.search import report_search_text
from server.studies.models import Study


class Report(ImportedRecord):
    """A radiology report from the clinic's source `reports` table.

    exam_id is kept as the source gave it, whether or not such a study exists: a
    report whose study is missing (an orphan) is kept, never dropped, and shows
    null patient_name and exam_item.
    """

    report_id = models.TextField(primary_key=True)
    study = models.ForeignKey(
        Study,
        db_column="exam_id",
        db_constraint=False,  # orphans: the exam_id may name no stored study
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="reports",
        db_index=False,  # report_exam_idx below
    )
    findings = models.TextField(null=True, blank=True)
    radiologist = models.TextField(null=True, blank=True)
    created_at = models.DateTimeField(null=True, blank=True, help_text="as the source gave it")
    status = models.TextField(null=True, blank=True)

    # When Imaging Desk first stored it (the source has its own created_at).
    imported_at = models.DateTimeField(default=local_now)

    class Meta:
        db_table = "report"
        indexes = [
            models.Index(fields=["-created_at", "report_id"], name="report_order_idx"),
            models.Index(fields=["status", "-created_at", "report_id"], name="report_status_order_idx"),
            models.Index(fields=["study"], name="report_exam_idx"),
        ]

    def __str__(self) -> str:
        return self.report_id

    @staticmethod
    def derive(values) -> dict:
        return {"search_text": report_search_text(values)}
