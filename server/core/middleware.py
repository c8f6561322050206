from __future__ import annotations

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
    which can hold a patient's name or a login code."""

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
