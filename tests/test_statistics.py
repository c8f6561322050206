"""GET /api/v1/studies/statistics, checked against values computed here, independently,
from the same rows (server/studies/statistics.py)."""

import collections
import datetime as dt
import math
import random
import statistics as pystats

import pytest

from server.studies.models import Study

pytestmark = pytest.mark.django_db

STATS = "/api/v1/studies/statistics"
SOURCES = ["CT", "MRI", "X-ray", "US"]


@pytest.fixture
def rows(make_study):
    """300 studies with random, known values (seeded): the ground truth."""
    rng = random.Random(42)
    made = []
    items = [f"Item {i:02d}" for i in range(30)]
    for i in range(300):
        order = dt.datetime(2025, 3, 1) + dt.timedelta(days=rng.randrange(20), minutes=rng.randrange(600))
        wait = dt.timedelta(minutes=rng.randrange(1, 120), seconds=rng.randrange(60))
        check_in = order + wait if rng.random() < 0.8 else None
        reading = dt.timedelta(minutes=rng.randrange(10, 3000))
        certified = (check_in + reading) if check_in and rng.random() < 0.7 else None
        fields = dict(
            order_datetime=order, check_in_datetime=check_in, report_certification_datetime=certified,
            exam_status=rng.choice(["completed", "pending", "failed", None]),
            exam_source=rng.choice(SOURCES), exam_item=rng.choice(items + [None]),
            patient_gender=rng.choice(["M", "F", "U", None]),
            patient_age=rng.choice([None, -1, 0, 17, 18, 39, 40, 64, 65, 99, rng.randrange(100)]),
            certified_physician=rng.choice(["Dr. A", "Dr. B", "王医生", None]) if certified else None,
        )
        made.append(make_study(f"S{i:03d}", **fields))
    return made


def expected_counts(values) -> list[dict]:
    counted = collections.Counter(values)
    ordered = sorted(counted.items(), key=lambda kv: (-kv[1], kv[0] is None, kv[0] or ""))
    return [{"value": v, "count": n} for v, n in ordered]


def expected_turnaround(minutes) -> dict:
    if not minutes:
        return {"count": 0, "median": None, "p90": None, "max": None}
    ordered = sorted(minutes)
    return {
        "count": len(ordered),
        "median": round(pystats.median(ordered), 2),
        "p90": round(ordered[math.ceil(0.9 * len(ordered)) - 1], 2),
        "max": round(ordered[-1], 2),
    }


def band(age):
    if age is None or age < 0:
        return "unknown"
    return "0-17" if age <= 17 else "18-39" if age <= 39 else "40-64" if age <= 64 else "65+"


def expected_statistics(studies, first_day=None, last_day=None) -> dict:
    def minutes(a, b):
        return [(getattr(s, b) - getattr(s, a)).total_seconds() / 60
                for s in studies if getattr(s, a) and getattr(s, b)]

    days = collections.Counter(s.order_datetime.date() for s in studies)
    first_day = first_day or (min(days) if days else None)
    last_day = last_day or (max(days) if days else None)
    items = expected_counts([s.exam_item for s in studies])
    bands = collections.Counter(band(s.patient_age) for s in studies)
    return {
        "total": len(studies),
        "by_status": expected_counts([s.exam_status for s in studies]),
        "by_source": expected_counts([s.exam_source for s in studies]),
        "by_item": {"top": items[:20], "other": sum(i["count"] for i in items[20:])},
        "by_gender": expected_counts([s.patient_gender for s in studies]),
        "by_age_band": [{"band": b, "count": bands.get(b, 0)} for b in ("0-17", "18-39", "40-64", "65+", "unknown")],
        "daily_volume": [
            {"date": day.isoformat(), "count": days.get(day, 0)}
            for day in (first_day + dt.timedelta(days=d) for d in range((last_day - first_day).days + 1))
        ] if first_day else [],
        "turnaround_minutes": {
            "order_to_check_in": expected_turnaround(minutes("order_datetime", "check_in_datetime")),
            "check_in_to_certification": expected_turnaround(
                minutes("check_in_datetime", "report_certification_datetime")
            ),
            "order_to_certification": expected_turnaround(minutes("order_datetime", "report_certification_datetime")),
        },
        "by_physician": expected_counts([s.certified_physician for s in studies]),
    }


def test_statistics_over_all_studies_match_an_independent_computation(api, rows):
    assert api.get(STATS).json() == expected_statistics(rows)


def test_statistics_follow_the_search_filters(api, rows):
    chosen = [s for s in rows if s.exam_source in ("CT", "MRI") and s.order_datetime.date() >= dt.date(2025, 3, 5)
              and s.order_datetime.date() <= dt.date(2025, 3, 31)]
    got = api.get(STATS, {"exam_source": ["CT", "MRI"], "date_from": "2025-03-05", "date_to": "2025-03-31"}).json()
    assert got == expected_statistics(chosen, dt.date(2025, 3, 5), dt.date(2025, 3, 31))


def test_the_daily_series_covers_every_day_of_the_range_with_zeros(api, rows):
    got = api.get(STATS, {"date_from": "2025-02-25", "date_to": "2025-03-02"}).json()["daily_volume"]
    assert [d["date"] for d in got] == [
        "2025-02-25", "2025-02-26", "2025-02-27", "2025-02-28", "2025-03-01", "2025-03-02",
    ]
    assert [d["count"] for d in got[:4]] == [0, 0, 0, 0]


def test_no_matching_study_gives_zeros_and_nulls_not_invented_numbers(api, rows):
    got = api.get(STATS, {"q": "nothing matches this"}).json()
    assert got["total"] == 0 and got["daily_volume"] == [] and got["by_status"] == []
    assert got["turnaround_minutes"]["order_to_check_in"] == {"count": 0, "median": None, "p90": None, "max": None}


def test_statistics_refuse_bad_filters_like_the_search(api):
    assert api.get(STATS, {"date_from": "yesterday"}).status_code == 400
    response = api.get(STATS, {"date_from": "1800-01-01", "date_to": "2025-01-01"})
    assert response.status_code == 400 and "100 years" in response.json()["detail"]


def test_turnaround_minutes_are_stored_with_the_study(make_study):
    study = make_study("T1", order_datetime=dt.datetime(2025, 1, 1, 8, 0),
                       check_in_datetime=dt.datetime(2025, 1, 1, 8, 30, 30),
                       report_certification_datetime=None)
    stored = Study.objects.get(pk=study.pk)
    assert stored.minutes_to_check_in == 30.5
    assert stored.minutes_to_certification is None and stored.minutes_order_to_certification is None
