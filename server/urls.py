from django.urls import URLPattern, path, re_path
from django.views.decorators.http import require_safe

from server.api import api
from server.core import views

DOCUMENT_URL_NAMES = ("openapi-json", "openapi-view")


def documents_read_only(urls):
    """Django Ninja's own views for the OpenAPI document and the docs page answer any
    method; like the app's files (server/core/views.py), they answer GET and HEAD only."""
    patterns, app_name, namespace = urls
    patterns = [
        URLPattern(p.pattern, require_safe(p.callback), p.default_args, p.name)
        if isinstance(p, URLPattern) and p.name in DOCUMENT_URL_NAMES
        else p
        for p in patterns
    ]
    return patterns, app_name, namespace


urlpatterns = [
    path("api/v1/", documents_read_only(api.urls)),
    path("login", views.login, name="login"),
    re_path(r"^static/(?P<path>.+)$", views.static),
    # Everything that is not the API is the app (client-side routes included).
    re_path(r"^(?!api/)(?P<path>.*)$", views.frontend),
]

handler400 = "server.core.views.bad_request"
handler403 = "server.core.views.permission_denied"
handler404 = "server.core.views.not_found"
handler500 = "server.core.views.server_error"
