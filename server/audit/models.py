from django.db import models

from server.clock import local_now
from server.core.fields import OrderedJSONField

# The table's and columns' names, which audit_carry_over (plain sqlite3) also uses.
AUDIT_TABLE = "audit_entry"
AUDIT_COLUMNS = ("uid", "at", "action", "user_name", "summary", "details")
# What an entry can record (no choices on the field: a new action needs no migration).
ACTIONS = ("import", "export", "analysis", "backup", "restore", "token_reset", "link", "unlink", "demo", "database")


class AuditEntry(models.Model):
    """One movement of patient data in or out (or of what guards it), kept for ever.

    Append-only: the database's own triggers refuse UPDATE and DELETE (migration
    0002), and no code path of the app asks for either.
    """

    # Unique across databases: a restore carries over entries by it (audit_carry_over).
    uid = models.CharField(max_length=32, unique=True)
    at = models.DateTimeField(default=local_now)
    action = models.CharField(max_length=20)  # one of ACTIONS
    user = models.CharField(max_length=200, db_column="user_name")
    summary = models.TextField()
    details = OrderedJSONField(default=dict)

    class Meta:
        db_table = AUDIT_TABLE
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["action", "id"], name="audit_action_idx"),
            models.Index(fields=["at"], name="audit_at_idx"),
        ]

    def __str__(self) -> str:
        return f"audit {self.pk} {self.action}"
