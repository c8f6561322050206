"""The examinations table of the demo data: batches() draws its rows from random.Random(seed)
over a fixed three-year window, in the column order of STUDY_LAYOUT."""

from __future__ import annotations

import math
import random
from datetime import datetime
from itertools import accumulate

from server.demo.vocabulary import (
    CHECKED_IN,
    CHINESE_FEMALE,
    CHINESE_MALE,
    CHINESE_SURNAMES,
    GENERIC_DESCRIPTIONS,
    HOUR_WEIGHTS,
    HOURS,
    LATIN_NAMES,
    MODALITIES,
    NOT_FOR,
    RADIOLOGISTS,
    STATUS_WEIGHTS,
    STATUSES,
)

# Fixed rather than "three years up to today", so the output never depends on the clock.
WINDOW_START = datetime(2023, 11, 1)
WINDOW_DAYS = 3 * 365
# Column lists of this many rows keep memory bounded (DuckDB copies each parameter list)
# while each INSERT stays large enough to be fast. Changing it changes the data drawn.
BATCH = 25_000
# Every timestamp is drawn as microseconds since 1970 (see writer.py).
US_PER_SECOND = 1_000_000


def batches(rows: int, seed: int):
    """Yield the examinations BATCH rows at a time, as one list per column, the columns
    in STUDY_LAYOUT's order."""
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
                order_us = (day * 86_400 + hours[j] * 3_600 + int(rand() * 3_600)) * US_PER_SECOND
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
                age = min(99, age + max(0, order_us // (86_400 * US_PER_SECOND) - first_day) // 365)
            status = statuses[j]
            check_in = certification = physician = None
            if status in CHECKED_IN:
                minutes = math.exp(rng.gauss(math.log(median_minutes), 0.6))
                check_in = order_us + int(min(240.0, max(2.0, minutes)) * 60) * US_PER_SECOND
                if status == "completed":
                    hours_later = math.exp(rng.gauss(math.log(8), 1.0))
                    certification = check_in + int(min(72.0, max(0.5, hours_later)) * 3_600) * US_PER_SECOND
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
