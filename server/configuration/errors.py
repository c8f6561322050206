"""The database settings' errors, worded for the person at the Settings screen."""

from server.core.errors import DomainError


class DatabaseSettingsError(DomainError):
    status_code = 400


class DatabaseUnusable(DatabaseSettingsError):
    """The database chosen cannot be used (unreachable, a wrong password, no such
    database or user, no right to create the tables): nothing was stored."""

    status_code = 400


class DatabaseChoiceLocked(DatabaseSettingsError):
    """The environment (IMAGING_DESK_DATABASE_URL, or --database-url) sets the database:
    settings.json would not be read, so the screen cannot change it."""

    status_code = 409
