from django.db import models

from server.clock import local_now
from server.core.fields import OrderedJSONField
from server.reports.search import report_search_text
from server.studies.models import Study


class Report(models.Model):
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
    )
    findings = models.TextField(null=True, blank=True)
    radiologist = models.TextField(null=True, blank=True)
    created_at = models.DateTimeField(null=True, blank=True, help_text="as the source gave it")
    status = models.TextField(null=True, blank=True)

    extra = OrderedJSONField(default=dict, blank=True)
    search_text = models.TextField(default="", editable=False)

    # When Imaging Desk stored and last changed the row (the source has its own created_at).
    imported_at = models.DateTimeField(default=local_now)
    updated_at = models.DateTimeField(default=local_now)
    first_import = models.ForeignKey(
        "imports.ImportRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_import = models.ForeignKey(
        "imports.ImportRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table = "report"
        indexes = [
            models.Index(fields=["-created_at", "report_id"], name="report_order_idx"),
            models.Index(fields=["status", "-created_at", "report_id"], name="report_status_order_idx"),
            models.Index(fields=["study"], name="report_exam_idx"),
        ]

    def __str__(self) -> str:
        return self.report_id

    def save(self, *args, **kwargs):
        self.search_text = report_search_text(
            {"report_id": self.report_id, "findings": self.findings, "radiologist": self.radiologist}
        )
        if not self._state.adding:
            self.updated_at = local_now()
        super().save(*args, **kwargs)
