"""Every endpoint is documented, in API_CONTRACT.md and in the OpenAPI docs, and the
docs work without a network."""

import json
import re

import pytest

from tests.support.paths import FIXTURES, ROOT

CONTRACT_DOC = (ROOT / "API_CONTRACT.md").read_text(encoding="utf-8")
UNDOCUMENTED_ROUTES = {("GET", "/api/v1/docs"), ("GET", "/api/v1/openapi.json")}


def openapi(anon) -> dict:
    response = anon.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(schema: dict) -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }


def documented_headings() -> set[tuple[str, str]]:
    return {
        (m.group(1), m.group(2))
        for m in re.finditer(r"^### (GET|POST|PUT|PATCH|DELETE) (\S+)$", CONTRACT_DOC, re.M)
    }


def test_every_endpoint_has_a_section_in_api_contract_md(anon):
    assert operations(openapi(anon)) <= documented_headings()


def test_api_contract_md_documents_no_endpoint_that_does_not_exist(anon):
    assert documented_headings() <= operations(openapi(anon))


def test_every_endpoint_has_a_summary_and_description_in_openapi(anon):
    schema = openapi(anon)
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            assert operation.get("summary"), (method, path)
            assert operation.get("description"), (method, path)


def test_openapi_declares_the_bearer_token(anon):
    schemes = openapi(anon)["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


DATETIME_FORM = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?"
PLACEHOLDERS = {"__TASK_ID__": r"\d+", "__CREATED_AT__": DATETIME_FORM, "__UPDATED_AT__": DATETIME_FORM}


@pytest.mark.parametrize("fixture", sorted(p.name for p in (FIXTURES / "contract").glob("*.json")))
def test_every_contract_fixture_is_quoted_verbatim_in_api_contract_md(fixture):
    text = (FIXTURES / "contract" / fixture).read_text(encoding="utf-8").rstrip("\n")
    # Values only known when the request is made (a new task's id and time) may be
    # any value of their form in the documentation.
    pattern = re.escape(f"```json\n{text}\n```")
    for placeholder, form in PLACEHOLDERS.items():
        pattern = pattern.replace(re.escape(placeholder), form)
    assert re.search(pattern, CONTRACT_DOC)


def test_the_docs_page_loads_only_files_this_server_serves(anon):
    response = anon.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets, "the docs page should reference its scripts and styles"
    for asset in assets:
        assert asset.startswith("/"), f"external asset {asset}"
        assert anon.get(asset).status_code == 200, asset
    settings = json.loads(re.search(r'id="swagger-settings">(.*?)</script>', page, re.S).group(1))
    assert settings["validatorUrl"] is None
    assert settings["url"] == "/api/v1/openapi.json"


def documented_responses():
    """(method, path, status, parsed JSON) of every response example in API_CONTRACT.md."""
    sections = re.split(r"^### (GET|POST|PUT|PATCH|DELETE) (\S+)$", CONTRACT_DOC, flags=re.M)
    for i in range(1, len(sections), 3):
        method, path, body = sections[i], sections[i + 1], sections[i + 2]
        for status, text in re.findall(r"Response `(\d{3})`[^\n]*:\n\n```json\n(.*?)\n```", body, re.S):
            yield method, path, int(status), json.loads(text)


def response_properties(schema: dict, method: str, path: str, status: int) -> list[str] | None:
    """The keys of a response, in order; None for a free-form object (the preferences)."""
    operation = schema["paths"][path][method.lower()]
    content = operation["responses"][str(status)]["content"]["application/json"]["schema"]
    if "$ref" in content:
        content = schema["components"]["schemas"][content["$ref"].rsplit("/", 1)[1]]
    if "properties" not in content:
        assert content.get("additionalProperties") is True or content.get("type") == "object", (method, path)
        return None
    return list(content["properties"])


def test_every_documented_success_response_has_the_schemas_keys_in_order(anon):
    schema = openapi(anon)
    checked = 0
    for method, path, status, body in documented_responses():
        if 200 <= status < 300:
            keys = response_properties(schema, method, path, status)
            assert keys is None or list(body) == keys, (method, path)
            checked += 1
        else:
            assert list(body) == ["detail"], (method, path, status)
    assert checked >= 10


# --- the README -------------------------------------------------------------------------

README = (ROOT / "README.md").read_text(encoding="utf-8")
# Variables only the test set-up reads; the README names them where it explains the tests.
PRODUCTION_CODE = [ROOT / "server", ROOT / "desktop", ROOT / "dev.py"]


def source_files():
    for place in PRODUCTION_CODE:
        yield from ([place] if place.is_file() else sorted(place.rglob("*.py")))


def environment_settings() -> set[str]:
    return {name for path in source_files() for name in re.findall(r"IMAGING_DESK_[A-Z0-9_]+", path.read_text())}


def settings_json_keys() -> set[str]:
    text = (ROOT / "server" / "settings.py").read_text()
    return set(re.findall(r'LOCAL_SETTINGS\.get\("(\w+)"', text))


def commands() -> dict[str, list[str]]:
    """Each `imaging-desk` command with its long options."""
    from desktop.cli import build_parser

    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command")
    return {
        name: [flag for action in sub._actions for flag in action.option_strings
               if flag.startswith("--") and flag != "--help"]
        for name, sub in subparsers.choices.items()
    }


def test_the_readme_shows_every_imaging_desk_command_with_its_options():
    found = commands()
    assert {"serve", "import-duckdb", "demo-data"} <= set(found)
    for name, options in found.items():
        line = re.search(rf"^imaging-desk {re.escape(name)}\b.*$", README, re.M)
        assert line, name
        for option in options:
            assert re.search(rf"{re.escape(option)}\b", line.group()), (name, option)


def test_the_readme_explains_every_environment_setting():
    names = environment_settings()
    assert {"IMAGING_DESK_DATA_DIR", "IMAGING_DESK_DATABASE_URL"} <= names
    for name in names:
        assert f"`{name}`" in README, name


def test_the_readme_explains_every_settings_json_key():
    keys = settings_json_keys()
    assert keys == {"database_url", "time_zone", "backup_folder"}
    row = next(line for line in README.splitlines() if line.startswith("| `settings.json`"))
    for key in keys:
        assert f'"{key}"' in row, key


def test_the_readme_layout_names_every_folder_of_code():
    layout = README.split("## Layout", 1)[1].split("\n## ", 1)[0]
    folders = [f"server/{p.parent.name}/" for p in (ROOT / "server").glob("*/__init__.py")]
    folders += ["desktop/", "frontend_build/", "packaging/", "tests/", "tests/support/", "bench/"]
    for folder in folders:
        assert f"`{folder}`" in layout, folder
