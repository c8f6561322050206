"""Who may call the local API: scripts with the token, the app window with a session.

The long-lived token never travels in a URL; browsers and the app window get a
one-time login link that turns into an HttpOnly, SameSite=Strict session cookie.
"""

from __future__ import annotations

import functools
import getpass
import hashlib
import hmac
import os
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from ninja.security import HttpBearer

from server import datadir
from server.core.models import LoginCode

SESSION_KEY = "imaging_desk_owner"
LOGIN_CODE_TTL_S = 60


@dataclass(frozen=True)
class Principal:
    user_id: int
    username: str
    email: str | None
    role: str
    method: str  # "token" or "session"


def owner_username() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name available (some service accounts)
        return os.environ.get("USERNAME") or "owner"


def local_owner(method: str) -> Principal:
    """On a desktop install the caller is the PC's own user: the one who can read
    the token file or was handed the login link."""
    return Principal(user_id=1, username=owner_username(), email=None, role="owner", method=method)


@functools.cache
def expected_token() -> bytes:
    return datadir.api_token(settings.DATA_DIR).encode("ascii")


def token_matches(candidate: str) -> bool:
    return hmac.compare_digest(candidate.encode("utf-8"), expected_token())


class LocalAuth(HttpBearer):
    """Bearer token or session cookie. A wrong token fails even beside a valid cookie."""

    def __call__(self, request: HttpRequest) -> Principal | None:
        header = request.headers.get("Authorization")
        if header is not None:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer":
                return None
            return self.authenticate(request, token.strip())
        if request.session.get(SESSION_KEY):
            return local_owner("session")
        return None

    def authenticate(self, request: HttpRequest, token: str) -> Principal | None:
        if token and token_matches(token):
            return local_owner("token")
        return None


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def login_code_create(*, ttl_s: float = LOGIN_CODE_TTL_S) -> str:
    """A fresh single-use login code, valid for ttl_s seconds."""
    now = time.time()
    LoginCode.objects.filter(expires_at__lt=now).delete()
    code = secrets.token_urlsafe(24)
    LoginCode.objects.create(code_hash=_hash(code), expires_at=now + ttl_s)
    return code


def login_code_redeem(*, code: str) -> bool:
    """Spend a code. True once for a valid, unexpired code; False ever after."""
    if not code or len(code) > 200:
        return False
    now = time.time()
    # One UPDATE decides, so two requests racing with one code cannot both win.
    spent = LoginCode.objects.filter(
        code_hash=_hash(code), used_at__isnull=True, expires_at__gte=now
    ).update(used_at=now)
    return spent == 1
