"""The project's shape that tools and people rely on."""

import re

from tests.support.paths import ROOT


def test_packaging_is_never_an_importable_package():
    # It would shadow the `packaging` library that pip and PyInstaller import.
    assert not list((ROOT / "packaging").rglob("__init__.py"))


def readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Set up and run", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^(python3 .+)$", section, re.M)


def test_the_readme_sets_up_everything_with_two_commands():
    assert readme_commands() == ["python3 dev.py run", "python3 dev.py test"]


def test_ci_runs_the_readme_test_command_with_every_skip_turned_into_a_failure():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "export IMAGING_DESK_REQUIRE_ALL=1" in ci
    assert re.search(r"^python3 dev.py test\s*$", ci, re.M)


def test_no_database_file_lies_next_to_the_code():
    # PyInstaller's Django hook would bundle it into every installer.
    assert not [p for p in ROOT.glob("**/*.sqlite3") if ".venv" not in p.parts]
