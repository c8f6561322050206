"""GET and PUT /api/v1/preferences: the app's preferences, kept in the data folder."""

import json

import pytest

PREFERENCES = "/api/v1/preferences"


@pytest.fixture
def stored(settings, tmp_path, token):
    """A data folder of its own, holding the API token the client was given (the server
    reads the token from the data folder at each request)."""
    (tmp_path / "api-token").write_text(token + "\n")
    settings.DATA_DIR = tmp_path
    return tmp_path / "preferences.json"


def test_there_are_none_at_first(api, stored):
    assert api.get(PREFERENCES).json() == {}


def test_what_is_saved_comes_back_and_lies_in_the_data_folder(api, stored):
    saved = {"language": "zh-TW", "columns": ["exam_id", "patient_name"], "page_size": 50, "filters": {"q": "李"}}
    response = api.put(PREFERENCES, saved, content_type="application/json")
    assert (response.status_code, response.json()) == (200, saved)
    assert api.get(PREFERENCES).json() == saved
    assert json.loads(stored.read_text(encoding="utf-8")) == saved
    assert not list(stored.parent.glob(".*partial"))


def test_a_put_replaces_them_whole(api, stored):
    api.put(PREFERENCES, {"language": "en", "page_size": 20}, content_type="application/json")
    api.put(PREFERENCES, {"language": "zh-TW"}, content_type="application/json")
    assert api.get(PREFERENCES).json() == {"language": "zh-TW"}


@pytest.mark.parametrize(
    "body,detail",
    [
        ("[1, 2]", "The request body must be a JSON object, not an array"),
        ('"en"', "The request body must be a JSON object, not a string"),
        (json.dumps({"a": "x" * 70_000}), "Invalid parameter: preferences must be at most 64 KB of JSON"),
        ("{bad", "Cannot parse request body"),
    ],
)
def test_what_is_not_a_small_json_object_is_refused_and_changes_nothing(api, stored, body, detail):
    api.put(PREFERENCES, {"language": "en"}, content_type="application/json")
    response = api.put(PREFERENCES, body, content_type="application/json")
    assert (response.status_code, response.json()) == (400, {"detail": detail})
    assert api.get(PREFERENCES).json() == {"language": "en"}


def test_a_damaged_file_reads_as_no_preferences(api, stored):
    stored.write_text("{not json", encoding="utf-8")
    assert api.get(PREFERENCES).json() == {}
