"""The JSON the locked contract specifies, as the old FastAPI service sent it:
compact separators, UTF-8 text instead of \\u escapes, naive datetimes."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from ninja.renderers import BaseRenderer

from server.clock import to_local


def _naive_iso(value: dt.datetime) -> str:
    # isoformat() adds .ffffff only when there are microseconds, as the contract wants.
    # An aware value is never expected (USE_TZ is off); if one slips through, it is
    # shown as the clinic's wall-clock time, never with an offset.
    return to_local(value).isoformat()


class ContractEncoder(json.JSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime):
            return _naive_iso(o)
        if isinstance(o, (dt.date, dt.time)):
            return o.isoformat()
        return super().default(o)


def dumps(data: Any) -> str:
    return json.dumps(
        data, cls=ContractEncoder, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    )


class ContractJSONRenderer(BaseRenderer):
    # FastAPI sent plain application/json; RFC 8259 defines no charset for it (always UTF-8).
    media_type = "application/json"

    def render(self, request, data, *, response_status: int) -> str:
        return dumps(data)
