from django.conf import settings
from django.http import HttpRequest
from ninja import Router

from server import __version__
from server.core.schemas import HealthOut, MeOut
from server.database import vendor_name
from server.studies.selectors import study_count

router = Router(tags=["Service"])


@router.get("/health", response=HealthOut, auth=None, summary="Health (no token needed)")
def health(request: HttpRequest):
    """Whether the server and its database answer, and how many studies it holds."""
    return {
        "status": "ok",
        "version": __version__,
        "database": vendor_name(settings.DATABASES["default"]["ENGINE"]),
        "studies": study_count(),
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
