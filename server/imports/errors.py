from server.core.errors import DomainError


class ImportRefused(DomainError):
    """The file cannot be imported as it is; nothing was changed. The message says why."""

    status_code = 400


class SourceLocked(ImportRefused):
    """Another program holds the file open for writing; trying again later can work."""

    status_code = 409


class ImportBusy(DomainError):
    """Another import is running on this database."""

    status_code = 409


class ImportFailed(DomainError):
    """The import stopped part-way (a check failed, or the database refused a write);
    its transaction was rolled back, so the database is as it was before."""

    status_code = 500


class JobNotFound(DomainError):
    status_code = 404

    def __init__(self) -> None:
        super().__init__("Import job not found")


class ImportCancelled(DomainError):
    """The import was cancelled while it ran; its transaction was rolled back."""

    status_code = 409


class JobFinished(DomainError):
    """The import job has ended already: there is nothing to cancel."""

    status_code = 409


class LinkNotFound(DomainError):
    status_code = 404

    def __init__(self) -> None:
        super().__init__("No DuckDB file is linked")
