"""Lung nodules in the written findings of radiology reports.

This reading looks only at the text a radiologist wrote, never at images. It lists the
sentences that report a pulmonary nodule, each with the number of nodules and the size
the sentence states, and shows each result with the sentence it came from, so that a
reader can always check it. It does not guess: no size is given when none is written.

How it decides:
1. The findings are cut into sentences at . ! ? ; (and 。！？；) and at line breaks. A
   full stop between two digits ("1.2 cm") is a decimal point, not the end of a sentence.
   A sentence is cut again where it turns with "but" or "however" ("aber", "mais",
   "pero", "但"), so "No nodule on the left, but a 6 mm nodule on the right" is read as
   two parts, of which only the second reports a nodule.
2. A part speaks of a nodule when it holds a nodule word: nodule, micronodule, nodular
   opacity (English, French), Rundherd, Knoten, Nodulus, Noduli (German), nódulo
   (Spanish), 结节 (Chinese). A part that names another organ (thyroid, liver, breast...)
   or a thyroid term ("hot nodule") and not the lung is left out.
3. A nodule word does not count when it is negated: a negative word shortly before it in
   the same part ("no", "without", "negative for", "kein", "pas de", "sin", "未见", "无"),
   or a phrase shortly after it ("not seen", "has resolved", "nicht nachweisbar",
   "已消失"). A request such as "rule out nodule" is read the same way: it asks a
   question, it does not report a finding. Phrases that only look negative ("no change
   in the nodule", "cannot be excluded", "sin cambios") do not negate.
4. The size is the largest length in mm or cm written in the same part, converted to mm
   ("1.2 cm" and "1,2 cm" are 12 mm; "8 x 6 mm" is 8 mm). Numbers without a length unit
   (dates, segment, series and image numbers, months, HU) are never sizes, and neither
   are slice thicknesses.
5. The count is the number written before the nodule word ("two", "3", "两枚"). Words
   such as "multiple", "several" or "多发", or a plural without a number, mean several
   nodules of unstated number; a singular means one.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

_I = re.IGNORECASE
_CJK = "\u4e00-\u9fff"


@dataclass(frozen=True)
class NoduleMention:
    sentence: str  # the sentence or clause as written, without its closing punctuation
    count: int | None  # None: several nodules, number not stated
    size_mm: float | None  # the largest size stated, in mm


NODULE_WORDS = (
    r"\b(?:micro-?)?n[oó]dul(?:es?|i|us|os?)\b",  # nodule(s), Nodulus/Noduli, nódulo(s)
    r"\bnodular\s+(?:opacit(?:y|ies)|densit(?:y|ies)|lesions?)\b",
    r"\b(?:opacit[ée]s?|l[ée]sions?)\s+nodulaires?\b",
    r"\bopacidad(?:es)?\s+nodular(?:es)?\b",
    r"\bnodul(?:ä|ae)re[n]?\s+(?:verdichtung|verschattung)(?:en)?\b",
    r"\b(?:lungen)?rundherd(?:e|en)?\b",
    r"\b(?:lungen)?kn(?:oten|ötchen)\b",  # \b keeps out "Lymphknoten" (lymph node)
    r"[小微]?结节(?!病)",  # 结节病 is sarcoidosis
)
# Words that may be singular or plural (Knoten, 结节) count as singular.
PLURAL_ENDING = r"(?:(?<!u)s|i|herde|herden|ungen)$"  # not "Nodulus"

NEGATION_BEFORE = (
    r"\bno\b", r"\bnot\b", r"\bnone\b", r"\bnor\b", r"\bwithout\b", r"\bnegative\s+for\b",
    r"\bfree\s+of\b", r"\babsence\b", r"\bresolution\s+of\b", r"\brule[sd]?\s+out\b", r"\br/o\b",
    r"\bexclu(?:de|sion)\b", r"\b(?:evaluat(?:e|ion)|assess(?:ment)?|check|search)\s+for\b",
    r"\bkein(?:e|en|em|er|es)?\b", r"\bohne\b", r"\bnicht\b", r"\bfrei\s+von\b", r"\bweder\b",
    r"\bausschlu(?:ss|ß)\b",
    r"\bpas\b", r"\baucun(?:e|s|es)?\b", r"\bsans\b", r"\bni\b", r"\b(?:exclure|[ée]liminer)\b",
    r"\bsin\b", r"\bning[uú]n[oa]?\b", r"\bausencia\b", r"\bdescartar\b", r"\bnegativo\s+para\b",
    r"未见|未发现|未显示|未探及|未检出|无|没有|排除|除外",
)
NEGATION_AFTER = (
    r"\b(?:not|no\s+longer)\s+(?:\w+\s+)?(?:seen|identified|visuali[sz]ed|present|detected"
    r"|demonstrated|evident|visible|appreciated|observed|noted)\b",
    r"\b(?:resolved|disappeared|absent|excluded|ruled\s+out)\b",
    r"^\W*(?:none|nil|no|keine?|aucun|ninguno|无|未见)\W*$",  # "Nodules: none."
    r"\bnicht\s+(?:mehr\s+)?(?:nachweisbar|nachgewiesen|abgrenzbar|abzugrenzen|sichtbar"
    r"|erkennbar|darstellbar)\b",
    r"\b(?:ausgeschlossen|auszuschlie(?:ß|ss)en)\b",
    r"\b(?:pas|non)\s+(?:\w+\s+)?(?:visibles?|retrouvée?s?|vue?s?|visualisée?s?|identifiée?s?)\b",
    r"\bdisparue?s?\b",
    r"\bno\s+(?:se\s+)?(?:observan?|visualizan?|identifican?|aprecian?|evidencian?|visibles?)\b",
    r"\bdesaparecid[oa]s?\b",
    r"已?消失|(?:已|完全)吸收|未再?见显示|未再(?:见|显示)",
)
# Masked before negations are looked for: they look negative but say a nodule is there.
PSEUDO_NEGATIONS = (
    r"\bno\s+(?:\w+\s+){0,2}?(?:change|changes|increase|growth|enlargement|progression)\b",
    r"\bnot\s+(?:significantly\s+)?(?:changed|increased|enlarged|grown)\b",
    r"\bnot\s+only\b",
    r"\b(?:cannot|can\s*not|could\s+not|not)\s+(?:be\s+)?(?:excluded|exclude|ruled\s+out|rule\s+out)\b",
    r"\bnot\s+(?:seen|visible|present|identified)\s+(?:previously|before|on\s+(?:the\s+)?prior\w*)\b",
    r"\bpreviously\s+not\s+seen\b",
    r"\b(?:partially|partly|incompletely|not(?:\s+yet)?)\s+resolved\b",
    r"\bwithout\s+(?:\w+\s+)?change\b",
    r"\bohne\s+(?:\w+\s+)?(?:änderung|veränderung|befundänderung|progredienz|größenprogredienz"
    r"|größenzunahme|wachstum)\b",
    r"\bnicht\s+(?:sicher\s+)?(?:auszuschlie(?:ß|ss)en|ausgeschlossen)\b",
    r"\b(?:sans|pas\s+d[e'])\s*(?:\w+\s+)?(?:changement|modification|évolution)\b",
    r"\bsin\s+(?:\w+\s+)?(?:cambios?|variaci[oó]n|variaciones|crecimiento)\b",
    r"\bno\s+(?:se\s+)?pueden?\s+descartar\w*",
    r"不除外|不排除|(?:无|未见)(?:明显)?(?:变化|增大|增长)|无钙化",
)

NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7,
    "acht": 8, "neun": 9, "zehn": 10, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "sept": 7,
    "huit": 8, "neuf": 9, "dix": 10, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6,
    "siete": 7, "ocho": 8, "nueve": 9, "diez": 10,
}
CHINESE_NUMBERS = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
                   "九": 9, "十": 10}
QUANTIFIERS = (
    "multiple", "several", "numerous", "innumerable", "countless", "many", "few", "some",
    "scattered", "various", "mehrere", "zahlreiche[n]?", "einige[n]?", "vereinzelte[n]?",
    "plusieurs", "multiples", "nombreux", "quelques", "varios", "varias", "m[uú]ltiples",
    "numeros[oa]s", "algun[oa]s", "diversos",
)
CHINESE_QUANTIFIERS = ("多发", "多个", "多枚", "多颗", "多处", "数个", "数枚", "若干", "散在", "弥漫",
                       "双肺", "两肺")  # "in both lungs": more than one, number not stated

# Names of other organs; a part naming one of these and not the lung is about that organ.
OTHER_ORGANS = (
    r"\b(?:thyroid\w*|adrenal|liver|hepatic|renal|kidneys?|breasts?|skin|(?:sub)?cutaneous"
    r"|spleen|splenic|pancrea\w*|prostat\w*|ti-?rads|schilddrüs\w*|nebenniere\w*|leber\w*"
    r"|niere\w*|mamma\w*|thyro[iï]d\w*|surr[ée]nal\w*|foie|h[ée]patique|r[ée]nal|mammaire"
    r"|tiroide\w*|suprarrenal\w*|h[ií]gado|hep[aá]tic[oa]|mamari[oa])\b",
    r"甲状腺|肾上腺|肝|肾|乳腺|乳房|皮下|皮肤|脾|胰",
    # hot and cold nodules are thyroid scintigraphy
    r"\b(?:hot|cold|warm)\s+nodules?\b|\b(?:hei(?:ß|ss)|kalt|warm)e[nmrs]?\s+knoten\b"
    r"|\bnodules?\s+(?:chaud|froid)s?\b|\bn[oó]dulos?\s+(?:caliente|fr[ií]o)s?\b|[热冷温]结节",
)
LUNG_WORDS = (
    r"\b(?:lung\w*|pulmo\w*|poumons?|pulm[oó]n|lingula\w*|l[ií]ngula|(?:upper|middle|lower)\s+lobes?"
    r"|[RL][UML]L|\w*(?:ober|mittel|unter)lappen\w*)\b",
    r"肺",
)


def _any(patterns, flags=_I):
    return re.compile("|".join(f"(?:{p})" for p in patterns), flags)


NODULE_RE = _any(NODULE_WORDS)
NEGATION_BEFORE_RE = _any(NEGATION_BEFORE)
NEGATION_AFTER_RE = _any(NEGATION_AFTER)
PSEUDO_RE = _any(PSEUDO_NEGATIONS)
OTHER_ORGAN_RE = _any(OTHER_ORGANS)
LUNG_RE = _any(LUNG_WORDS)

_SENTENCE_END = re.compile(r"(?<!\d)\.|\.(?!\d)|[!?;。！？；\n\r]")
_CLAUSE_TURN = re.compile(r"\b(?:but|however|whereas|aber|jedoch|mais|pero|sin\s+embargo)\b"
                          r"|但是?|然而|不过", _I)
_DETERMINER = (r"(?:\d|(?:a|an|the|one|ein\w*|un|une|una|uno|el|la|le|les|los|las|"
               + "|".join(QUANTIFIERS + tuple(NUMBER_WORDS)) + r")\b)")
# What ends the reach of a negation before a nodule word: a new finding after a comma or
# "and" ("No effusion, a 6 mm nodule"), an exception, or (Chinese) 见/有/示 or a comma.
_SCOPE_END = re.compile(
    r"(?:,|\b(?:and|und|et|y|with|mit|avec|con|plus|while)\b)\s*" + _DETERMINER
    + r"|\b(?:although|though|except|apart\s+from|other\s+than|besides|aside\s+from"
    r"|there\s+(?:is|are)|which|known|außer|sauf|excepto|salvo)\b"
    + rf"|[见有示]|(?<=[{_CJK}])\s*,|,\s*(?=[{_CJK}])", _I)
_WORD = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+")
# Words within reach of a negation, NegEx-style: wider after the nodule word, where a
# location often comes first ("nodule in the right upper lobe has resolved"); in Chinese
# each character counts.
_REACH_BEFORE, _REACH_AFTER, _REACH_CHARS = 8, 10, 12

_COUNT = re.compile(
    r"\b(?P<latin>\d{1,2}|" + "|".join(QUANTIFIERS + tuple(NUMBER_WORDS)) + r")\b"
    + r"|(?P<cjk>" + "|".join(CHINESE_QUANTIFIERS) + ")"
    + rf"|(?<![第\d])(?P<cjknum>[{''.join(CHINESE_NUMBERS)}]|\d{{1,2}})(?=\s*[个枚颗处]|\s*$)", _I)
_COUNT_TAIL = re.compile(r"[\s\-个枚颗处]*(?:[^\W\d_]+[\s\-]*){0,4}")  # "small solid" etc.
_NOT_A_COUNT = re.compile(r"(?:image|img|im|series|se|segment|seg|slice|no|nr|#)\.?\s*$", _I)

_NUMBER = r"\d{1,4}(?:[.,]\d{1,3})?"
_UNIT = (r"(?:mm|cm)(?![a-zà-ÿ\d²³])|mil+[ií]m[eéè]t(?:er|re|ro)s?\b"
         r"|[cz]ent[ií]m[eéè]t(?:er|re|ro)s?\b|毫米|厘米")
_DIMENSION = re.compile(rf"(?P<n>{_NUMBER})(?:\s*-?\s*(?P<u>{_UNIT}))?", _I)
_MEASUREMENT = re.compile(  # "5-6 mm" and "5 to 6 mm" are read as one, so 5 is no count
    rf"(?<![\d.,])(?:{_NUMBER}\s*(?:-|–|~|\b(?:to|bis|à|a)\b)\s*)?{_NUMBER}(?:\s*-?\s*(?:{_UNIT}))?"
    rf"(?:\s*(?:[x×*]|by)\s*{_NUMBER}(?:\s*-?\s*(?:{_UNIT}))?){{0,2}}", _I)
_SLICE_AFTER = re.compile(r"\s*-?\s*(?:slices?|sections?|collimation|thick\w*|reconstructions?"
                          r"|intervals?|increments?|schicht\w*|coupes?|cortes?)\b", _I)
_SLICE_BEFORE = re.compile(r"(?:thickness|collimation|schichtdicken?|层厚|épaisseur|espesor)"
                           r"\W*(?:of|von|de)?\s*$", _I)


def find_nodule_mentions(text: str) -> list[NoduleMention]:
    """Every sentence of `text` that affirms a nodule, in order."""
    mentions = (_read(clause) for clause in _clauses(text or ""))
    return [m for m in mentions if m is not None]


def _clauses(text: str):
    for sentence in _SENTENCE_END.split(text):
        for clause in _CLAUSE_TURN.split(sentence):
            clause = clause.strip().strip(",，").strip()
            if clause:
                yield clause


def _read(clause: str) -> NoduleMention | None:
    # NFKC folds full-width digits, commas and "㎜" into plain ones; lengths may change,
    # which is fine because the clause itself is what we return.
    text = unicodedata.normalize("NFKC", clause)
    words = list(NODULE_RE.finditer(text))
    if not words or (OTHER_ORGAN_RE.search(text) and not LUNG_RE.search(text)):
        return None
    scan = PSEUDO_RE.sub(lambda m: " " * len(m.group()), text)
    lengths = list(_lengths(text))
    sizes = [mm for _, _, mm, is_size in lengths if is_size]
    blanked = list(scan)
    for start, end, _, _ in lengths:  # so that "a 6 mm nodule" is not read as six nodules
        blanked[start:end] = " " * (end - start)
    masked = "".join(blanked)
    for i, word in enumerate(words):
        after_end = words[i + 1].start() if i + 1 < len(words) else len(scan)
        if _negated_before(scan[:word.start()]) or _negated_after(scan[word.end():after_end]):
            continue
        count = _count(masked[:word.start()], word.group())
        return NoduleMention(clause, count, max(sizes) if sizes else None)
    return None


def _within_reach(text: str, reach: int) -> str:
    words = chars = 0
    for word in _WORD.finditer(text):
        if re.match(f"[{_CJK}]", word.group()):
            chars += 1
        else:
            words += 1
        if words > reach or chars > _REACH_CHARS:
            return text[:word.start()]
    return text


def _negated_before(before: str) -> bool:
    cues = list(NEGATION_BEFORE_RE.finditer(before))
    if not cues:
        return False
    gap = before[cues[-1].end():]
    return not _SCOPE_END.search(gap) and _within_reach(gap, _REACH_BEFORE) == gap


def _negated_after(after: str) -> bool:
    return bool(NEGATION_AFTER_RE.search(_within_reach(after, _REACH_AFTER)))


def _count(before: str, word: str) -> int | None:
    """The number stated in front of the nodule word; None for an unstated plural."""
    window = re.split(r"[,:;()\[\]/]", before)[-1]  # a count never reaches across these
    for m in reversed(list(_COUNT.finditer(window))):
        if m.group("latin") and m.group("latin").isdigit() and _NOT_A_COUNT.search(window[:m.start()]):
            continue
        if not _COUNT_TAIL.fullmatch(window[m.end():]):
            break
        if m.group("cjk"):
            return None
        value = (m.group("latin") or m.group("cjknum")).lower()
        if value.isdigit():
            return int(value)
        return NUMBER_WORDS.get(value) or CHINESE_NUMBERS.get(value)  # None for "several"
    return None if re.search(PLURAL_ENDING, word, _I) else 1


def _lengths(text: str):
    """(start, end, millimetres, is_size) for every length written in `text`; a slice
    thickness is a length but not a size."""
    for m in _MEASUREMENT.finditer(text):
        dims = list(_DIMENSION.finditer(m.group()))
        while dims and not dims[-1].group("u"):  # "6 mm by 3": the 3 is not part of it
            dims.pop()
        if not dims:
            continue
        end = m.start() + dims[-1].end()
        is_slice = bool(_SLICE_AFTER.match(text, end)
                        or _SLICE_BEFORE.search(text[max(0, m.start() - 25):m.start()]))
        values, unit = [], None
        for dim in reversed(dims):  # "8 x 6 mm": the 8 takes the unit written after the 6
            unit = (dim.group("u") or unit).lower()
            value = float(dim.group("n").replace(",", "."))
            values.append(value * 10 if unit in ("cm", "厘米") or unit.startswith(("cent", "zent"))
                          else value)
        yield m.start(), end, round(max(values), 2), not is_slice


# Fleischner Society 2017, single solid nodule: MacMahon H, et al. Guidelines for
# management of incidental pulmonary nodules detected on CT images: from the Fleischner
# Society 2017. Radiology 2017;284:228-243.
FLEISCHNER_APPLIES_TO = (
    "Incidental solid pulmonary nodules found on CT in adults aged 35 or older, not in "
    "patients with known cancer or immunosuppression, and not in lung cancer screening.")
FLEISCHNER_SOLID_SINGLE = {
    "<6 mm": ("No routine follow-up.", "Optional CT at 12 months."),
    "6-8 mm": ("CT at 6-12 months, then consider CT at 18-24 months.",
               "CT at 6-12 months, then CT at 18-24 months."),
    ">8 mm": ("Consider CT at 3 months, PET/CT, or tissue sampling.",
              "Consider CT at 3 months, PET/CT, or tissue sampling."),
}


def fleischner_2017(size_mm: float) -> dict:
    """The Fleischner Society 2017 follow-up recommendation for a single solid incidental
    pulmonary nodule of this size (the largest found)."""
    if isinstance(size_mm, bool) or not isinstance(size_mm, (int, float)) or not (
            math.isfinite(size_mm) and size_mm > 0):
        raise ValueError(f"a nodule size must be a positive number of mm, not {size_mm!r}")
    # The guideline rounds to the nearest whole millimetre, halves upwards (5.5 -> 6).
    whole = math.floor(size_mm + 0.5)
    category = "<6 mm" if whole < 6 else "6-8 mm" if whole <= 8 else ">8 mm"
    low_risk, high_risk = FLEISCHNER_SOLID_SINGLE[category]
    return {"guideline": "Fleischner Society 2017", "applies_to": FLEISCHNER_APPLIES_TO,
            "size_mm": size_mm, "category": category, "low_risk": low_risk, "high_risk": high_risk}
