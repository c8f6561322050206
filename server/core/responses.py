from __future__ import annotations

from typing import Any

from django.http import HttpResponse

from server.core.renderers import ContractJSONRenderer, dumps


def json_response(data: Any, *, status: int = 200) -> HttpResponse:
    return HttpResponse(dumps(data), status=status, content_type=ContractJSONRenderer.media_type)


def error_response(status: int, detail: str) -> HttpResponse:
    """The one error shape of the whole server: {"detail": "..."}."""
    return json_response({"detail": detail}, status=status)
