"""Writes of studies outside the importer (which writes in bulk with the same
study_derive): each stores the derived columns with the fields they come from."""

from __future__ import annotations

from server.clock import local_now
from server.core.records import derive_fields
from server.studies.derive import study_derive
from server.studies.layout import STUDY_LAYOUT
from server.studies.models import Study


def study_create(**fields) -> Study:
    """Store a new study; fields are the model's (exam_id and order_datetime at least)."""
    study = Study(**fields)
    derive_fields(study, layout=STUDY_LAYOUT, derive=study_derive)
    study.save(force_insert=True)
    return study


def study_update(*, study: Study, **changes) -> Study:
    """Change a stored study's fields, with its derived columns and updated_at."""
    for name, value in changes.items():
        setattr(study, name, value)
    derived = derive_fields(study, layout=STUDY_LAYOUT, derive=study_derive)
    study.updated_at = local_now()
    study.save(update_fields=[*changes, *derived, "updated_at"])
    return study
