"""The reports table of the demo data, drawn from the examinations batch by batch with
its own random.Random, so that adding it left the examinations of a seed unchanged."""

from __future__ import annotations

import random
from datetime import datetime

from server.demo.exams import US_PER_SECOND, WINDOW_START
from server.demo.vocabulary import (
    ADDENDA,
    CHEST,
    CHEST_ITEMS,
    CHEST_NODULE_ODDS,
    DE,
    EN,
    ES,
    FINDINGS,
    FR,
    ITEM_FINDINGS,
    LANGUAGES,
    LATIN_NAMES,
    MODALITIES,
    RADIOLOGISTS,
    ZH,
)
from server.studies.layout import STUDY_LAYOUT

# The examination columns the reports are drawn from, and lookups into the vocabulary.
_EXAM_COLUMN = {name: i for i, name in enumerate(STUDY_LAYOUT.names)}
_REPORT_INPUT = ("exam_id", "patient_name", "exam_status", "exam_item", "order_datetime",
                 "check_in_datetime", "report_certification_datetime", "certified_physician")
_PRELIMINARY = {"in_progress": 0.6, "pending": 0.4}  # chance of a preliminary report
_FIRST_DAY = (WINDOW_START - datetime(1970, 1, 1)).days
_ITEMS = tuple(item for modality in MODALITIES for item, _ in modality[3])
_CHEST = tuple(CHEST[code] for code in LANGUAGES)
_SURNAME_LANGUAGE = {surname: lang for lang, (_, _, surnames) in zip((EN, DE, FR, ES), LATIN_NAMES)
                     for surname in surnames}


class Reports:
    """The reports table, one batch of examinations at a time: each batch's reports are
    drawn from that batch alone, so memory stays bounded however many rows there are.

    A certified exam gets a final report at its certification time, and a few of those a
    later amended one; some exams under way or pending get a preliminary report; and about
    one report in 200 exams is an orphan whose exam came from an older system."""

    def __init__(self, rows: int, seed: int):
        # Their own generator: drawing from the examinations' one would change them.
        self.rng = random.Random(f"{seed}-reports")
        self.rows = rows
        self.orphans = rows // 200  # at least one from 200 rows on
        self.exams = 0  # examinations seen so far
        self.written = 0  # reports numbered so far
        self.home = {}  # patient name -> the language of the name

    def batch(self, exams: list[list]) -> list[list] | None:
        """The report columns for one batch of examination columns, or None if it has none."""
        rand = self.rng.random
        out = []

        def add(exam_id, findings, radiologist, created_us, status):
            self.written += 1
            out.append((f"RP{self.written:09d}", exam_id, findings, radiologist, created_us, status))

        for exam_id, name, status, item, ordered, checked_in, certified, physician in zip(
                *(exams[_EXAM_COLUMN[c]] for c in _REPORT_INPUT)):
            if status == "completed" and certified is not None:
                lang = self._language(rand, name)
                findings = _findings(rand, item, lang)
                add(exam_id, findings, physician, certified, "final")
                if rand() < 0.03:  # corrected or completed up to four days later
                    addendum = ADDENDA[int(rand() * len(ADDENDA))][lang]
                    amended = findings + ("" if lang == ZH else " ") + addendum
                    later = certified + int((1 + rand() * 95) * 3_600) * US_PER_SECOND
                    add(exam_id, amended, physician, later, "amended")
            elif status in _PRELIMINARY and rand() < _PRELIMINARY[status]:
                lang = self._language(rand, name)
                created = (checked_in or ordered) + int((10 + rand() * 110) * 60) * US_PER_SECOND
                radiologist = physician or _radiologist(rand)
                add(exam_id, _findings(rand, item, lang), radiologist, created, "preliminary")

        before, self.exams = self.exams, self.exams + len(exams[0])
        for _ in range(self.exams * self.orphans // self.rows - before * self.orphans // self.rows):
            r = rand()  # mostly English, like the reports of patients with Latin names
            lang = EN if r < 0.55 else ZH if r < 0.8 else DE if r < 0.87 else FR if r < 0.94 else ES
            item = _ITEMS[int(rand() * len(_ITEMS))]
            day = _FIRST_DAY - 1 - int(rand() * 730)  # in the two years before the window
            created = (day * 86_400 + (8 + int(rand() * 10)) * 3_600 + int(rand() * 3_600)) * US_PER_SECOND
            add(f"OLD-{int(rand() * 1_000_000):06d}", _findings(rand, item, lang), _radiologist(rand),
                created, "final")
        return [list(column) for column in zip(*out)] if out else None

    def _language(self, rand, name: str) -> int:
        """Chinese for most patients with Chinese names, the name's language for some with
        German, French or Spanish names, English otherwise."""
        home = self.home.get(name)
        if home is None:  # Chinese names have no space and no Latin surname
            home = self.home[name] = _SURNAME_LANGUAGE.get(name.rsplit(" ", 1)[-1], ZH)
        if home == EN:
            return EN
        return home if rand() < (0.8 if home == ZH else 0.4) else EN


def _findings(rand, item: str, lang: int) -> str:
    """A few template sentences in language lang that fit the exam item."""
    chest = CHEST_ITEMS.get(item)
    if chest is None:
        rows = FINDINGS[ITEM_FINDINGS[item]]
        n, first = len(rows), int(rand() * len(rows))
        sentences = [rows[(first + k) % n][lang] for k in range(min(n, 2 + (rand() < 0.4)))]
    else:
        t = _CHEST[lang]
        rest = t[chest]
        n, first = len(rest), int(rand() * len(rest))
        sentences = [rest[(first + k) % n] for k in range(1 + (rand() < 0.5))]
        sized, several, unsized, negated = CHEST_NODULE_ODDS[chest]
        r = rand()
        if r < negated:
            lobe = t["lobes"][int(rand() * len(t["lobes"]))]
            size = a = b = ""
            if r < sized:  # mostly small on CT; X-ray sees only the larger ones
                templates = t["sized" if chest == "ct" else "sized_xr"]
                size = _size(rand, 3 + int(rand() ** 2 * 25) if chest == "ct" else 8 + int(rand() * 22), lang)
            elif r < several:
                templates = t["several"]
                small = 3 + int(rand() * 5)
                a, b = _size(rand, small, lang, cm=False), _size(rand, small + 1 + int(rand() * 8), lang)
            else:
                templates = t["unsized" if r < unsized else "negated"]
            sentence = templates[int(rand() * len(templates))].format(lobe=lobe, size=size, a=a, b=b)
            sentences.insert(0 if rand() < 0.7 else 1, sentence)
    return ("" if lang == ZH else " ").join(sentences)


def _size(rand, mm: int, lang: int, cm: bool = True) -> str:
    """A nodule size as a report writes it: "6 mm", "1.2 cm", "1,2 cm", "8mm", "1.2厘米"."""
    if cm and mm >= 10 and rand() < 0.6:
        number, units = f"{mm / 10:g}", ("cm", "厘米")
    else:
        number, units = str(mm), ("mm", "毫米")
    if lang == ZH:
        return number + units[rand() < 0.3]
    return f"{number if lang == EN else number.replace('.', ',')} {units[0]}"


def _radiologist(rand) -> str:
    return RADIOLOGISTS[int(rand() * len(RADIOLOGISTS))]

