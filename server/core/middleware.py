from __future__ import annotations

import json
import logging
import time

from django.conf import settings
from django.http.request import split_domain_port

from server.core.params import shown
from server.core.responses import error_response

access_log = logging.getLogger("imaging_desk.access")


class HostGuardMiddleware:
    """Refuse requests addressed to any name but the loopback ones.

    A web page on another site can point its own DNS name at 127.0.0.1 (DNS
    rebinding); its requests then carry that name in Host, and end here.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.allowed = {h.lower() for h in settings.ALLOWED_HOSTS}

    def __call__(self, request):
        host = request.META.get("HTTP_HOST")
        if not host:
            return error_response(400, "Missing Host header")
        domain, _port = split_domain_port(host)
        if domain not in self.allowed:
            return error_response(
                400,
                f"Invalid Host header: {shown(host)}; Imaging Desk answers only requests "
                "addressed to 127.0.0.1, localhost or [::1]",
            )
        return self.get_response(request)


class AccessLogMiddleware:
    """One line per request: method, path, status, time. Never the query string,
    which can hold a patient's name or a login code. (server/core/logs.py escapes
    and cuts the path, as it does every value in every log line.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed_ms = (time.perf_counter() - started) * 1000
        access_log.info(
            "%s %s %s %.0fms", request.method, request.path, response.status_code, elapsed_ms
        )
        return response


class HeadRequestMiddleware:
    """HEAD is answered as GET, for every route, then sent without its body.

    HTTP requires HEAD wherever GET works, with the same status and headers. Django
    Ninja's operations know GET only, and neither Django nor waitress drops a body
    for HEAD (waitress even streams a FileResponse's whole file). So the request runs
    as GET here, outside ContentLengthMiddleware so that the Content-Length is the
    GET body's, and the body is dropped on the way out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "HEAD":
            return self.allow_head(self.get_response(request))
        request.method = "GET"
        try:
            response = self.get_response(request)
        finally:
            request.method = "HEAD"  # for the access log and anything after
        if response.streaming:
            # Never iterated: a CSV export would otherwise run its whole query, a
            # FileResponse read its file, for nothing. The stream stays among the
            # response's resources, so the server's response.close() closes it; closing
            # the response here would send request_finished (and close the database
            # connection) before the request is over.
            response.streaming_content = []
        else:
            response.content = b""
        return self.allow_head(response)

    @staticmethod
    def allow_head(response):
        # A 405's Allow lists HEAD wherever it lists GET, since HEAD works there too.
        allowed = [m.strip() for m in response.get("Allow", "").split(",") if m.strip()]
        if "GET" in allowed and "HEAD" not in allowed:
            response["Allow"] = ", ".join([*allowed, "HEAD"])
        return response


class JSONBodyMiddleware:
    """The API reads request bodies as JSON only: a body of any other type is a 415,
    before anything reads it, for token and session requests alike.

    It also shuts the one door an HTML form on another page would have: a form can
    send text/plain, urlencoded or multipart bodies, never application/json, and a
    cross-site fetch of application/json needs a CORS preflight this server never
    grants. (A charset or other parameter is fine.)
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.path.startswith("/api/")
            and request_has_body(request)
            and request.content_type != "application/json"
        ):
            given = request.META.get("CONTENT_TYPE", "")
            return error_response(
                415,
                "Unsupported Content-Type "
                + (shown(given) if given else "(none given)")
                + ": the API reads request bodies as JSON only; send Content-Type: application/json",
            )
        if request.path.startswith("/api/") and request_has_body(request):
            kind = json_body_kind(request.body)
            if kind not in (None, "object"):
                # Django Ninja would read an array or a number as an empty object: an
                # endpoint whose fields all have defaults would then act on a body
                # nobody sent.
                return error_response(400, f"The request body must be a JSON object, not {kind}")
        return self.get_response(request)


def json_body_kind(body: bytes) -> str | None:
    """What a JSON body holds ("object", "an array", ...); None if it is not JSON (the
    API's own parser says so then)."""
    try:
        value = json.loads(body)
    except ValueError:
        return None
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return "a number"


def request_has_body(request) -> bool:
    # waitress gives a chunked body its Content-Length once read, so this covers both.
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > 0
    except ValueError:
        return True  # a length that is not a number: take it as a body, of no known type


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("X-Content-Type-Options", "nosniff")
        response.setdefault("Referrer-Policy", "no-referrer")
        response.setdefault("X-Frame-Options", "DENY")
        if request.path.startswith("/api/") or request.path == "/login":
            # Patient data must not linger in caches.
            response.setdefault("Cache-Control", "no-store")
        return response


class JSONErrorMiddleware:
    """Any error the API's own handlers did not shape (Django Ninja's plain-text 405,
    say) still reaches the client as {"detail": ...}, never as HTML or text."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            allowed = response.get("Allow")
            response = error_response(response.status_code, response.reason_phrase)
            if allowed:
                response["Allow"] = allowed
        return response


class ContentLengthMiddleware:
    """Send Content-Length, as the old service did, so clients can keep the
    connection alive instead of reading a chunked or connection-closed body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.streaming and not response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        return response
