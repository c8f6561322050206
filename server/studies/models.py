from django.db import models

from server.clock import local_now
from server.core.fields import OrderedJSONField
from server.studies.search import name_text, search_text


class Study(models.Model):
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

    # Source columns the model does not name, so that an import never drops data.
    extra = OrderedJSONField(default=dict, blank=True)
    # Derived from the fields above by server.studies.search; never edited by hand.
    search_text = models.TextField(default="", editable=False)
    name_text = models.TextField(default="", editable=False)

    # Clinic wall-clock time, like every time the app shows.
    created_at = models.DateTimeField(default=local_now)
    updated_at = models.DateTimeField(default=local_now)
    # The import that first stored this study, and the one that last changed it.
    first_import = models.ForeignKey(
        "imports.ImportRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_import = models.ForeignKey(
        "imports.ImportRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

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

    def save(self, *args, **kwargs):
        self.search_text = search_text(self.__dict__)
        self.name_text = name_text(self.__dict__)
        if not self._state.adding:
            self.updated_at = local_now()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_text", "name_text", "updated_at"}
        super().save(*args, **kwargs)
