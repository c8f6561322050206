"""Which automatic backups the retention keeps: the last 7 daily and the last 4 weekly
(server/backups/retention.py says the rule exactly)."""

import datetime as dt

import pytest

from server.backups.retention import Dated, retention_expired


def daily(*days: str, at: str = "12:00", kind: str = "daily") -> list[Dated]:
    """One backup per day given (YYYY-MM-DD), named after its day."""
    return [Dated(day, dt.datetime.fromisoformat(f"{day}T{at}"), kind) for day in days]


def days_back(count: int, *, last: str = "2026-12-01") -> list[str]:
    end = dt.date.fromisoformat(last)
    return [(end - dt.timedelta(days=n)).isoformat() for n in range(count)]


# 2026-12-01 is a Tuesday: its ISO week began on Monday 2026-11-30.
@pytest.mark.parametrize(
    ("backups", "deleted"),
    [
        pytest.param(daily(*days_back(7)), set(), id="seven days: all kept"),
        pytest.param(
            daily(*days_back(8)), {"2026-11-24"},
            id="the eighth day back goes: its week (Mon 11-23 .. Sun 11-29) keeps its newest, 11-29",
        ),
        pytest.param(
            daily("2026-11-22", *days_back(7)), set(),
            id="a Sunday before the seven days is kept: the newest of its week",
        ),
        pytest.param(
            daily(*days_back(30)),
            # Kept: 12-01 .. 11-25 (daily), and the newest of weeks 11-23, 11-16, 11-09 (weekly):
            # 11-29 (already daily), 11-22, 11-15.
            set(days_back(30)) - set(days_back(7)) - {"2026-11-22", "2026-11-15"},
            id="thirty days: 7 daily and the newest of the 4 latest weeks",
        ),
        pytest.param(
            daily("2026-01-05", "2026-03-02", "2026-06-01", "2026-09-07", "2026-12-01"),
            set(), id="a backup now and then: all kept (days without one do not count)",
        ),
        pytest.param(
            daily(*[f"2026-{m:02d}-01" for m in range(1, 13)]),
            # Seven days that have a backup: Dec, Nov, ..., Jun; the four newest weeks are among them.
            {"2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01", "2026-05-01"},
            id="a year of monthly backups: the newest 7 kept",
        ),
    ],
)
def test_retention_keeps_the_last_7_daily_and_the_last_4_weekly(backups, deleted):
    assert retention_expired(backups) == deleted


def test_of_several_backups_in_a_day_only_the_newest_is_kept():
    backups = [
        Dated("morning", dt.datetime(2026, 12, 1, 8, 0), "after-import"),
        Dated("noon", dt.datetime(2026, 12, 1, 12, 0), "daily"),
        Dated("evening", dt.datetime(2026, 12, 1, 18, 30), "after-import"),
    ]
    assert retention_expired(backups) == {"morning", "noon"}


def test_manual_and_before_restore_backups_are_never_deleted_nor_counted():
    old = daily(*days_back(60, last="2026-10-01"), kind="manual")
    old += daily(*days_back(60, last="2026-08-01"), at="13:00", kind="before-restore")
    old += daily(*days_back(60, last="2026-06-01"), at="14:00", kind="unknown")
    recent = daily(*days_back(3))
    assert retention_expired(old + recent) == set()


def test_the_newest_of_a_day_is_found_whatever_the_order_given():
    backups = daily(*days_back(30))
    assert retention_expired(list(reversed(backups))) == retention_expired(backups)
