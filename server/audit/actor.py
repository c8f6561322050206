"""Who is acting: the user an audit entry names.

The words are exactly these: the operating-system account's login name (as
server.core.auth.owner_username gives it) for the command line, the app window and
a browser holding the app's session cookie; API_TOKEN for a request made with the
API token (`Authorization: Bearer ...`), whose holder the server cannot tell apart.

Set per request by AuditActorMiddleware (the request is remembered in a context
variable and reset after it; LocalAuth's verdict, request.auth, is read when an
entry is written). Work that outlives the request (a thread, a child process, a
streamed response) takes the actor along: actor_current() before, acting_as() there.
"""

from __future__ import annotations

import contextvars
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
    if getattr(principal, "method", None) == "token":
        return API_TOKEN
    from server.core.auth import owner_username

    return owner_username()


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
