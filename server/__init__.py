"""Imaging Desk server: the Django project behind the desktop app and the local API."""

__version__ = "0.1.0"
