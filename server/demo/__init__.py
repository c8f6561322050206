"""Synthetic demo data in the clinic's source layout.

demo_data_write() writes a DuckDB file holding the table medical_examinations_fact, with
the columns STUDY_LAYOUT defines (server/studies/layout.py) and plausible content: common
modalities and items, Latin and Chinese names, patients with several exams, NULLs where
the source leaves gaps, and order, check-in and report times in a believable sequence.
Beside it, the table reports (REPORT_LAYOUT, server/reports/layout.py) holds radiology
report findings for those exams: a final report per certified exam (a few amended later),
preliminary ones for some exams still under way, and a few orphans whose exam is not in
the file. The findings are short template sentences in English, Chinese, German, French
and Spanish that fit the exam; chest CT and X-ray findings mention lung nodules with and
without sizes, or negate them. It is for demos, manual tests and benchmarks, where real
patient data must never go.

The same rows and seed always give the same tables: every value comes from
random.Random(seed) (the reports from their own random.Random, so that adding them left
the examinations unchanged) over a fixed three-year window, never from the clock or from
DuckDB's random(), whose sequence may change between versions.

vocabulary.py holds the phrase and name tables, exams.py draws the examinations,
reports.py the reports, and writer.py writes them to the file. The package needs only the
layouts, never the models, so it runs without Django being set up.
"""

from server.demo.writer import DemoData, demo_data_write

__all__ = ["DemoData", "demo_data_write"]
