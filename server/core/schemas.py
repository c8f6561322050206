from datetime import datetime

from ninja import Schema


class LinkedSourceOut(Schema):
    path: str
    last_sync: datetime | None
    last_error: str | None


class HealthOut(Schema):
    status: str
    version: str
    database: str
    studies: int
    linked_source: LinkedSourceOut | None


class MeOut(Schema):
    user_id: int
    username: str
    email: str | None
    role: str


class LoginLinkOut(Schema):
    url: str
    expires_in_s: int
