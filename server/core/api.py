from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Status

from server import __version__
from server.core.auth import LOGIN_CODE_TTL_S, login_code_create
from server.core.schemas import HealthOut, LoginLinkOut, MeOut
from server.database import vendor_name
from server.imports.linking import link_status
from server.studies.selectors import study_count

router = Router(tags=["Service"])


@router.get("/health", response=HealthOut, auth=None, summary="Health (no token needed)")
def health(request: HttpRequest):
    """Whether the server and its database answer, how many studies it holds, and
    the linked DuckDB file (if any) with the time of its last sync."""
    return {
        "status": "ok",
        "version": __version__,
        "database": vendor_name(settings.DATABASES["default"]["ENGINE"]),
        "studies": study_count(),
        "linked_source": link_status(),
    }


@router.get("/auth/me", response=MeOut, summary="Who is calling")
def me(request: HttpRequest):
    """On a desktop install: the PC's own user, as the owner."""
    principal = request.auth
    return {
        "user_id": principal.user_id,
        "username": principal.username,
        "email": principal.email,
        "role": principal.role,
    }


@router.post("/auth/login-links", response={201: LoginLinkOut}, summary="A one-time login link")
def create_login_link(request: HttpRequest):
    """A single-use link into the app, valid for 60 seconds, for `imaging-desk login-link`
    and the launcher: the long-lived token itself never goes into a URL."""
    code = login_code_create()
    return Status(201, {"url": request.build_absolute_uri(f"/login?once={code}"), "expires_in_s": LOGIN_CODE_TTL_S})
