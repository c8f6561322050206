"""The backups' errors, each worded for the person who asked (staff, not developers)."""

from server.core.errors import DomainError


class BackupError(DomainError):
    """Every backup and restore error; nothing was changed unless the message says so."""

    status_code = 400


class BackupFolderUnusable(BackupError):
    """The folder chosen for backups cannot take them (missing, not a folder, read-only)."""

    status_code = 400


class BackupInvalid(BackupError):
    """A file that is not a usable backup: not found, not a database, damaged, or not Imaging Desk's."""

    status_code = 400


class BackupFailed(BackupError):
    """Writing a backup failed (a full disk, a file-size limit, a lost drive); nothing of it was kept."""

    status_code = 500


class BackupBusy(BackupError):
    """Another backup is being written by this server."""

    status_code = 409


class BackupUnavailable(BackupError):
    """This installation cannot take the backup itself (PostgreSQL without pg_dump): the
    message says how to take it instead."""

    status_code = 409


class RestoreRefused(BackupError):
    """A restore that must not run now: the app or a server uses the data folder, or an import runs."""

    status_code = 409


class BackupJobNotFound(BackupError):
    status_code = 404

    def __init__(self) -> None:
        super().__init__("Backup job not found (jobs are kept until the server stops)")
