from django.db import models

from server.clock import local_now
from server.core.fields import OrderedJSONField

# The studies' counts of a finished run, kept as columns of its own (and in the report).
RUN_COUNTS = ("source_rows", "inserted", "updated", "unchanged", "duplicates", "quarantined", "not_in_source")


class ImportRun(models.Model):
    """One import of a DuckDB file (a job), kept as the import history.

    The row is written before the import's transaction, so a run the process did
    not survive shows as interrupted rather than vanishing; its final state and
    counts are written inside that transaction, so they commit with the data.
    """

    class State(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"
        CANCELLED = "cancelled"

    class Kind(models.TextChoices):
        IMPORT = "import"
        SYNC = "sync"  # of a linked source

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.IMPORT)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    source_path = models.TextField()
    source_size = models.BigIntegerField(null=True)
    source_sha256 = models.CharField(max_length=64, blank=True, default="")
    started_at = models.DateTimeField(default=local_now)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True, default="")

    source_rows = models.BigIntegerField(null=True)
    inserted = models.BigIntegerField(null=True)
    updated = models.BigIntegerField(null=True)
    unchanged = models.BigIntegerField(null=True)
    duplicates = models.BigIntegerField(null=True)
    quarantined = models.BigIntegerField(null=True)
    not_in_source = models.BigIntegerField(null=True)
    report = OrderedJSONField(null=True, blank=True)

    class Meta:
        db_table = "import_run"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"import {self.pk} ({self.state})"


class QuarantinedRow(models.Model):
    """A source row that could not be stored, kept verbatim with the reason."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="quarantined_rows")
    source_table = models.TextField()
    source_row = models.BigIntegerField(help_text="1-based position of the row in the source table")
    key = models.TextField(null=True, blank=True, help_text="the row's exam_id (or other key) as given")
    reason = models.TextField()
    raw = OrderedJSONField(help_text="every column of the source row, in source order")

    class Meta:
        db_table = "import_quarantine"
        ordering = ["run", "source_row"]
        indexes = [models.Index(fields=["run", "source_row"], name="quarantine_run_row_idx")]


class LinkedSource(models.Model):
    """The DuckDB file this installation follows, if any (at most one row)."""

    path = models.TextField()
    linked_at = models.DateTimeField(default=local_now)
    # What the file looked like when it was last synced; a change triggers a sync.
    synced_size = models.BigIntegerField(null=True)
    synced_mtime_ns = models.BigIntegerField(null=True)
    synced_sha256 = models.CharField(max_length=64, blank=True, default="")
    last_sync_at = models.DateTimeField(null=True)
    last_run = models.ForeignKey(ImportRun, null=True, on_delete=models.SET_NULL, related_name="+")
    # Why the last attempt did not sync (empty after a successful sync).
    last_error = models.TextField(blank=True, default="")

    class Meta:
        db_table = "linked_source"


class ImportProgress(models.Model):
    """How far a running import has come, for everyone who shares a PostgreSQL database:
    the importing process writes it (server/imports/progress.py) outside the import's
    transaction, which no one else can see into until it commits. On SQLite the same
    goes to a file in the data folder instead: there the import's transaction holds the
    one write lock, and a row could not be written beside it."""

    run_id = models.BigIntegerField(primary_key=True)
    phase = models.CharField(max_length=40)
    rows_done = models.BigIntegerField(default=0)
    rows_total = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(default=local_now)

    class Meta:
        db_table = "import_progress"
