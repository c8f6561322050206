from server.core.errors import DomainError, NotFound


class TaskNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Task not found")


class AnalysisError(DomainError):
    """The analysis cannot give a result for this study; the reason becomes the
    failed task's results.error."""


class Cancelled(Exception):
    """The task was cancelled (deleted) while it ran."""
