"""Reads that need several apps: the health check (studies and the linked source) and
a study's full record (the study, its reports and the imports it came from)."""

from __future__ import annotations

from pathlib import Path

from django.db import connection

from server import __version__
from server.core.params import clean_text
from server.core.trigram import trigram_warning
from server.database import vendor_name
from server.imports.linking import link_status
from server.imports.models import ImportRun
from server.reports.filters import TRIGRAM_INDEXES as REPORT_TRIGRAM_INDEXES
from server.reports.selectors import report_rows_of_study
from server.studies.errors import StudyNotFound
from server.studies.filters import TRIGRAM_INDEXES as STUDY_TRIGRAM_INDEXES
from server.studies.layout import STUDY_LAYOUT
from server.studies.models import Study
from server.studies.schemas import CONTRACT_FIELDS
from server.studies.selectors import study_count

# The source's columns beyond the contract's ten.
FULL_FIELDS = tuple(name for name in STUDY_LAYOUT.names if name not in CONTRACT_FIELDS)


# Every pg_trgm index the searches count on (PostgreSQL; server/core/trigram.py).
TRIGRAM_INDEXES = (*STUDY_TRIGRAM_INDEXES, *REPORT_TRIGRAM_INDEXES)


def database_warnings() -> list[str]:
    """What makes the database slower than it should be, each in words with its remedy
    (health's warnings; logged once at every start)."""
    warning = trigram_warning(TRIGRAM_INDEXES)
    return [warning] if warning else []


def health_status() -> dict:
    database = connection.settings_dict
    vendor = vendor_name(database["ENGINE"])
    return {
        "status": "ok",
        "version": __version__,
        "database": vendor,
        "studies": study_count(),
        "linked_source": link_status(),
        # Where the records are, never how to log in: no user, no password.
        "database_host": (database.get("HOST") or "localhost") if vendor == "postgresql" else None,
        "database_name": database["NAME"] if vendor == "postgresql" else Path(database["NAME"]).name,
        "warnings": database_warnings(),
    }


def study_full(*, exam_id: str) -> dict:
    """Every stored field of a study: the contract's ten, the four others, the source's
    unnamed columns, its reports (newest first) and where its data came from."""
    exam_id = clean_text("exam_id", exam_id)
    study = Study.objects.filter(exam_id=exam_id).first()
    if study is None:
        raise StudyNotFound()
    runs = {study.first_import_id, study.last_import_id} - {None}
    files = dict(ImportRun.objects.filter(pk__in=runs).values_list("pk", "source_path"))
    return {
        **{name: getattr(study, name) for name in (*CONTRACT_FIELDS, *FULL_FIELDS)},
        "extra": study.extra,
        "reports": report_rows_of_study(exam_id=exam_id),
        "import": {
            "first_imported_at": study.created_at,
            "first_job_id": study.first_import_id,
            "first_file": files.get(study.first_import_id),
            "last_changed_at": study.updated_at,
            "last_job_id": study.last_import_id,
            "last_file": files.get(study.last_import_id),
        },
    }
