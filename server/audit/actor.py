"""Who is acting: the user an audit entry names.

The words are exactly these: the operating-system account's login name (as
server.core.auth.owner_username gives it) for the command line, the app window and
a browser holding the app's session cookie; API_TOKEN for a request made with the
API token (`Authorization: Bearer ...`), whose holder the server cannot tell apart,
unless it is the app window's own (WINDOW_HEADER, below).

Set per request by AuditActorMiddleware (the request is remembered in a context
variable and reset after it; LocalAuth's verdict, request.auth, is read when an
entry is written). Work that outlives the request (a thread, a child process, a
streamed response) takes the actor along: actor_current() before, acting_as() there.
"""

from __future__ import annotations

import contextvars
import hmac
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

API_TOKEN = "API token"

_request: contextvars.ContextVar = contextvars.ContextVar("audit_request", default=None)
_acting: contextvars.ContextVar[str | None] = contextvars.ContextVar("audit_actor", default=None)


def actor_current() -> str:
    """The user of an entry written now."""
    acting = _acting.get()
    if acting is not None:
        return acting
    request = _request.get()
    principal = getattr(request, "auth", None) if request is not None else None
    if getattr(principal, "method", None) == "token" and not _from_this_process(request):
        return API_TOKEN
    from server.core.auth import owner_username

    return owner_username()


# The app window's own menus call its in-process server with the token; they name
# themselves with this process's key (known to no other process), so that their
# imports and exports are the PC user's, as the window's pages are.
WINDOW_HEADER = "X-Imaging-Desk-Window"
_PROCESS_KEY = secrets.token_urlsafe(24)


def window_key() -> str:
    """The value of WINDOW_HEADER for requests this process's window makes."""
    return _PROCESS_KEY


def _from_this_process(request) -> bool:
    given = request.headers.get(WINDOW_HEADER)
    return given is not None and hmac.compare_digest(given.encode(), _PROCESS_KEY.encode())


@contextmanager
def acting_as(user: str | None) -> Iterator[None]:
    """Entries written inside name this user (None: no change)."""
    if user is None:
        yield
        return
    reset = _acting.set(user)
    try:
        yield
    finally:
        _acting.reset(reset)


class AuditActorMiddleware:
    """Remembers the request while it is answered, so that audit entries name its caller."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        reset = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(reset)
