"""Writes of studies outside the importer (which writes in bulk with the same
study_derive): each stores the derived columns with the fields they come from."""

from __future__ import annotations

from server.clock import local_now
from server.studies.derive import study_derive
from server.studies.layout import STUDY_LAYOUT
from server.studies.models import Study


def _source_values(study: Study) -> dict:
    return {name: getattr(study, name) for name in STUDY_LAYOUT.names}


def study_create(**fields) -> Study:
    """Store a new study; fields are the model's (exam_id and order_datetime at least)."""
    study = Study(**fields)
    for name, value in study_derive(values=_source_values(study)).items():
        setattr(study, name, value)
    study.save(force_insert=True)
    return study


def study_update(*, study: Study, **changes) -> Study:
    """Change a stored study's fields, with its derived columns and updated_at."""
    for name, value in changes.items():
        setattr(study, name, value)
    derived = study_derive(values=_source_values(study))
    for name, value in derived.items():
        setattr(study, name, value)
    study.updated_at = local_now()
    study.save(update_fields=[*changes, *derived, "updated_at"])
    return study
