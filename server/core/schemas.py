from typing import Any

from ninja import Schema
from pydantic import RootModel


class MeOut(Schema):
    user_id: int
    username: str
    email: str | None
    role: str


class LoginLinkOut(Schema):
    url: str
    expires_in_s: int


class PreferencesIn(RootModel[dict[str, Any]]):
    """Any JSON object: the app decides what it keeps."""
