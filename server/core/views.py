"""Non-API routes: the one-time login link, the app's files and Django's error hooks."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.views import serve as staticfiles_serve
from django.http import FileResponse, HttpResponseRedirect
from django.views.decorators.http import require_GET

from server.core.auth import SESSION_KEY, login_code_redeem
from server.core.responses import error_response


@require_GET
def login(request):
    """Spend a one-time code from `imaging-desk serve` or `login-link` for a session."""
    if not login_code_redeem(code=request.GET.get("once", "")):
        return error_response(
            401,
            "This login link is invalid, expired or already used; "
            "run `imaging-desk login-link` for a new one",
        )
    request.session.cycle_key()
    request.session[SESSION_KEY] = True
    return HttpResponseRedirect("/")


def static(request, path: str):
    # The OpenAPI docs' own CSS and JS, bundled with Django Ninja: no CDN, no network.
    return staticfiles_serve(request, path, insecure=True)


def frontend(request, path: str = ""):
    """Files of the React build; any other path gets index.html (client-side routes)."""
    root = Path(settings.FRONTEND_DIR).resolve()
    candidate = (root / path).resolve() if path else root / "index.html"
    if not candidate.is_relative_to(root) or not candidate.is_file():
        if "." in Path(path).name:
            return error_response(404, "Not Found")
        candidate = root / "index.html"
        if not candidate.is_file():
            return error_response(404, "The app's files are missing from this installation")
    content_type, _ = mimetypes.guess_type(candidate.name)
    return FileResponse(candidate.open("rb"), content_type=content_type or "application/octet-stream")


# Django's error hooks, so that nothing ever answers with an HTML error page.
def bad_request(request, exception=None):
    return error_response(400, "Bad request")


def permission_denied(request, exception=None):
    return error_response(403, "Forbidden")


def not_found(request, exception=None):
    return error_response(404, "Not Found")


def server_error(request):
    return error_response(500, "Internal server error")
