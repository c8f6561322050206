import datetime as dt

import pytest

from server.core.text import SEPARATOR, fold
from server.studies.derive import study_derive
from server.studies.models import Study
from server.studies.services import study_create, study_update

pytestmark = pytest.mark.django_db


def test_extra_keeps_the_source_column_order_and_values():
    extra = {"zeta": 1, "alpha": [1, 2.5], "mid": "ü 中", "n": None, "big": 2**62}
    study_create(exam_id="E1", order_datetime=dt.datetime(2025, 1, 1), extra=extra)
    stored = Study.objects.get(pk="E1").extra
    assert list(stored) == ["zeta", "alpha", "mid", "n", "big"]
    assert stored == extra


def test_datetimes_round_trip_naive_to_the_microsecond():
    value = dt.datetime(2024, 3, 31, 2, 30, 0, 999999)  # inside a DST gap in much of Europe
    study_create(exam_id="E1", order_datetime=value)
    stored = Study.objects.get(pk="E1").order_datetime
    assert stored == value and stored.tzinfo is None


def test_long_and_awkward_text_is_stored_exactly():
    description = (" \tleading and trailing\t " + "描述 é " * 20_000)[:100_000]
    study_create(exam_id="E1", order_datetime=dt.datetime(2025, 1, 1), exam_description=description)
    assert Study.objects.get(pk="E1").exam_description == description


def test_search_text_is_maintained_by_the_services():
    study = study_create(exam_id="E1", order_datetime=dt.datetime(2025, 1, 1), patient_name="ÉVA")
    assert Study.objects.get(pk="E1").search_text == SEPARATOR.join(["e1", "éva"])
    study_update(study=study, exam_item="Chest CT")
    assert Study.objects.get(pk="E1").search_text == SEPARATOR.join(["e1", "éva", "chest ct"])


@pytest.mark.parametrize(
    "text,folded",
    [("ÉMILE", "émile"), ("Straße", "strasse"), ("ΟΔΥΣΣΕΥΣ", "οδυσσευσ"), ("E\u0301", "é"), ("中文", "中文")],
)
def test_fold_is_unicode_caseless_and_composed(text, folded):
    assert fold(text) == folded


def test_search_text_skips_missing_fields_and_ignores_other_fields():
    assert study_derive(values={"exam_id": "A", "patient_name": None, "exam_status": "X"})["search_text"] == "a"
