"""Which automatic backups are kept: the last 7 daily and the last 4 weekly.

Exactly (the rule restic's `--keep-daily 7 --keep-weekly 4` follows):
- Only automatic backups ("daily" and "after-import") in the managed backups folder
  are ever deleted. Manual backups, before-restore backups, files without their
  record and anything in another folder (a USB drive chosen with --to) are kept
  until someone deletes them.
- Daily: the newest automatic backup of each of the 7 most recent calendar days
  that have one is kept (days without a backup, when the app did not run, do not
  count, so a pause never empties the folder).
- Weekly: the newest automatic backup of each of the 4 most recent ISO weeks
  (Monday to Sunday) that have one is kept. A backup can be both a day's and a
  week's: at most 11 are kept, usually 10.
- Every other automatic backup is deleted, after each new automatic backup.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

KEEP_DAILY = 7
KEEP_WEEKLY = 4
AUTOMATIC_KINDS = ("daily", "after-import")


@dataclass(frozen=True)
class Dated:
    name: str
    created_at: dt.datetime
    kind: str


def _newest_per(backups: list[Dated], period, count: int) -> set[str]:
    kept: dict[object, str] = {}
    for backup in backups:  # newest first
        key = period(backup.created_at)
        if key not in kept:
            if len(kept) == count:
                break
            kept[key] = backup.name
    return set(kept.values())


def retention_expired(backups: Iterable[Dated]) -> set[str]:
    """The names of the backups the rule above deletes."""
    automatic = sorted(
        (b for b in backups if b.kind in AUTOMATIC_KINDS), key=lambda b: (b.created_at, b.name), reverse=True
    )
    keep = _newest_per(automatic, lambda at: at.date(), KEEP_DAILY)
    keep |= _newest_per(automatic, lambda at: at.isocalendar()[:2], KEEP_WEEKLY)
    return {b.name for b in automatic} - keep
