"""The allowlisted query builders of the Studies search, tested directly."""

import pytest
from django.db.models import Q

from server.core.errors import InvalidParameter
from server.studies.filters import EXACT_FILTERS, exact_condition, text_needle


@pytest.mark.parametrize(
    "field,value,expected",
    [
        ("exam_status", "completed", Q(exam_status="completed")),
        ("exam_source", "X-ray", Q(exam_source="X-ray")),
        ("exam_item", " Chest CT ", Q(exam_item=" Chest CT ")),
        ("exam_status", "", None),
    ],
)
def test_exact_condition_compares_the_whole_value(field, value, expected):
    assert exact_condition(field, value) == expected


@pytest.mark.parametrize("field", ["patient_name", "search_text", "exam_status__in", "1=1; --"])
def test_exact_condition_refuses_fields_outside_the_allowlist(field):
    with pytest.raises(ValueError):
        exact_condition(field, "x")


def test_the_allowlist_is_the_three_contract_filters():
    assert EXACT_FILTERS == ("exam_status", "exam_source", "exam_item")


@pytest.mark.parametrize(
    "q,needle",
    [("", None), ("Zhang", "zhang"), ("%_\\", "%_\\"), ("ÉMILE", "émile"), (" a ", " a ")],
)
def test_text_needle_is_the_folded_query(q, needle):
    assert text_needle(q) == needle


def test_text_needle_refuses_the_field_separator():
    with pytest.raises(InvalidParameter, match="q must not contain"):
        text_needle("a\x1fb")


@pytest.mark.parametrize(
    "q,total,end,plan",
    [
        ("", 1_000_000, 20, "index"),  # no q: indexes serve every filter
        ("", 5, 20, "index"),
        ("zhang", 100_000, 20, "index"),  # dense matches: a page fills early in the index
        ("zhang", 200, 20, "index"),
        ("zhang", 199, 20, "scan"),
        ("ex00123456", 1, 20, "scan"),  # one match: never walk the whole index for it
        ("zhang", 100_000, 50_000, "scan"),  # a deep page
    ],
)
def test_search_order_walks_the_index_only_when_a_page_fills_early(q, total, end, plan):
    from server.studies.filters import SCAN_ORDER, SEARCH_ORDER, search_order

    assert search_order(q=q, total=total, end=end) == {"index": SEARCH_ORDER, "scan": SCAN_ORDER}[plan]
