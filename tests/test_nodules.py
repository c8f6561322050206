"""The lung nodule reading of report findings: what it affirms, counts and measures."""

import pytest

from server.analysis.nodules import NoduleMention, find_nodule_mentions, fleischner_2017

# (report findings, the (count, size_mm) of every mention, in order)
READINGS = [
    # English: affirmed, with sizes in mm and cm
    ("A 6 mm solid nodule in the right upper lobe.", [(1, 6.0)]),
    ("A 6mm nodule in the lingula.", [(1, 6.0)]),
    ("Part-solid nodule in the left lower lobe measuring 6.5 mm.", [(1, 6.5)]),
    ("Spiculated nodule of 1.2 cm in the right upper lobe; work-up recommended.", [(1, 12.0)]),
    ("A 0.8cm pulmonary nodule is seen.", [(1, 8.0)]),
    ("Lung nodule, 8 x 6 mm, in the right middle lobe.", [(1, 8.0)]),
    ("Nodule of 8×6 mm in the left upper lobe.", [(1, 8.0)]),
    ("A 8 x 6 x 5 mm nodule in the right lower lobe.", [(1, 8.0)]),
    ("Nodule measuring 0.8 cm x 0.6 cm in the lingula.", [(1, 8.0)]),
    ("A 7 mm nodular opacity in the right upper lobe.", [(1, 7.0)]),
    ("A micronodule in the left lower lobe.", [(1, None)]),
    ("Tiny nodule in the right lower lobe, too small to characterise.", [(1, None)]),
    ("Nodules in both lungs.", [(None, None)]),
    ("A 5-6 mm nodule in the right upper lobe.", [(1, 6.0)]),
    ("2 to 3 mm nodules in both lungs.", [(None, 3.0)]),
    # counts and quantifiers
    ("Two nodules, 5 mm and 9 mm, in the right upper lobe.", [(2, 9.0)]),
    ("3 nodules in the left lung, the largest 4 mm.", [(3, 4.0)]),
    ("Three small pulmonary nodules.", [(3, None)]),
    ("Two 5 mm nodules in the right lower lobe.", [(2, 5.0)]),
    ("Multiple small nodules in both lungs, the largest 7 mm in the right upper lobe.", [(None, 7.0)]),
    ("Several nodules in the left upper lobe.", [(None, None)]),
    ("Numerous micronodules throughout both lungs.", [(None, None)]),
    # several mentions in one report, decimal points that do not end a sentence
    ("A 1.2 cm nodule in the RUL. Two nodules, 4 mm and 0.8cm, in the LLL. No effusion.",
     [(1, 12.0), (2, 8.0)]),
    ("Nodule of 1.5 cm in the right upper lobe.\nSecond nodule of 3 mm in the lingula!",
     [(1, 15.0), (1, 3.0)]),
    # turns within a sentence
    ("No nodule in the left lung, but a 6 mm nodule in the right upper lobe.", [(1, 6.0)]),
    ("No nodule on the left; however, a 5 mm nodule in the right lower lobe.", [(1, 5.0)]),
    ("No pleural effusion, a 4 mm nodule in the lingula.", [(1, 4.0)]),
    # numbers that are not sizes
    ("Nodule in segment 6, series 3 image 45, stable for 3 months.", [(1, None)]),
    ("On 12.03.2024 a nodule was seen in the lingula.", [(1, None)]),
    ("A nodule of -600 HU in the right upper lobe.", [(1, None)]),
    ("Patient height 1.75 m, a nodule in the right upper lobe.", [(1, None)]),
    ("Axial 5 mm slices show a 3 mm nodule.", [(1, 3.0)]),
    # phrases that only look negative
    ("No significant change in the 5 mm nodule in the right upper lobe.", [(1, 5.0)]),
    ("New 7 mm nodule, not seen on the prior study.", [(1, 7.0)]),
    ("A small nodule cannot be excluded.", [(1, None)]),
    ("Stable 4 mm nodule, no new nodules.", [(1, 4.0)]),
    # English negations
    ("No nodule.", []),
    ("No pulmonary nodules.", []),
    ("No suspicious pulmonary nodule or mass.", []),
    ("Lungs clear without nodules.", []),
    ("Negative for nodules.", []),
    ("The lungs are free of nodules.", []),
    ("There is no evidence of a nodule.", []),
    ("Pulmonary nodules are not seen.", []),
    ("Nodules are not identified.", []),
    ("The previously seen 5 mm nodule in the right upper lobe has resolved.", []),
    ("Absence of nodules.", []),
    ("CT to rule out nodule.", []),
    ("Follow-up chest CT to exclude nodules.", []),
    ("No focal consolidation, pleural effusion, masses or nodules.", []),
    ("Nodules: none.", []),
    ("Previously described nodules in the right upper lobe and the lingula have resolved.", []),
    # Chinese
    ("右肺上叶见一6mm结节。", [(1, 6.0)]),
    ("右肺上叶见一约1.2厘米实性结节。", [(1, 12.0)]),
    ("左肺下叶见小结节，大小约6毫米。", [(1, 6.0)]),
    ("右肺中叶微结节，约0.6厘米。", [(1, 6.0)]),
    ("右肺上叶见两枚结节，大小分别约5毫米及0.8厘米。", [(2, 8.0)]),
    ("左肺见两个结节。", [(2, None)]),
    ("右肺见3枚结节，较大者约4mm。", [(3, 4.0)]),
    ("双肺多发小结节，较大者位于右肺上叶，约6mm。", [(None, 6.0)]),
    ("左肺多个结节。", [(None, None)]),
    ("右肺见一枚６ｍｍ结节。", [(1, 6.0)]),
    ("左肺未见结节，但右肺上叶见一6mm结节。", [(1, 6.0)]),
    ("双肺未见结节。", []),
    ("双肺未见明显结节。", []),
    ("双肺无结节。", []),
    ("肺内没有结节。", []),
    ("未发现结节。", []),
    ("原右肺上叶结节已消失。", []),
    # German
    ("Rundherd von 6 mm im rechten Oberlappen.", [(1, 6.0)]),
    ("Lungenrundherd von 1,2 cm im Mittellappen.", [(1, 12.0)]),
    ("Solider Nodulus von 8 mm im linken Unterlappen.", [(1, 8.0)]),
    ("Zwei Rundherde im rechten Oberlappen, 5 mm und 1,2 cm.", [(2, 12.0)]),
    ("Drei Knoten im linken Oberlappen.", [(3, None)]),
    ("Mehrere Knoten beidseits.", [(None, None)]),
    ("Kein Rundherd.", []),
    ("Keine Knoten.", []),
    ("Kein Nachweis pulmonaler Noduli.", []),
    ("Lunge ohne Rundherde.", []),
    ("Rundherde nicht nachweisbar.", []),
    ("Keine vergrößerten mediastinalen Lymphknoten.", []),
    # French
    ("Nodule solide de 7 mm dans le lobe supérieur droit.", [(1, 7.0)]),
    ("Nodule de 1,2 cm dans le lobe moyen.", [(1, 12.0)]),
    ("Deux nodules dans le lobe inférieur gauche, de 5 mm et 9 mm.", [(2, 9.0)]),
    ("Trois micronodules dans la lingula.", [(3, None)]),
    ("Multiples petits nodules bilatéraux, le plus grand de 9 mm.", [(None, 9.0)]),
    ("Pas de nodule.", []),
    ("Aucun nodule pulmonaire.", []),
    ("Poumons sans nodule.", []),
    ("Absence de nodule pulmonaire.", []),
    # Spanish
    ("Nódulo sólido de 8 mm en el lóbulo superior derecho.", [(1, 8.0)]),
    ("Nodulo de 1,5 cm en el lóbulo medio.", [(1, 15.0)]),
    ("Nódulo de 5 a 6 mm en la língula.", [(1, 6.0)]),
    ("Dos nódulos en el lóbulo inferior izquierdo, de 5 mm y 9 mm.", [(2, 9.0)]),
    ("Tres nódulos pulmonares.", [(3, None)]),
    ("Varios nódulos pulmonares.", [(None, None)]),
    ("Nódulo en vidrio deslustrado de 1,2 cm en el lóbulo medio, sin cambios.", [(1, 12.0)]),
    ("Sin nódulos pulmonares.", []),
    ("No se observan nódulos pulmonares.", []),
    ("Ausencia de nódulos.", []),
    ("Ningún nódulo pulmonar.", []),
    # nodules of other organs are not lung nodules
    ("Hypoechoic nodule of 9 mm in the right thyroid lobe.", []),
    ("甲状腺右叶见一低回声结节，大小约9mm。", []),
    ("Focal increased uptake in the right lobe, consistent with a hot nodule.", []),
    # no nodule word at all
    ("Mediastinal lymph nodes are not enlarged. No pleural effusion.", []),
    ("纵隔未见肿大淋巴结。", []),
]


@pytest.mark.parametrize(("report", "expected"), READINGS, ids=[r[0][:40] for r in READINGS])
def test_each_report_yields_the_nodules_it_affirms_with_count_and_size(report, expected):
    assert [(m.count, m.size_mm) for m in find_nodule_mentions(report)] == expected


def test_the_table_covers_many_reports():
    assert len(READINGS) >= 45


def test_a_mention_carries_the_sentence_as_written():
    report = "Heart size is normal.  A 6 mm nodule in the right upper lobe. No effusion."
    assert find_nodule_mentions(report) == [
        NoduleMention(sentence="A 6 mm nodule in the right upper lobe", count=1, size_mm=6.0)]


def test_a_mention_after_a_turn_carries_only_its_own_clause():
    [mention] = find_nodule_mentions("No nodule in the left lung, but a 6 mm nodule in the right upper lobe.")
    assert mention.sentence == "a 6 mm nodule in the right upper lobe"


def test_every_sentence_is_found_in_the_report_text():
    report = "右肺上叶见一6mm结节。\nZwei Rundherde, 5 mm und 1,2 cm; Nodule de 7 mm."
    mentions = find_nodule_mentions(report)
    assert [m.sentence for m in mentions] == ["右肺上叶见一6mm结节", "Zwei Rundherde, 5 mm und 1,2 cm",
                                              "Nodule de 7 mm"]
    assert all(m.sentence in report for m in mentions)


def test_a_mention_is_frozen():
    [mention] = find_nodule_mentions("A 6 mm nodule.")
    with pytest.raises(AttributeError):
        mention.count = 2  # type: ignore[misc]


@pytest.mark.parametrize("report", ["", "   ", "\n\n", ".", "No effusion.", "1.2 cm"])
def test_text_without_a_nodule_yields_nothing(report):
    assert find_nodule_mentions(report) == []


def test_matching_ignores_case():
    assert [(m.count, m.size_mm) for m in find_nodule_mentions("A 6 MM NODULE. NO NODULES.")] == [(1, 6.0)]


LOW = "No routine follow-up."
OPTIONAL = "Optional CT at 12 months."
MIDDLE_LOW = "CT at 6-12 months, then consider CT at 18-24 months."
MIDDLE_HIGH = "CT at 6-12 months, then CT at 18-24 months."
LARGE = "Consider CT at 3 months, PET/CT, or tissue sampling."


@pytest.mark.parametrize(("size_mm", "category", "low_risk", "high_risk"), [
    (4, "<6 mm", LOW, OPTIONAL),
    (5.4, "<6 mm", LOW, OPTIONAL),
    (5.5, "6-8 mm", MIDDLE_LOW, MIDDLE_HIGH),  # rounded half up to 6
    (6, "6-8 mm", MIDDLE_LOW, MIDDLE_HIGH),
    (8, "6-8 mm", MIDDLE_LOW, MIDDLE_HIGH),
    (8.4, "6-8 mm", MIDDLE_LOW, MIDDLE_HIGH),
    (8.5, ">8 mm", LARGE, LARGE),  # rounded half up to 9, not to 8 as round() would
    (9, ">8 mm", LARGE, LARGE),
    (15, ">8 mm", LARGE, LARGE),
])
def test_fleischner_categories_follow_the_rounded_size(size_mm, category, low_risk, high_risk):
    advice = fleischner_2017(size_mm)
    assert advice["category"] == category
    assert (advice["low_risk"], advice["high_risk"]) == (low_risk, high_risk)
    assert advice["size_mm"] == size_mm


def test_fleischner_names_the_guideline_and_whom_it_applies_to():
    advice = fleischner_2017(7.0)
    assert set(advice) == {"guideline", "applies_to", "size_mm", "category", "low_risk", "high_risk"}
    assert advice["guideline"] == "Fleischner Society 2017"
    for words in ("incidental", "solid", " ct ", "35", "cancer", "immunosuppression", "screening"):
        assert words in advice["applies_to"].lower()


@pytest.mark.parametrize("size_mm", [0, -3, float("nan"), float("inf")])
def test_fleischner_refuses_a_size_that_is_not_a_size(size_mm):
    with pytest.raises(ValueError):
        fleischner_2017(size_mm)


def test_the_largest_mention_feeds_the_recommendation():
    mentions = find_nodule_mentions("A 4 mm nodule in the lingula. A 0.9 cm nodule in the right lower lobe.")
    largest = max(m.size_mm for m in mentions if m.size_mm is not None)
    assert fleischner_2017(largest)["category"] == ">8 mm"
