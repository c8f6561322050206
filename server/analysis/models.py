from django.db import models

from server.clock import local_now
from server.core.fields import OrderedJSONField
from server.studies.models import Study


class AnalysisTask(models.Model):
    """One analysis of one study, run in the background by the server's worker pool."""

    class Status(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        COMPLETED = "completed"
        FAILED = "failed"

    study = models.ForeignKey(Study, db_column="exam_id", on_delete=models.CASCADE, related_name="analysis_tasks")
    analysis_type = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    # What the analysis found (completed), or {"error": reason} (failed).
    results = OrderedJSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=local_now)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # The server (host and process) that runs it: at start, a server fails the
    # tasks its own predecessor on this PC left running.
    worker = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        db_table = "analysis_task"
        indexes = [models.Index(fields=["status", "-id"], name="analysis_status_idx")]

    def __str__(self) -> str:
        return f"task {self.pk} ({self.analysis_type}, {self.status})"
