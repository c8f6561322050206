from django.db import models

from server.clock import local_now
from server.core.records import SourceRecord, source_columns
from server.studies.layout import STUDY_LAYOUT


class Study(source_columns(STUDY_LAYOUT, module=__name__), SourceRecord):
    """One imaging examination: the 14 columns of the clinic's source table (their
    fields come from server/studies/layout.py), then what Imaging Desk derives from
    them (server/studies/derive.py) and keeps about them.

    Only exam_id and order_datetime are required: the source may leave anything else
    empty, and values are stored exactly as the source held them (never trimmed,
    never mapped to a fixed list of choices). Datetimes are naive local wall-clock time.
    """

    # The patient's name alone, folded, for the reports search; derived like search_text.
    name_text = models.TextField(default="", editable=False)
    # Turnaround in minutes, derived from the times above (null when one is missing),
    # so that statistics find medians and percentiles through an index.
    minutes_to_check_in = models.FloatField(null=True, editable=False)
    minutes_to_certification = models.FloatField(null=True, editable=False)
    minutes_order_to_certification = models.FloatField(null=True, editable=False)
    # The calendar day of order_datetime (YYYY-MM-DD), for the daily volume series.
    order_day = models.CharField(max_length=10, default="", editable=False)
    # When Imaging Desk first stored it (clinic wall-clock time).
    created_at = models.DateTimeField(default=local_now)
    # Its row in the text index (server/studies/search_index.py): a stable number,
    # given by the importer or by the index's trigger (SQLite; null on PostgreSQL).
    search_rowid = models.BigIntegerField(null=True, editable=False)

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
            models.Index(fields=["patient_name", "exam_id"], name="study_name_idx"),
            # A patient's other studies, newest first (the detail's "other studies").
            models.Index(fields=["medical_record_no", "-order_datetime", "exam_id"], name="study_patient_idx"),
            # Statistics count these groups by walking an index rather than the table.
            models.Index(fields=["patient_gender"], name="study_gender_idx"),
            models.Index(fields=["patient_age"], name="study_age_idx"),
            models.Index(fields=["certified_physician"], name="study_physician_idx"),
            models.Index(fields=["order_day"], name="study_day_idx"),
            models.Index(fields=["minutes_to_check_in"], name="study_wait_checkin_idx"),
            models.Index(fields=["minutes_to_certification"], name="study_wait_cert_idx"),
            models.Index(fields=["minutes_order_to_certification"], name="study_wait_total_idx"),
        ]
        constraints = [
            # A partial unique index: added without rebuilding the table, and kept
            # during bulk loads (the numbers only grow, so it is appended to).
            models.UniqueConstraint(
                fields=["search_rowid"], condition=models.Q(search_rowid__isnull=False), name="study_search_rowid_uniq"
            ),
        ]

    def __str__(self) -> str:
        return self.exam_id  # never the patient's name: this ends up in logs


class MatchedStudy(models.Model):
    """The few columns the clinic statistics read, copied from the studies a filter
    selects into a temporary table (per connection, for one request): the filter then
    costs one pass over the studies instead of one per statistic."""

    exam_id = models.TextField(primary_key=True)
    exam_status = models.TextField(null=True)
    exam_source = models.TextField(null=True)
    exam_item = models.TextField(null=True)
    patient_gender = models.TextField(null=True)
    patient_age = models.BigIntegerField(null=True)
    certified_physician = models.TextField(null=True)
    order_day = models.CharField(max_length=10)
    minutes_to_check_in = models.FloatField(null=True)
    minutes_to_certification = models.FloatField(null=True)
    minutes_order_to_certification = models.FloatField(null=True)

    class Meta:
        managed = False
        db_table = "stats_matched_study"


class StudyRollup(models.Model):
    """How many studies share a day, status, source, item and gender: the exact
    filters' counts without reading the studies. Kept by the database's triggers
    (server/studies/search_index.py, SQLite only)."""

    key = models.TextField(primary_key=True)
    order_day = models.TextField(null=True)
    exam_status = models.TextField(null=True)
    exam_source = models.TextField(null=True)
    exam_item = models.TextField(null=True)
    patient_gender = models.TextField(null=True)
    studies = models.BigIntegerField()

    class Meta:
        managed = False
        db_table = "study_rollup"
