"""Case-insensitive substring search in any script, the same on SQLite and PostgreSQL.

SQLite's LIKE folds only ASCII letters, so a model keeps a search_text column: its
searchable fields case-folded (Unicode casefold, NFC) in Python and joined by
U+001F. A folded q without U+001F can only match inside one field, and the match
is found with instr()/strpos() (the `instr` lookup), where `%`, `_` and `\\` are
ordinary characters.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping

from server.core.errors import InvalidParameter

SEPARATOR = "\x1f"


def fold(text: str) -> str:
    """Caseless form of text: É and é, Σ and ς, ß and ss compare equal."""
    if text.isascii():
        return text.lower()  # the same as below for ASCII, and most values are
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).casefold())


def folded_fields(values: Mapping[str, object], fields: Iterable[str]) -> str:
    """The search_text of a row: its searchable fields, folded, present ones only."""
    return SEPARATOR.join(fold(str(values[name])) for name in fields if values.get(name) is not None)


def text_needle(q: str) -> str | None:
    """The folded form of q to look for in a search_text, or None for an empty q."""
    if q == "":
        return None
    if SEPARATOR in q:
        raise InvalidParameter("q", "must not contain the control character U+001F")
    return fold(q)


# A spreadsheet reads a cell that begins with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_FIRST = frozenset("".join(FORMULA_STARTS))


def neutralise(value: str) -> str:
    """Text that a spreadsheet would take for a formula, made plain text (OWASP); every
    CSV the app writes passes its text cells through here."""
    return "'" + value if value[:1] in _FORMULA_FIRST else value
