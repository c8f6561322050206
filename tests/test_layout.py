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


# --- dependencies point one way ---------------------------------------------------------

# The server's packages, each with the ones it may import (besides itself and the
# project-wide modules server.clock, server.datadir and server.database, which import
# no package but core). Nothing in a package imports the top (server.api, urls,
# settings, serving): those compose everything and are imported by desktop/ alone.
ALLOWED_IMPORTS = {
    "core": set(),
    # The audit trail sits just above core: whatever moves patient data records it.
    "audit": {"core"},
    "studies": {"core", "audit"},
    "reports": {"core", "studies"},
    "imports": {"core", "studies", "reports", "audit"},
    "analysis": {"core", "studies", "reports", "audit"},
    "demo": {"core", "studies", "reports"},
    # Backups count studies and reports, and a restore holds the import lock.
    "backups": {"core", "studies", "reports", "imports", "audit"},
    # The database chosen from the Settings screen: it counts a database's studies.
    "configuration": {"core", "audit", "studies"},
    "composition": {"core", "audit", "studies", "reports", "imports", "analysis", "demo", "backups"},
}
PROJECT_WIDE = {"server", "server.__version__", "server.clock", "server.datadir", "server.database"}
# The demo data is written where Django is not set up: it reads the layouts, never models.
DEMO_MAY_IMPORT = {"server.core.layout", "server.studies.layout", "server.reports.layout"}


def server_imports(path) -> set[str]:
    """Every server module a file imports, at its top or inside a function."""
    import ast

    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            if node.module == "server":  # from server import datadir
                found.update(f"server.{alias.name}" for alias in node.names)
    return {name for name in found if name == "server" or name.startswith("server.")}


def package_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and (ROOT / "server" / parts[1] / "__init__.py").exists() else None


def dependency_violations() -> list[str]:
    violations = []
    for package, allowed in ALLOWED_IMPORTS.items():
        for path in sorted((ROOT / "server" / package).rglob("*.py")):
            for module in sorted(server_imports(path)):
                target = package_of(module)
                if target == package or (target is None and module in PROJECT_WIDE):
                    continue
                if target not in allowed or (package == "demo" and module not in DEMO_MAY_IMPORT):
                    violations.append(f"{path.relative_to(ROOT)} imports {module}")
    return violations


def test_every_server_package_is_placed_in_the_dependency_order():
    packages = {p.parent.name for p in (ROOT / "server").glob("*/__init__.py")}
    assert packages == set(ALLOWED_IMPORTS)


def test_dependencies_point_one_way():
    assert dependency_violations() == []


def test_the_dependency_check_sees_an_import_inside_a_function(tmp_path, monkeypatch):
    # The check itself can fail: a core module that reached into the importer is found.
    import tests.test_layout as layout

    fake = tmp_path / "server"
    (fake / "core").mkdir(parents=True)
    for package in ALLOWED_IMPORTS:
        (fake / package).mkdir(exist_ok=True)
        (fake / package / "__init__.py").write_text("")
    (fake / "core" / "health.py").write_text("def f():\n    from server.imports.linking import link_status\n")
    monkeypatch.setattr(layout, "ROOT", tmp_path)
    assert layout.dependency_violations() == ["server/core/health.py imports server.imports.linking"]
