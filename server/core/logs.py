"""Log lines that cannot be forged or flooded by what a client sends.

A request path is the client's text. Written as it came, `%0A` in it would start a
whole forged line of its own, and NUL bytes or a 100 KB path would land in the file
as they are. EscapingFormatter, which writes every line of server.log (settings.py
LOGGING), first cuts each argument of a message to ARG_LIMIT characters, so that
what follows a long path (its status) is still in the line, then escapes control
characters in the message. A traceback keeps its own line breaks, and only those.
"""

from __future__ import annotations

import copy
import logging
import numbers
import re
from collections.abc import Mapping

ARG_LIMIT = 300
MESSAGE_LIMIT = 2_000  # a message without arguments, or all of one with them

# C0 and C1 controls (NUL, \t, \n and \r among them), DEL, the Unicode line and
# paragraph separators, and lone surrogates (which the UTF-8 log file cannot hold).
# Backslashes stay as they are, so that Windows paths stay readable.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_UNSAFE_BUT_NEWLINE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(match: re.Match) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def log_escape(text: str, *, keep_newlines: bool = False) -> str:
    """text on one line (or, with keep_newlines, on its own lines only), every control
    character written as its escape."""
    return (_UNSAFE_BUT_NEWLINE if keep_newlines else _UNSAFE).sub(_escaped, text)


def log_cut(text: str, *, limit: int = ARG_LIMIT) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}…[{len(text) - limit:,} more characters]"


class _Cut:
    """An argument that is neither text nor a number, cut however it is formatted."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value

    def __str__(self) -> str:
        return log_cut(str(self.value))

    def __repr__(self) -> str:
        return log_cut(repr(self.value))


def _cut_arg(value: object) -> object:
    if isinstance(value, str):
        return log_cut(value)
    if value is None or isinstance(value, numbers.Number):
        return value  # %d and %.0f need the number itself
    return _Cut(value)


class EscapingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        record = copy.copy(record)  # any other handler gets the record as it came
        if isinstance(record.args, Mapping):
            record.args = {key: _cut_arg(value) for key, value in record.args.items()}
        elif record.args:
            record.args = tuple(_cut_arg(arg) for arg in record.args)
        record.msg = log_escape(log_cut(record.getMessage(), limit=MESSAGE_LIMIT))
        record.args = None
        if record.exc_info:
            record.exc_text = None  # formatted afresh, escaped, by formatException
        elif record.exc_text:
            record.exc_text = log_escape(record.exc_text, keep_newlines=True)
        return super().format(record)

    def formatException(self, ei) -> str:
        return log_escape(super().formatException(ei), keep_newlines=True)

    def formatStack(self, stack_info: str) -> str:
        return log_escape(super().formatStack(stack_info), keep_newlines=True)
