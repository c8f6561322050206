from django.db import models

from server.clock import local_now
from server.imports.models import ImportedRecord
from server.studies.search import name_text, search_text


class Study(ImportedRecord):
    """One imaging examination, with the 14 columns of the clinic's source table.

    Only exam_id and order_datetime are required: the source may leave anything else
    empty, and values are stored exactly as the source held them (never trimmed,
    never mapped to a fixed list of choices). Datetimes are naive local wall-clock time.
    """

    exam_id = models.TextField(primary_key=True)
    medical_record_no = models.TextField(null=True, blank=True)
    application_order_no = models.TextField(null=True, blank=True)
    patient_name = models.TextField(null=True, blank=True)
    patient_gender = models.TextField(null=True, blank=True)
    patient_age = models.BigIntegerField(null=True, blank=True)
    exam_status = models.TextField(null=True, blank=True)
    exam_source = models.TextField(null=True, blank=True)
    exam_item = models.TextField(null=True, blank=True)
    exam_description = models.TextField(null=True, blank=True)
    order_datetime = models.DateTimeField()
    check_in_datetime = models.DateTimeField(null=True, blank=True)
    report_certification_datetime = models.DateTimeField(null=True, blank=True)
    certified_physician = models.TextField(null=True, blank=True)

    # The patient's name alone, folded, for the reports search; derived like search_text.
    name_text = models.TextField(default="", editable=False)
    # When Imaging Desk first stored it (clinic wall-clock time).
    created_at = models.DateTimeField(default=local_now)

    class Meta:
        db_table = "study"
        indexes = [
            # The search order (order_datetime desc, exam_id asc), unfiltered and per filter.
            models.Index(fields=["-order_datetime", "exam_id"], name="study_order_idx"),
            models.Index(
                fields=["exam_status", "-order_datetime", "exam_id"], name="study_status_order_idx"
            ),
            models.Index(
                fields=["exam_source", "-order_datetime", "exam_id"], name="study_source_order_idx"
            ),
            models.Index(
                fields=["exam_item", "-order_datetime", "exam_id"], name="study_item_order_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.exam_id  # never the patient's name: this ends up in logs

    @staticmethod
    def derive(values) -> dict:
        return {"search_text": search_text(values), "name_text": name_text(values)}
