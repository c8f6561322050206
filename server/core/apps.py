from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "server.core"
    label = "core"
    verbose_name = "Imaging Desk core"

    def ready(self) -> None:
        from server.core import querying  # noqa: F401  registers the `instr` lookup
