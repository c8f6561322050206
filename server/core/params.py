"""Strict parsing of request parameters, with errors that name the parameter and value.

Query strings are parsed here rather than by pydantic's lax coercion, which would
accept "1.0", " 2 " or "1_000" as integers: a client sending those has a bug it
should hear about.
"""

from __future__ import annotations

import datetime as dt
import re
import typing

from ninja import Schema
from pydantic import ValidationInfo, model_validator

from server.core.errors import InvalidParameter

_INTEGER = re.compile(r"-?[0-9]+", re.ASCII)
_MAX_DIGITS = 18  # anything longer overflows a 64-bit offset long before it means anything


def shown(raw: object, limit: int = 40) -> str:
    """A parameter value quoted for an error message, shortened if long."""
    text = str(raw)
    if len(text) > limit:
        text = text[:limit] + "…"
    return repr(text)


def parse_int(name: str, raw: object, *, minimum: int, maximum: int | None = None) -> int:
    if isinstance(raw, bool):
        raise InvalidParameter(name, f"must be an integer, got {shown(raw)}")
    if isinstance(raw, int):
        value = raw
    else:
        text = str(raw)
        if not _INTEGER.fullmatch(text):
            raise InvalidParameter(name, f"must be an integer, got {shown(text)}")
        if len(text.lstrip("-")) > _MAX_DIGITS:
            raise InvalidParameter(name, f"is too large, got {shown(text)}")
        value = int(text)
    if maximum is None:
        if value < minimum:
            raise InvalidParameter(name, f"must be > {minimum - 1}")
    elif not minimum <= value <= maximum:
        raise InvalidParameter(name, f"must be between {minimum} and {maximum}, got {value}")
    return value


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?", re.ASCII)


def parse_date_bound(name: str, raw: str, *, upper: bool) -> dt.datetime | None:
    """A day (`2025-11-06`) or a naive datetime (`2025-11-06T10:30`), as a bound.

    Both bounds are inclusive: a day as the upper bound means up to its end, so it
    comes back as the next midnight, to be compared with `<`; a datetime as the upper
    bound comes back one microsecond later, for the same `<`. Empty: no bound, and
    neither is an upper bound at the very end of 9999 (no time comes after it).
    """
    text = clean_text(name, raw)
    if text == "":
        return None
    try:
        if _DATE.fullmatch(text):
            value, step = dt.datetime.strptime(text, "%Y-%m-%d"), dt.timedelta(days=1)
        elif _DATETIME.fullmatch(text):
            value, step = dt.datetime.fromisoformat(text), dt.timedelta(microseconds=1)
        else:
            value = step = None
    except ValueError:
        value = step = None
    if value is not None:
        if not upper:
            return value
        try:
            return value + step
        except OverflowError:
            return None
    raise InvalidParameter(
        name, f"must be a date (YYYY-MM-DD) or a date and time (YYYY-MM-DDTHH:MM[:SS]), got {shown(text)}"
    )


def one_of(name: str, raw: object, allowed, *, empty: bool = False) -> str:
    """raw as text if it is one of the allowed values (or empty, when that means "all")."""
    value = clean_text(name, raw)
    if value not in allowed and not (empty and value == ""):
        raise InvalidParameter(name, f"must be one of {', '.join(allowed)}, got {shown(value)}")
    return value


def clean_text(name: str, raw: object) -> str:
    text = "" if raw is None else str(raw)
    if "\x00" in text:
        raise InvalidParameter(name, "must not contain NUL characters")
    try:
        # JSON's \ud800 escape decodes to a lone surrogate, which no database, file
        # name or response can store: refuse it here, before anything tries.
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidParameter(
            name,
            f"must be valid Unicode text, but character {exc.start + 1} is a lone surrogate "
            f"(U+{ord(text[exc.start]):04X}) that has no UTF-8 encoding",
        ) from None
    return text


FILENAME_MAX_CHARS = 1000


def clean_filename(raw: object) -> str:
    """The name (or path) an export is saved as, recorded in the audit trail: one line
    of text, so that an entry can never be made to look like two."""
    text = clean_text("filename", raw)
    if len(text) > FILENAME_MAX_CHARS:
        raise InvalidParameter("filename", f"must be at most {FILENAME_MAX_CHARS} characters, got {len(text)}")
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise InvalidParameter("filename", "must not contain control characters (such as line breaks)")
    return text


def _is_list(annotation: object) -> bool:
    return typing.get_origin(annotation) in (list, typing.List)


class StrictQuery(Schema):
    """Base for query-parameter schemas: a single-valued parameter given twice is an
    error rather than a silent choice of one of the values."""

    @model_validator(mode="before")
    @classmethod
    def _reject_repeated(cls, data: typing.Any, info: ValidationInfo) -> typing.Any:
        request = (info.context or {}).get("request")
        if request is not None:
            for name, field in cls.model_fields.items():
                if _is_list(field.annotation):
                    continue
                given = len(request.GET.getlist(field.alias or name))
                if given > 1:
                    raise InvalidParameter(name, f"was given {given} times; give it once")
        return data
