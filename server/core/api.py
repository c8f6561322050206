from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from server.core.auth import LOGIN_CODE_TTL_S, login_code_create
from server.core.preferences import preferences_get, preferences_set
from server.core.schemas import LoginLinkOut, MeOut, PreferencesIn

router = Router(tags=["Service"])


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


@router.get("/preferences", response=dict[str, Any], summary="The user's preferences")
def get_preferences(request: HttpRequest):
    """The app's preferences as it last saved them (a JSON object; `{}` at first): its
    language, visible columns, page size and last filters."""
    return preferences_get()


@router.put("/preferences", response=dict[str, Any], summary="Save the user's preferences")
def put_preferences(request: HttpRequest, body: PreferencesIn):
    """Replaces the preferences with the JSON object sent (64 KB at most); answers it."""
    return preferences_set(preferences=body.root)
