from django.db import models

from server.clock import local_now
from server.core.records import SourceRecord, source_columns
from server.reports.layout import REPORT_LAYOUT
from server.studies.models import Study


class Report(source_columns(REPORT_LAYOUT, module=__name__, declared=("exam_id",)), SourceRecord):
    """A radiology report from the clinic's source `reports` table (its fields come
    from server/reports/layout.py; the search text is derived by server/reports/derive.py).

    exam_id is kept as the source gave it, whether or not such a study exists: a
    report whose study is missing (an orphan) is kept, never dropped, and shows
    null patient_name and exam_item.
    """

    # The source's exam_id column, as a link to the study for the searches' joins.
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
