"""Reads that need several apps: the health check (studies and the linked source) and
a study's full record (the study, its reports and the imports it came from)."""

from __future__ import annotations

from django.conf import settings

from server import __version__
from server.core.params import clean_text
from server.database import vendor_name
from server.imports.linking import link_status
from server.imports.models import ImportRun
from server.reports.selectors import report_rows_of_study
from server.studies.errors import StudyNotFound
from server.studies.layout import STUDY_LAYOUT
from server.studies.models import Study
from server.studies.schemas import CONTRACT_FIELDS
from server.studies.selectors import study_count

# The source's columns beyond the contract's ten.
FULL_FIELDS = tuple(name for name in STUDY_LAYOUT.names if name not in CONTRACT_FIELDS)


def health_status() -> dict:
    return {
        "status": "ok",
        "version": __version__,
        "database": vendor_name(settings.DATABASES["default"]["ENGINE"]),
        "studies": study_count(),
        "linked_source": link_status(),
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
