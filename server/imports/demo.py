"""Synthetic demo data in the clinic's source layout.

demo_data_write() writes a DuckDB file holding one table, medical_examinations_fact,
with the 14 columns of the clinic's export and plausible content: common modalities
and items, Latin and Chinese names, patients with several exams, NULLs where the
source leaves gaps, and order, check-in and report times in a believable sequence.
It is for demos, manual tests and benchmarks, where real patient data must never go.

The same rows and seed always give the same table: every value comes from
random.Random(seed) over a fixed three-year window, never from the clock or from
DuckDB's random(), whose sequence may change between versions.
"""

from __future__ import annotations

import math
import os
import pathlib
import random
import uuid
from datetime import datetime
from itertools import accumulate

import duckdb

TABLE = "medical_examinations_fact"
COLUMNS = (
    ("exam_id", "VARCHAR"),
    ("medical_record_no", "VARCHAR"),
    ("application_order_no", "VARCHAR"),
    ("patient_name", "VARCHAR"),
    ("patient_gender", "VARCHAR"),
    ("patient_age", "INTEGER"),
    ("exam_status", "VARCHAR"),
    ("exam_source", "VARCHAR"),
    ("exam_item", "VARCHAR"),
    ("exam_description", "VARCHAR"),
    ("order_datetime", "TIMESTAMP"),
    ("check_in_datetime", "TIMESTAMP"),
    ("report_certification_datetime", "TIMESTAMP"),
    ("certified_physician", "VARCHAR"),
)

# (exam_source, weight, median minutes from order to check-in, (exam_item, indication)
# pairs with the common items first)
MODALITIES = (
    ("CT", 24, 45, (
        ("Chest CT", "Follow-up of a known pulmonary nodule."),
        ("Head CT", "Headache after a fall; rule out intracranial bleeding."),
        ("Abdominal CT", "Right lower quadrant pain; suspected appendicitis."),
        ("CT pulmonary angiography", "Shortness of breath and raised D-dimer; rule out embolism."),
        ("Lumbar spine CT", "Back pain after a car accident."),
        ("Sinus CT", "Chronic sinusitis not responding to antibiotics."))),
    ("X-ray", 26, 15, (
        ("Chest X-ray", "Cough and fever for five days."),
        ("Knee X-ray", "Chronic knee pain, suspected osteoarthritis."),
        ("Wrist X-ray", "Fall on outstretched hand; rule out fracture."),
        ("Ankle X-ray", "Twisted ankle playing football."),
        ("Pelvis X-ray", "Hip pain after a fall at home."),
        ("Hand X-ray", "Swollen finger joints; rheumatoid arthritis?"))),
    ("US", 20, 30, (
        ("Abdominal US", "Right upper quadrant pain after meals; gallstones?"),
        ("Thyroid US", "Palpable thyroid nodule."),
        ("Renal US", "Raised creatinine; assess kidney size."),
        ("Obstetric US", "Routine second-trimester scan."),
        ("Breast US", "Palpable lump in the left breast."),
        ("Carotid Doppler US", "Dizziness; assess carotid stenosis."))),
    ("MRI", 10, 90, (
        ("Brain MRI", "Recurrent headaches with visual aura."),
        ("Knee MRI", "Locking knee after a sports injury."),
        ("Lumbar spine MRI", "Low back pain radiating to the left leg."),
        ("Shoulder MRI", "Painful arc; suspected rotator cuff tear."),
        ("Cervical spine MRI", "Neck pain with tingling in both hands."),
        ("Prostate MRI", "Rising PSA; assess for prostate cancer."))),
    ("DX", 8, 12, (
        ("Chest radiograph PA/lateral", "Routine occupational health check."),
        ("Lumbar spine radiograph", "Back pain for six weeks."),
        ("Hip radiograph", "Hip pain when walking."),
        ("Bone age radiograph", "Short stature; assess bone age."))),
    ("MG", 6, 20, (
        ("Screening mammography", "Biennial screening, no complaints."),
        ("Diagnostic mammography", "Palpable lump in the right breast."))),
    ("NM", 4, 60, (
        ("Bone scintigraphy", "Staging of known breast cancer."),
        ("Thyroid scintigraphy", "Hyperthyroidism; hot nodule?"),
        ("Myocardial perfusion scan", "Exertional chest pain; assess ischaemia."))),
    ("PET-CT", 2, 75, (
        ("Whole-body FDG PET-CT", "Staging of newly diagnosed lymphoma."),
        ("PSMA PET-CT", "Biochemical recurrence of prostate cancer."))),
)
# Items a patient of this gender is never sent for.
NOT_FOR = {"Obstetric US": "M", "Breast US": "M", "Screening mammography": "M",
           "Diagnostic mammography": "M", "Prostate MRI": "F", "PSMA PET-CT": "F"}
# Descriptions that fit any item.
GENERIC_DESCRIPTIONS = ("Follow-up; compare with the previous examination.",
                        "Post-operative control.", "Referred by the general practitioner.",
                        "Requested by the emergency department.")

STATUSES = ("completed", "scheduled", "pending", "cancelled", "in_progress", "failed")
STATUS_WEIGHTS = (80, 6, 5, 5, 3, 1)
CHECKED_IN = frozenset({"completed", "in_progress", "failed"})

HOURS = tuple(range(7, 20))
HOUR_WEIGHTS = (3, 9, 11, 11, 10, 6, 7, 9, 8, 7, 5, 3, 2)  # busy mornings, quiet lunch

# (male given names, female given names, surnames) per language
LATIN_NAMES = (
    (("James", "Michael", "David", "Thomas", "Daniel"),
     ("Mary", "Emma", "Sarah", "Olivia", "Grace"),
     ("Smith", "Johnson", "Brown", "Taylor", "O'Brien", "Walker")),
    (("Jürgen", "Lukas", "Matthias", "Jörg", "Stefan"),
     ("Käthe", "Anna", "Jutta", "Sabine", "Lena"),
     ("Müller", "Schröder", "Weiß", "Köhler", "Groß", "Bäcker")),
    (("François", "Étienne", "Jean", "Loïc", "Hervé"),
     ("Hélène", "Chloé", "Amélie", "Léa", "Zoé"),
     ("Dubois", "Lefèvre", "Moreau", "Girard", "Benoît")),
    (("José", "Javier", "Andrés", "Iñigo", "Raúl"),
     ("María", "Lucía", "Inés", "Begoña", "Sofía"),
     ("García", "Fernández", "Núñez", "Martínez", "Pérez", "Ibáñez")),
)
CHINESE_SURNAMES = ("王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙",
                    "马", "朱", "胡", "郭", "何", "林", "欧阳")
CHINESE_MALE = ("伟", "强", "磊", "军", "洋", "勇", "杰", "涛", "明", "超", "俊杰", "建华", "志强")
CHINESE_FEMALE = ("芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "婷", "秀英", "晓燕", "雪梅")

RADIOLOGISTS = ("Dr. Anna Schmidt", "Dr. Pierre Lefèvre", "Dr. Carmen Ruiz", "Dr. Robert Hughes",
                "Dr. Jörg Bäumer", "陈建国", "林晓燕", "周志明", "王丽华")

# Fixed rather than "three years up to today", so the output never depends on the clock.
WINDOW_START = datetime(2023, 11, 1)
WINDOW_DAYS = 3 * 365
# Column lists of this many rows keep memory bounded (DuckDB copies each parameter list)
# while each INSERT stays large enough to be fast. Changing it changes the data drawn.
BATCH = 25_000
_US = 1_000_000

# Timestamps travel as microseconds since 1970 (cheaper than datetime objects to build);
# make_timestamp turns them back into naive wall-clock time. Unnesting the lists from a
# subquery, rather than straight from the parameters, makes the INSERT about twice as fast.
_INSERT = (
    f"INSERT INTO {TABLE} SELECT "
    + ", ".join(f"make_timestamp(unnest(c{i}))" if kind == "TIMESTAMP" else f"unnest(c{i})"
                for i, (_, kind) in enumerate(COLUMNS))
    + " FROM (SELECT "
    + ", ".join(f"${i + 1}::{'BIGINT' if kind == 'TIMESTAMP' else kind}[] AS c{i}"
                for i, (_, kind) in enumerate(COLUMNS))
    + ")"
)


def demo_data_write(*, path: pathlib.Path, rows: int, seed: int = 0, force: bool = False) -> int:
    """Write a realistic synthetic DuckDB file in the clinic's source layout; returns rows written."""
    path = pathlib.Path(path)
    if rows < 0:
        raise ValueError(f"rows must be 0 or more, not {rows}")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"cannot write {path}: the folder {path.parent} does not exist")
    if path.exists() and not force:
        raise FileExistsError(f"{path} already exists; pass --force to replace it")

    # Written beside the target and renamed at the end, so an interrupted run never
    # leaves a half-written file at path.
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.partial")
    try:
        con = duckdb.connect(str(partial))
        try:
            con.execute(f"CREATE TABLE {TABLE} ({', '.join(f'{n} {k}' for n, k in COLUMNS)})")
            for batch in _batches(rows, seed):
                con.execute(_INSERT, batch)
        finally:
            con.close()  # checkpoints, so the data is in the file itself, not a WAL
        if path.exists() and not force:
            raise FileExistsError(f"{path} already exists; pass --force to replace it")
        # A WAL left by the database being replaced would be replayed onto the new one.
        pathlib.Path(f"{path}.wal").unlink(missing_ok=True)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
        pathlib.Path(f"{partial}.wal").unlink(missing_ok=True)
    return rows


def _batches(rows: int, seed: int):
    """Yield the table BATCH rows at a time, as one list per column."""
    rng = random.Random(seed)
    rand = rng.random  # int(rand() * n) rather than randrange(n): several times faster
    patients = max(1, rows // 4)  # about four exams per patient
    names, genders, ages = _patients(rng, patients)
    first_day = (WINDOW_START - datetime(1970, 1, 1)).days
    modality_weights = list(accumulate(m[1] for m in MODALITIES))
    status_weights = list(accumulate(STATUS_WEIGHTS))
    hour_weights = list(accumulate(HOUR_WEIGHTS))
    order_no = 300_000_000
    previous = None
    for start in range(0, rows, BATCH):
        n = min(BATCH, rows - start)
        modalities = rng.choices(MODALITIES, cum_weights=modality_weights, k=n)
        statuses = rng.choices(STATUSES, cum_weights=status_weights, k=n)
        hours = rng.choices(HOURS, cum_weights=hour_weights, k=n)
        batch = []
        for j in range(n):
            i = start + j
            if previous is not None and rand() < 0.03:
                # A second exam on the same request: same patient, time and modality.
                patient, order_us, modality, order_text = previous
            else:
                modality = modalities[j]
                patient = None
                # Days rise with the row number, so exam ids grow with time as in the source.
                day = first_day + int((i + rand()) * WINDOW_DAYS / rows)
                weekday = (day + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0
                if weekday >= 5 and rand() < 0.8:  # the clinic mostly rests at weekends
                    day += int(rand() * 5) - weekday  # a weekday of the same week instead
                order_us = (day * 86_400 + hours[j] * 3_600 + int(rand() * 3_600)) * _US
                if rand() < 0.05:  # some source systems keep microseconds
                    order_us += 1 + int(rand() * 999_999)
                order_no += 1 + int(rand() * 3)
                order_text = f"AO{order_no:09d}"
            source, _, median_minutes, exam_items = modality
            item, indication = exam_items[int(len(exam_items) * rand() ** 2)]  # common first
            unsuited = NOT_FOR.get(item)
            if patient is None:
                for _ in range(20):  # not forever: a tiny demo may have no suitable patient
                    patient = int(rand() * patients)
                    if genders[patient] != unsuited:
                        break
            elif genders[patient] == unsuited:
                item, indication = exam_items[0]  # suits anyone this modality's first exam suited
            previous = patient, order_us, modality, order_text
            age = ages[patient]
            if age is not None:  # patients grow older over the three years
                age = min(99, age + max(0, order_us // (86_400 * _US) - first_day) // 365)
            status = statuses[j]
            check_in = certification = physician = None
            if status in CHECKED_IN:
                minutes = math.exp(rng.gauss(math.log(median_minutes), 0.6))
                check_in = order_us + int(min(240.0, max(2.0, minutes)) * 60) * _US
                if status == "completed":
                    hours_later = math.exp(rng.gauss(math.log(8), 1.0))
                    certification = check_in + int(min(72.0, max(0.5, hours_later)) * 3_600) * _US
                    physician = RADIOLOGISTS[int(rand() * len(RADIOLOGISTS))]
            r = rand()
            description = (indication if r < 0.5 else
                           GENERIC_DESCRIPTIONS[int((r - 0.5) * 16)] if r < 0.75 else None)
            batch.append((f"EX{i + 1:08d}", f"MR{patient + 1:07d}", order_text, names[patient],
                          genders[patient], age, status, source, item, description, order_us,
                          check_in, certification, physician))
        yield [list(column) for column in zip(*batch)]


def _patients(rng: random.Random, count: int) -> tuple[list, list, list]:
    """Name, gender and age at the window's start of each patient, drawn once so that
    every exam of a patient agrees."""
    names, genders, ages = [], [], []
    shared = {}  # names repeat, so equal ones share one string
    for _ in range(count):
        g = rng.random()
        gender = "M" if g < 0.48 else "F" if g < 0.96 else "U" if g < 0.99 else None
        male = gender == "M" or (gender not in ("M", "F") and rng.random() < 0.5)
        if rng.random() < 1 / 3:  # a third of the patients have Chinese names
            given = CHINESE_MALE if male else CHINESE_FEMALE
            name = rng.choice(CHINESE_SURNAMES) + rng.choice(given)
        else:
            males, females, surnames = rng.choice(LATIN_NAMES)
            name = f"{rng.choice(males if male else females)} {rng.choice(surnames)}"
        names.append(shared.setdefault(name, name))
        genders.append(gender)
        # The sum of two uniforms peaks mid-life, like the patients of an imaging clinic.
        ages.append(None if rng.random() < 0.01 else int(50 * (rng.random() + rng.random())))
    return names, genders, ages
