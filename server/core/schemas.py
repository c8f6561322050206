from ninja import Schema


class MeOut(Schema):
    user_id: int
    username: str
    email: str | None
    role: str


class LoginLinkOut(Schema):
    url: str
    expires_in_s: int
