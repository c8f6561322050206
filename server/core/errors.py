"""Domain errors. Each maps to one HTTP status in server/api.py, in one place."""

from __future__ import annotations


class DomainError(Exception):
    status_code = 400

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InvalidParameter(DomainError):
    """A request parameter that cannot be used; the message names it and its value."""

    status_code = 400

    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"Invalid parameter: {name} {problem}")
        self.name = name


class NotFound(DomainError):
    status_code = 404

