"""What the OpenAPI document says that Django Ninja cannot derive from the code: how
datetimes are sent, which text the server refuses, and which errors each operation
can answer. A client generated from the document must accept every response the
server gives, and the document must not offer values the server refuses."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from ninja import Schema
from pydantic import WithJsonSchema

# The renderer (server/core/renderers.py) sends naive wall-clock time; JSON Schema's
# "date-time" is RFC 3339's, which requires an offset, so a strict client would
# refuse every one of them. Schemas annotate their datetimes with this instead.
LOCAL_DATETIME_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{6})?$"
LocalDateTime = Annotated[
    datetime,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": LOCAL_DATETIME_PATTERN,
            "description": "The clinic's local wall-clock time, naive: YYYY-MM-DDTHH:MM:SS, "
            "with .ffffff only when there are microseconds; never a Z or an offset",
            "examples": ["2025-11-06T10:30:00", "2025-11-07T09:05:12.250000"],
        }
    ),
]

# Text parameters may not contain NUL (server/core/params.py clean_text); a search's q
# may not contain U+001F either, the separator of the search index (server/core/text.py).
TEXT_PATTERN = r"^[^\x00]*$"
SEARCH_TEXT_PATTERN = r"^[^\x00\x1f]*$"
# A file name the client saves as: no control characters (no line breaks).
FILENAME_PATTERN = r"^[^\x00-\x1f\x7f]*$"
# An integer in a query has at most 18 digits (server/core/params.py parse_int).
QUERY_INTEGER_MAX = 10**18 - 1
# A date_from/date_to bound as parse_date_bound takes it: empty, a day, or a day and a
# time. A day the calendar lacks (2025-02-30) matches and is still refused with 400.
DATE_BOUND_PATTERN = (
    r"^([0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"([T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?)?)?$"
)


class ErrorOut(Schema):
    """The server's one error shape (server/core/responses.py); detail says what was wrong."""

    detail: str


ERROR_SCHEMA = "ErrorOut"
# Each error status, described once; an operation's own description of one (a 404's
# "Study not found") is kept.
ERRORS = {
    400: "Invalid parameter or body: the detail names it and its value",
    401: "Not authenticated: no token or session cookie, or a wrong token",
    403: "Refused: a cross-site request carrying the session cookie",
    404: "Not found: the detail says what",
    409: "Refused for now: an import is running, the file is still being written, or the job has ended",
    413: "The request body is larger than 2.5 MB",
    415: "The request body is not JSON (Content-Type: application/json)",
    503: "The database is busy or unavailable; try again shortly",
}
UNSAFE_METHODS = {"post", "put", "patch", "delete"}
METHODS = UNSAFE_METHODS | {"get", "head", "options"}


def operations(document: dict) -> dict[str, dict]:
    """Every operation of the document by "METHOD /path"."""
    return {
        f"{method.upper()} {path}": operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    }


def error_statuses(key: str, operation: dict, *, busy: set[str], without_database: set[str]) -> list[int]:
    """The error statuses an operation can answer, by the rules every route follows."""
    method = key.split(" ", 1)[0].lower()
    parameters = operation.get("parameters") or []
    has_body = "requestBody" in operation
    rules = {
        400: bool(parameters) or has_body,
        401: bool(operation.get("security")),
        403: method in UNSAFE_METHODS,
        404: any(p["in"] == "path" for p in parameters),
        409: key in busy,
        413: has_body,
        415: has_body,
        503: key not in without_database,
    }
    return [status for status, applies in rules.items() if applies]


def bound_parameters(document: dict) -> None:
    """Limits every parameter shares, said where the parameter says nothing more: text
    (path parameters too) refuses NUL, and a query's integers have at most 18 digits."""
    for operation in operations(document).values():
        for parameter in operation.get("parameters") or []:
            schema = parameter["schema"]
            target = schema.get("items", {}) if schema.get("type") == "array" else schema
            if target.get("type") == "string" and "pattern" not in target and "enum" not in target:
                target["pattern"] = TEXT_PATTERN
            if parameter["in"] == "query" and target.get("type") == "integer" and "maximum" not in target:
                target["maximum"] = QUERY_INTEGER_MAX


def declare_errors(document: dict, *, busy: set[str], without_database: set[str]) -> None:
    """Declare every operation's error responses with the one error schema.

    busy: operations that can be refused with 409 (an import under way, a job that has
    ended); without_database: those that never read it, so never answer 503. Both by
    "METHOD /path"; tests/test_openapi.py checks that each names an operation."""
    found = operations(document)
    document.setdefault("components", {}).setdefault("schemas", {})[ERROR_SCHEMA] = ErrorOut.model_json_schema()
    content = {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}}}
    for key, operation in found.items():
        responses = {str(status): response for status, response in operation.get("responses", {}).items()}
        # The rules' errors, and any an operation declares itself (a 404 "No DuckDB file
        # is linked" with no path parameter), all with the one error schema.
        declared = {int(status) for status in responses if int(status) >= 400}
        ruled = error_statuses(key, operation, busy=busy, without_database=without_database)
        for status in sorted({*ruled, *declared}):
            own: dict[str, Any] = responses.get(str(status), {})
            responses[str(status)] = {"description": own.get("description", ERRORS.get(status, "")), "content": content}
        operation["responses"] = dict(sorted(responses.items()))


def true_document(document: dict, *, busy: set[str], without_database: set[str]) -> dict:
    """The generated document, completed with what the code cannot tell Django Ninja."""
    bound_parameters(document)
    declare_errors(document, busy=busy, without_database=without_database)
    return document
