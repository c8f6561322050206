"""Who may call the local API: scripts with the token, the app window with a session.

The long-lived token never travels in a URL; browsers and the app window get a
one-time login link that turns into an HttpOnly, SameSite=Strict session cookie.
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import os
import secrets
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest
from ninja.security import HttpBearer

from server import datadir
from server.core.errors import DomainError
from server.core.params import shown

SESSION_KEY = "imaging_desk_owner"
LOGIN_CODE_TTL_S = 60
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class CrossSiteRequest(DomainError):
    """A session request that does not come from this server's own pages."""

    status_code = 403


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


_token_cache: dict = {}


def expected_token() -> bytes:
    """The API token, read again whenever its file changes (`imaging-desk token --reset`)."""
    path = settings.DATA_DIR / datadir.TOKEN_FILENAME
    try:
        stat = path.stat()
        key = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
    except OSError:
        key = None
    cached = _token_cache.get("token")
    if cached is not None and key is not None and cached[0] == key:
        return cached[1]
    token = datadir.api_token(settings.DATA_DIR).encode("ascii")
    if key is None:  # created just now
        stat = path.stat()
        key = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
    _token_cache["token"] = (key, token)
    return token


def token_matches(candidate: str) -> bool:
    return hmac.compare_digest(candidate.encode("utf-8"), expected_token())


def request_origin_check(request: HttpRequest) -> None:
    """Raise CrossSiteRequest unless the request's Origin (or, without one, its Referer)
    is this server itself: http:// and the request's Host, exactly.

    SameSite=Strict is not enough: a page served from any other port of 127.0.0.1 is
    the same *site*, so the browser attaches the session cookie to its requests too.
    Browsers send Origin with every POST, PUT, PATCH and DELETE, and pages cannot
    forge it. (This server's pages send no Referer: Referrer-Policy is no-referrer.)
    """
    own = f"http://{request.META.get('HTTP_HOST', '')}"
    origin = request.META.get("HTTP_ORIGIN")
    referer = request.META.get("HTTP_REFERER")
    if origin is None and referer is None:
        raise CrossSiteRequest(
            "Cross-site request refused: a request made with the app's session must come "
            f"from {own}, and this one has no Origin or Referer header to show it; scripts "
            "send the API token instead"
        )
    if origin is not None:
        if origin != own:
            raise CrossSiteRequest(f"Cross-site request refused: its Origin {shown(origin)} is not {own}")
        return
    try:
        parts = urlsplit(referer)
        came_from = f"{parts.scheme}://{parts.netloc}"
    except ValueError:  # not a URL at all
        came_from = None
    if came_from != own:
        raise CrossSiteRequest(f"Cross-site request refused: its Referer {shown(referer)} is not from {own}")


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
            # Checked here, not in a middleware: only the auth knows that the cookie,
            # which a browser attaches on its own, is what vouches for this request. A
            # token is never attached by a browser, so a script's request needs no
            # Origin; a request with neither is a 401 anyway.
            if request.method in UNSAFE_METHODS:
                request_origin_check(request)
            return local_owner("session")
        return None

    def authenticate(self, request: HttpRequest, token: str) -> Principal | None:
        if token and token_matches(token):
            return local_owner("token")
        return None


class LoginCodes:
    """Single-use login codes, kept in the server's memory only.

    Not in the database: an import holds SQLite's write lock for minutes, and
    opening the app must not wait for it. Codes are stored as hashes.
    """

    def __init__(self) -> None:
        self._expiry: dict[str, float] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _hash(code: str) -> str:
        return hashlib.sha256(code.encode("utf-8")).hexdigest()

    def create(self, ttl_s: float) -> str:
        code = secrets.token_urlsafe(24)
        now = time.time()
        with self._lock:
            for digest in [d for d, expiry in self._expiry.items() if expiry < now]:
                del self._expiry[digest]
            self._expiry[self._hash(code)] = now + ttl_s
        return code

    def redeem(self, code: str) -> bool:
        if not code or len(code) > 200:
            return False
        with self._lock:
            expiry = self._expiry.pop(self._hash(code), None)
        return expiry is not None and time.time() <= expiry


LOGIN_CODES = LoginCodes()


def login_code_create(*, ttl_s: float = LOGIN_CODE_TTL_S) -> str:
    """A fresh single-use login code, valid for ttl_s seconds, in this server process."""
    return LOGIN_CODES.create(ttl_s)


def login_code_redeem(*, code: str) -> bool:
    """Spend a code. True once for a valid, unexpired code; False ever after."""
    return LOGIN_CODES.redeem(code)
