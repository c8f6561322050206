"""Paging, defined once: the page and page_size parameters (PageQuery), the envelope
every paged endpoint answers with (PageOut: data, total, page, page_size, in that
order), and the function that fills it (page_envelope)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from ninja import Field, Schema
from pydantic import field_validator

from server.core.params import StrictQuery, parse_int

PAGE_SIZE_MAX = 1000
Row = TypeVar("Row")


class PageQuery(StrictQuery):
    """page and page_size, validated the same way on every paged endpoint."""

    page: int = Field(1, ge=1, description="Page number, from 1")
    page_size: int = Field(20, ge=1, le=PAGE_SIZE_MAX, description="Items per page, 1 to 1000")

    @field_validator("page", mode="before")
    @classmethod
    def _page(cls, value):
        return parse_int("page", value, minimum=1)

    @field_validator("page_size", mode="before")
    @classmethod
    def _page_size(cls, value):
        return parse_int("page_size", value, minimum=1, maximum=PAGE_SIZE_MAX)


class PageOut(Schema, Generic[Row]):
    """One page of rows; a search adds its own fields (its filter options) after these."""

    data: list[Row]
    total: int
    page: int
    page_size: int


def page_envelope(*, total: int, page: int, page_size: int, rows: Callable[[slice], list]) -> dict:
    """The page's envelope. rows(window) reads the page's rows, and is called only when
    the page has any: a page past the end never sends the database an absurd OFFSET
    (nor one past 2**63, which it cannot even take)."""
    start = (page - 1) * page_size
    window = slice(start, start + page_size)
    return {
        "data": rows(window) if window.start < total else [],
        "total": total,
        "page": page,
        "page_size": page_size,
    }
