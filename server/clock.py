"""The clinic's time zone and wall-clock time.

Everything the app shows is the clinic's local wall-clock time, naive, like the
examination times themselves. Django's TIME_ZONE stays UTC for the database
connection (see settings), so local time is computed here, never by timezone.now().
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def clinic_time_zone(configured: str | None) -> str:
    """The IANA name of the clinic's zone: the configured one, else this PC's."""
    if configured:
        try:
            ZoneInfo(configured)
        except (ZoneInfoNotFoundError, ValueError):
            raise SystemExit(f"imaging-desk: unknown time zone {configured!r}") from None
        return configured
    try:
        import tzlocal

        return tzlocal.get_localzone_name() or "UTC"
    except Exception:  # no zone configured on this PC: wall-clock UTC is the honest answer
        return "UTC"


def clinic_zone() -> ZoneInfo:
    from django.conf import settings

    return ZoneInfo(settings.CLINIC_TIME_ZONE)


def local_now() -> dt.datetime:
    """Now, as naive clinic wall-clock time."""
    return dt.datetime.now(clinic_zone()).replace(tzinfo=None)


def to_local(value: dt.datetime) -> dt.datetime:
    """An aware datetime as naive clinic wall-clock time (naive ones pass unchanged)."""
    if value.tzinfo is None:
        return value
    return value.astimezone(clinic_zone()).replace(tzinfo=None)
