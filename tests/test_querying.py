"""The allowlisted query builders behind the searches, tested directly."""

import pytest
from django.db.models import Q

from server.core.errors import InvalidParameter
from server.core.querying import choose_order, exact_conditions
from server.core.text import text_needle
from server.studies.filters import EXACT_FILTERS, SORTS, search_order

ALLOWED = {"exam_status": "exam_status", "exam_source": "exam_source", "exam_item": "exam_item",
           "exam_status_of_study": "study__exam_status"}


@pytest.mark.parametrize(
    "values,expected",
    [
        ({"exam_status": "completed"}, [Q(exam_status="completed")]),
        ({"exam_source": "X-ray"}, [Q(exam_source="X-ray")]),
        ({"exam_item": " Chest CT "}, [Q(exam_item=" Chest CT ")]),
        ({"exam_status": ""}, []),
        ({"exam_status": "a", "exam_source": "b"}, [Q(exam_status="a"), Q(exam_source="b")]),
        ({"exam_status_of_study": "failed"}, [Q(study__exam_status="failed")]),
    ],
)
def test_exact_conditions_compare_the_whole_value_of_allowlisted_fields(values, expected):
    assert exact_conditions(ALLOWED, values) == expected


@pytest.mark.parametrize("parameter", ["patient_name", "search_text", "exam_status__in", "1=1; --"])
def test_exact_conditions_refuse_parameters_outside_the_allowlist(parameter):
    with pytest.raises(ValueError):
        exact_conditions(ALLOWED, {parameter: "x"})


def test_the_studies_allowlist_is_the_contract_filters_and_gender():
    assert EXACT_FILTERS == {"exam_status": "exam_status", "exam_source": "exam_source", "exam_item": "exam_item",
                             "patient_gender": "patient_gender"}


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
def test_choose_order_walks_the_index_only_when_a_page_fills_early(q, total, end, plan):
    chosen = choose_order(q=q, total=total, end=end, index_order=("index",), scan_order=("scan",))
    assert chosen == (plan,)


@pytest.mark.parametrize("sort", sorted(SORTS))
def test_each_studies_sort_has_an_index_order_and_a_scan_order(sort):
    index_order, scan_order = SORTS[sort]
    assert search_order(q="", total=10, end=20, sort=sort) == index_order
    assert search_order(q="x", total=1, end=20, sort=sort) == scan_order


@pytest.mark.parametrize(
    "values,expected",
    [
        ({"exam_source": ["CT", "MRI"]}, [Q(exam_source__in=["CT", "MRI"])]),
        ({"exam_source": ["CT"]}, [Q(exam_source="CT")]),
        ({"exam_source": ["", "CT", ""]}, [Q(exam_source="CT")]),
        ({"exam_source": []}, []),
    ],
)
def test_a_repeated_parameter_selects_any_of_its_values(values, expected):
    assert exact_conditions(ALLOWED, values) == expected
