"""Case-insensitive substring search in any script, the same on SQLite and PostgreSQL.

SQLite's LIKE folds only ASCII letters, so `q` is matched against `search_text`,
a column holding the searchable fields case-folded (Unicode casefold, NFC) in
Python, joined by U+001F. A folded `q` without U+001F can only match inside one
field, and the match is found with instr()/strpos(), where `%`, `_` and `\\` are
ordinary characters.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

SEARCH_FIELDS = (
    "exam_id",
    "medical_record_no",
    "application_order_no",
    "patient_name",
    "exam_item",
    "exam_description",
)
SEPARATOR = "\x1f"


def fold(text: str) -> str:
    """Caseless form of text: É and é, Σ and ς, ß and ss compare equal."""
    if text.isascii():
        return text.lower()  # the same as below for ASCII, and most values are
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).casefold())


def search_text(values: Mapping[str, object]) -> str:
    """The search_text column for a study given its field values."""
    return SEPARATOR.join(
        fold(str(values[name])) for name in SEARCH_FIELDS if values.get(name) is not None
    )
