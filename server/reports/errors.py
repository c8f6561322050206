from server.core.errors import NotFound


class ReportNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Report not found")
