"""Django settings for Imaging Desk.

Everything that differs per installation (database, secrets, logs) lives in the
data directory, never beside the code: see server/datadir.py.
"""

import os
from pathlib import Path

from server import datadir
from server.clock import clinic_time_zone
from server.database import database_settings

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
# The app's production build (frontend_build/dist, committed), served at /.
FRONTEND_DIR = Path(os.environ.get("IMAGING_DESK_FRONTEND_DIR", PROJECT_DIR / "frontend_build" / "dist"))

DATA_DIR = datadir.ensure_data_dir(datadir.data_dir())
LOCAL_SETTINGS = datadir.local_settings(DATA_DIR)

SECRET_KEY = datadir.secret_key(DATA_DIR)
DEBUG = os.environ.get("IMAGING_DESK_DEBUG") == "1"

# Host checks happen in server.core.middleware.HostGuardMiddleware, which answers
# with the API's JSON error shape; this list is Django's own second line.
LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
ALLOWED_HOSTS = LOOPBACK_HOSTS + [
    h for h in os.environ.get("IMAGING_DESK_EXTRA_HOSTS", "").split(",") if h
]

INSTALLED_APPS = [
    "django.contrib.staticfiles",
    "ninja",
    "server.core",
    "server.studies",
    "server.imports",
    "server.reports",
    "server.analysis",
    "server.audit",
]

MIDDLEWARE = [
    "server.core.middleware.AccessLogMiddleware",
    # Outside ContentLengthMiddleware: a HEAD answer keeps the GET body's length.
    "server.core.middleware.HeadRequestMiddleware",
    "server.core.middleware.ContentLengthMiddleware",
    "server.core.middleware.HostGuardMiddleware",
    "server.core.middleware.SecurityHeadersMiddleware",
    "server.core.middleware.JSONErrorMiddleware",
    "server.core.middleware.JSONBodyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Remembers the request, so that audit entries name who made it (server/audit/actor.py).
    "server.audit.actor.AuditActorMiddleware",
]

ROOT_URLCONF = "server.urls"
WSGI_APPLICATION = "server.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]

try:
    DATABASES = {
        "default": database_settings(
            data_dir=DATA_DIR,
            url=os.environ.get("IMAGING_DESK_DATABASE_URL") or LOCAL_SETTINGS.get("database_url"),
        )
    }
except ValueError as exc:
    raise SystemExit(f"imaging-desk: the database URL is not usable: {exc}") from None
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Where backups go (server/backups/services.py): a folder of the user's choosing, such
# as a USB drive or a network share (relative: inside the data folder), else <data-dir>/backups.
BACKUP_FOLDER = os.environ.get("IMAGING_DESK_BACKUP_FOLDER") or LOCAL_SETTINGS.get("backup_folder") or None

# Examination times are the clinic's wall-clock times, stored and returned naive,
# exactly as the source held them. UTC as the connection time zone makes
# PostgreSQL hand them back unshifted (no DST gap or overlap can move them).
USE_TZ = False
TIME_ZONE = "UTC"
# The clinic's own zone, for converting source times that carry an offset and for
# the app's own timestamps. Read here, before Django sets TZ to TIME_ZONE.
CLINIC_TIME_ZONE = clinic_time_zone(
    os.environ.get("IMAGING_DESK_TIME_ZONE") or LOCAL_SETTINGS.get("time_zone")
)
USE_I18N = False
LANGUAGE_CODE = "en-us"

# The app window and browsers log in through a one-time link and then hold a
# signed, HttpOnly, SameSite=Strict session cookie; scripts use the API token.
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
SESSION_COOKIE_NAME = "imaging_desk_session"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Strict"
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

STATIC_URL = "/static/"

# Requests to /api/v1/studies/x/ must not be redirected to a slash-less URL.
APPEND_SLASH = False

LOG_DIR = DATA_DIR / "logs"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        # Every message escaped (no forged lines, no control characters) and cut.
        "plain": {
            "class": "server.core.logs.EscapingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
    },
    "handlers": {
        "file": {
            "class": "logging.handlers.RotatingFileHandler",
            "filename": str(LOG_DIR / "server.log"),
            "maxBytes": 5 * 1024 * 1024,
            "backupCount": 5,
            "encoding": "utf-8",
            "formatter": "plain",
        },
    },
    "root": {"handlers": ["file"], "level": "INFO"},
    "loggers": {
        # Django logs "Not Found: <path>" for every 404; the access log already has it.
        "django.request": {"level": "ERROR"},
        "django.db.backends": {"level": "WARNING"},
    },
}
