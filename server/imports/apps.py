from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "server.imports"
    label = "imports"
    verbose_name = "Imports"
