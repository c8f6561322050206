"""Non-API routes: the one-time login link, the app's files and Django's error hooks."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.views import serve as staticfiles_serve
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_safe

from server.core.auth import SESSION_KEY, login_code_redeem
from server.core.responses import error_response


# These routes only read: every other method is a 405 with Allow: GET, HEAD (HEAD is
# answered as GET by HeadRequestMiddleware).
@require_safe
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


@require_safe
def static(request, path: str):
    # The OpenAPI docs' own CSS and JS, bundled with Django Ninja: no CDN, no network.
    return staticfiles_serve(request, path, insecure=True)


@require_safe
def frontend(request, path: str = ""):
    """Files of the React build; any other path gets index.html (client-side routes)."""
    root = Path(settings.FRONTEND_DIR).resolve()
    try:
        candidate = (root / path).resolve() if path else root / "index.html"
        found = candidate.is_relative_to(root) and candidate.is_file()
    except (OSError, ValueError, RuntimeError):
        # A NUL byte (ValueError), a name too long for the file system (OSError) or a
        # symlink loop (RuntimeError): no file of the app, nor any of its routes, has it.
        return error_response(404, "Not Found")
    if not found:
        if "." in Path(path).name:
            return error_response(404, "Not Found")
        candidate = root / "index.html"
        if not candidate.is_file():
            return error_response(404, "The app's files are missing from this installation")
    content_type, _ = mimetypes.guess_type(candidate.name)
    response = FileResponse(candidate.open("rb"), content_type=content_type or "application/octet-stream")
    # Vite names every asset by its content's hash: a new build has new names, so a
    # browser may keep them for good. index.html names the current ones: never kept.
    if candidate.parent == root / "assets":
        response["Cache-Control"] = "public, max-age=31536000, immutable"
    else:
        response["Cache-Control"] = "no-cache"
    return response


def request_limit_response(exc: RequestDataTooBig | TooManyFieldsSent) -> HttpResponse:
    """Django's own limits on a request, said as such: for the API (server/api.py) and
    for the routes outside it (bad_request below)."""
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return error_response(
            413, f"The request body is too large: this server takes at most {limit:,} bytes ({limit / 2**20:g} MB)"
        )
    return error_response(
        400,
        f"Too many parameters: this server takes at most {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,} "
        "in one request",
    )


# Django's error hooks, so that nothing ever answers with an HTML error page.
def bad_request(request, exception=None):
    if isinstance(exception, (RequestDataTooBig, TooManyFieldsSent)):
        return request_limit_response(exception)
    return error_response(400, "Bad request")


def permission_denied(request, exception=None):
    return error_response(403, "Forbidden")


def not_found(request, exception=None):
    return error_response(404, "Not Found")


def server_error(request):
    return error_response(500, "Internal server error")
