"""Terminal output of the import command: a progress bar and a summary."""

from __future__ import annotations

import time
from typing import TextIO

PHASES = {
    "checking": "Checking",
    "importing": "Importing",
    "indexing": "Indexing",
    "verifying": "Verifying",
    "committing": "Committing",
    "done": "Done",
}


class ProgressBar:
    """A one-line bar on a terminal; silent when the stream is not one (a pipe, a log)."""

    def __init__(self, stream: TextIO | None, width: int = 30) -> None:
        self.stream = stream
        self.active = stream is not None and stream.isatty()
        self.width = width
        self.last = 0.0

    def update(self, phase: str, done: int, total: int) -> None:
        if not self.active:
            return
        now = time.monotonic()
        if phase == "importing" and now - self.last < 0.1 and done < total:
            return
        self.last = now
        label = PHASES.get(phase, phase)
        if total:
            filled = int(self.width * done / total)
            bar = "#" * filled + "." * (self.width - filled)
            text = f"{label:<10} [{bar}] {100 * done // total:3d}% {done:,}/{total:,} rows"
        else:
            text = f"{label}…"
        self.stream.write("\r" + text.ljust(79))
        self.stream.flush()

    def clear(self) -> None:
        if self.active:
            self.stream.write("\r" + " " * 79 + "\r")
            self.stream.flush()


def print_summary(out: TextIO, path: str, report: dict, *, issues_shown: int = 20) -> None:
    lines = [f"Imported {path} in {report['duration_s']:.1f} s"]
    for label, key in (
        ("source rows", "source_rows"), ("inserted", "inserted"), ("updated", "updated"),
        ("unchanged", "unchanged"), ("duplicates", "duplicates"), ("quarantined", "quarantined"),
        ("not in source", "not_in_source"),
    ):
        lines.append(f"  {label:<14}{report[key]:>12,}")
    if report["ignored_columns"]:
        lines.append(
            "  other columns, kept in each study's extra: " + ", ".join(report["ignored_columns"])
        )
    issues = report["issues"]
    if issues:
        lines.append(f"Quarantined rows (first {min(len(issues), issues_shown)} of {report['quarantined']:,}):")
        for issue in issues[:issues_shown]:
            lines.append(f"  row {issue['source_row']}, exam_id {issue['exam_id']!r}: {issue['reason']}")
    print("\n".join(lines), file=out)
