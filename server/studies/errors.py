from server.core.errors import NotFound


class StudyNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Study not found")
