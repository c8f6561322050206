"""Source values to stored values, exactly, or a reason why not.

Each parser returns the value to store, or raises Unstorable with a reason that
names the column and quotes the value. Nothing is guessed: a value that cannot be
stored as it is sends its row to quarantine.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import math
import re
import uuid
from typing import Any

from server.clock import to_local
from server.core.layout import DATETIME, INTEGER, TEXT

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

_DATETIME_TEXT = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?",
    re.ASCII,
)
_INTEGER_TEXT = re.compile(r"[+-]?[0-9]+", re.ASCII)


class Unstorable(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def quoted(value: Any, limit: int = 60) -> str:
    text = value if isinstance(value, str) else str(json_safe(value))
    if len(text) > limit:
        text = text[:limit] + "…"
    return repr(text)


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def to_text(column: str, value: Any) -> str | None:
    if type(value) is str and "\x00" not in value:  # the common case, first
        return value
    if value is None:
        return None
    if isinstance(value, str):
        text = value
    elif isinstance(value, (bytes, bytearray, memoryview)):
        raise Unstorable(f"{column} holds binary data, not text")
    elif isinstance(value, (dt.datetime, dt.date, dt.time)):
        text = value.isoformat()
    else:
        text = str(value)
    if "\x00" in text:
        raise Unstorable(f"{column} contains a NUL character (U+0000), which cannot be stored")
    return text


def to_integer(column: str, value: Any) -> int | None:
    if type(value) is int and INT64_MIN <= value <= INT64_MAX:  # the common case, first
        return value
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise Unstorable(f"{column} is not a whole number: {quoted(value)}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, (float, decimal.Decimal)):
        if not (math.isfinite(value) and value == int(value)):
            raise Unstorable(f"{column} is not a whole number: {quoted(value)}")
        number = int(value)
    elif isinstance(value, str) and _INTEGER_TEXT.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        raise Unstorable(f"{column} is not a whole number: {quoted(value)}")
    if not INT64_MIN <= number <= INT64_MAX:
        raise Unstorable(f"{column} is out of range: {quoted(value)}")
    return number


def parse_datetime_text(text: str) -> dt.datetime:
    """ISO forms: `2025-11-06`, `2025-11-06 10:30`, `2025-11-06T10:30:00.123456`,
    optionally with `Z` or an offset (converted to the clinic's wall-clock time)."""
    match = _DATETIME_TEXT.fullmatch(text.strip())
    if not match:
        raise ValueError("not an ISO date and time")
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    microsecond = 0
    if fraction:
        digits = fraction.ljust(9, "0")
        if digits[6:] != "000":
            raise ValueError("finer than a microsecond")
        microsecond = int(digits[:6])
    tz = None
    if offset:
        if offset == "Z":
            tz = dt.timezone.utc
        else:
            sign = -1 if offset[0] == "-" else 1
            hh, mm = int(offset[1:3]), int(offset[-2:]) if len(offset) > 3 else 0
            tz = dt.timezone(sign * dt.timedelta(hours=hh, minutes=mm))
    value = dt.datetime(
        int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0),
        microsecond, tzinfo=tz,
    )
    return to_local(value)


def to_datetime(column: str, value: Any) -> dt.datetime | None:
    if type(value) is dt.datetime and value.tzinfo is None:  # the common case, first
        return value
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return to_local(value)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        try:
            return parse_datetime_text(value)
        except (ValueError, OverflowError) as exc:
            raise Unstorable(f"{column} is not a valid date and time ({exc}): {quoted(value)}") from None
    raise Unstorable(f"{column} is not a date and time: {quoted(value)}")


def json_safe(value: Any) -> Any:
    """A JSON value that holds the source value without loss, for `extra` and for
    quarantined rows. Exact numbers stay exact: decimals become their text."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"base64": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [json_safe(v) for v in value]
    return str(value)


PARSERS = {TEXT: to_text, INTEGER: to_integer, DATETIME: to_datetime}
