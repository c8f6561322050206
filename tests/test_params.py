"""Every parameter a client can get wrong is a 400 with JSON that names it."""

import pytest

from server.core.errors import InvalidParameter
from server.core.params import one_of, parse_int

pytestmark = pytest.mark.django_db

BAD_REQUESTS = [
    # (query string or path, parameter named in the detail)
    ("/api/v1/studies/search?page=0", "page"),
    ("/api/v1/studies/search?page=-1", "page"),
    ("/api/v1/studies/search?page=abc", "page"),
    ("/api/v1/studies/search?page=1.5", "page"),
    ("/api/v1/studies/search?page=1.0", "page"),
    ("/api/v1/studies/search?page=", "page"),
    ("/api/v1/studies/search?page=%201", "page"),
    ("/api/v1/studies/search?page=1_000", "page"),
    ("/api/v1/studies/search?page=%EF%BC%91", "page"),  # fullwidth digit one
    ("/api/v1/studies/search?page=1e3", "page"),
    ("/api/v1/studies/search?page=" + "9" * 40, "page"),
    ("/api/v1/studies/search?page=" + "9" * 5000, "page"),
    ("/api/v1/studies/search?page=1&page=2", "page"),
    ("/api/v1/studies/search?page_size=0", "page_size"),
    ("/api/v1/studies/search?page_size=-5", "page_size"),
    ("/api/v1/studies/search?page_size=1001", "page_size"),
    ("/api/v1/studies/search?page_size=abc", "page_size"),
    ("/api/v1/studies/search?page_size=2.5", "page_size"),
    ("/api/v1/studies/search?page_size=", "page_size"),
    ("/api/v1/studies/search?q=a%00b", "q"),
    ("/api/v1/studies/search?q=a%1Fb", "q"),
    ("/api/v1/studies/search?q=a&q=b", "q"),
    ("/api/v1/studies/search?exam_status=%00", "exam_status"),
    ("/api/v1/studies/search?exam_item=%00", "exam_item"),
    ("/api/v1/studies/a%00b", "exam_id"),
]


@pytest.mark.parametrize("url,parameter", BAD_REQUESTS)
def test_a_bad_parameter_is_a_400_naming_it(api, make_study, url, parameter):
    make_study("E1")
    response = api.get(url)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    detail = response.json()["detail"]
    assert detail.startswith(f"Invalid parameter: {parameter} "), detail
    assert list(response.json()) == ["detail"]


def test_a_bad_value_is_quoted_in_the_detail(api):
    detail = api.get("/api/v1/studies/search?page=abc").json()["detail"]
    assert detail == "Invalid parameter: page must be an integer, got 'abc'"
    detail = api.get("/api/v1/studies/search?page_size=5000").json()["detail"]
    assert detail == "Invalid parameter: page_size must be between 1 and 1000, got 5000"


def test_a_long_bad_value_is_shortened_in_the_detail(api):
    detail = api.get("/api/v1/studies/search?page=" + "x" * 5000).json()["detail"]
    assert len(detail) < 120


def test_unknown_parameters_are_ignored_as_the_old_service_did(api, make_study):
    make_study("E1")
    assert api.get("/api/v1/studies/search?_=1700000000&foo=bar").status_code == 200


@pytest.mark.parametrize(
    "raw,minimum,maximum,expected",
    [("1", 1, None, 1), ("1000", 1, 1000, 1000), ("007", 1, None, 7), (5, 1, None, 5)],
)
def test_parse_int_accepts_plain_decimal_integers(raw, minimum, maximum, expected):
    assert parse_int("n", raw, minimum=minimum, maximum=maximum) == expected


@pytest.mark.parametrize(
    "raw,maximum,message",
    [
        ("0", None, "Invalid parameter: n must be > 0"),
        ("-3", None, "Invalid parameter: n must be > 0"),
        ("+3", None, "Invalid parameter: n must be an integer, got '+3'"),
        (" 3", None, "Invalid parameter: n must be an integer, got ' 3'"),
        ("3.0", None, "Invalid parameter: n must be an integer, got '3.0'"),
        (True, None, "Invalid parameter: n must be an integer, got 'True'"),
        ("1001", 1000, "Invalid parameter: n must be between 1 and 1000, got 1001"),
        ("9" * 19, None, f"Invalid parameter: n is too large, got '{'9' * 19}'"),
    ],
)
def test_parse_int_refuses_everything_else_with_a_message(raw, maximum, message):
    with pytest.raises(InvalidParameter) as error:
        parse_int("n", raw, minimum=1, maximum=maximum)
    assert error.value.detail == message


@pytest.mark.parametrize(
    "raw,empty,expected",
    [("csv", False, "csv"), ("xlsx", False, "xlsx"), ("", True, "")],
)
def test_one_of_accepts_the_allowed_values(raw, empty, expected):
    assert one_of("format", raw, ("csv", "xlsx"), empty=empty) == expected


@pytest.mark.parametrize(
    "raw,empty,message",
    [
        ("pdf", False, "Invalid parameter: format must be one of csv, xlsx, got 'pdf'"),
        ("", False, "Invalid parameter: format must be one of csv, xlsx, got ''"),
        ("CSV", True, "Invalid parameter: format must be one of csv, xlsx, got 'CSV'"),
        ("csv\x00", False, "Invalid parameter: format must not contain NUL characters"),
    ],
)
def test_one_of_refuses_any_other_value_naming_the_allowed_ones(raw, empty, message):
    with pytest.raises(InvalidParameter) as error:
        one_of("format", raw, ("csv", "xlsx"), empty=empty)
    assert error.value.detail == message
