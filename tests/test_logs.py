"""The log file says what happened and nothing a client can forge: every value is
escaped onto its line and cut, in every log line (server/core/logs.py)."""

import http.client
import logging
import re
import sys

import pytest

from server.core.logs import ARG_LIMIT, EscapingFormatter
from tests.support.servers import LOCAL_HOST, start_server

FORMAT = "%(levelname)s %(name)s %(message)s"


def formatted(msg, *args, exc_info=None) -> str:
    record = logging.LogRecord("imaging_desk.test", logging.INFO, __file__, 1, msg, args, exc_info)
    return EscapingFormatter(FORMAT).format(record)


# --- the formatter -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "char,escape",
    [("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"), ("\x00", "\\x00"), ("\x1b", "\\x1b"), ("\x0b", "\\x0b"),
     ("\x7f", "\\x7f"), ("\x85", "\\x85"), ("\x9f", "\\x9f"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"),
     ("\ud800", "\\ud800")],
)
def test_a_control_character_in_a_message_is_written_as_its_escape(char, escape):
    line = formatted("GET %s %s", f"/a{char}b", 404)
    assert line == f"INFO imaging_desk.test GET /a{escape}b 404"
    assert len(line.splitlines()) == 1
    line.encode("utf-8")  # a lone surrogate would stop the UTF-8 log file writing the line


def test_text_outside_the_controls_is_written_as_it_is():
    text = "李娜 Émile C:\\Users\\clinic ß ✓"
    assert formatted("%s", text) == f"INFO imaging_desk.test {text}"


def test_a_long_argument_is_cut_so_what_follows_it_stays_in_the_line():
    line = formatted("%s %s %s %.0fms", "GET", "/" + "a" * 100_000, 404, 3.2)
    assert len(line) < 500
    assert f"/{'a' * (ARG_LIMIT - 1)}…[99,701 more characters] 404 3ms" in line


def test_an_argument_that_is_not_text_is_cut_too():
    line = formatted("failed: %s (%r)", ValueError("x" * 5000), ["y" * 5000])
    assert len(line) < 1000 and line.count("more characters]") == 2


def test_a_message_without_arguments_is_escaped_and_cut():
    line = formatted("forged\n2026-01-01 00:00:00,000 INFO x " + "z" * 10_000)
    assert len(line.splitlines()) == 1 and len(line) < 2_100
    assert line.startswith("INFO imaging_desk.test forged\\n2026-01-01")


def test_numbers_keep_their_formats():
    assert formatted("%d rows in %.1f s, %s", 12, 0.25, None) == "INFO imaging_desk.test 12 rows in 0.2 s, None"
    assert formatted("%(rows)d rows", {"rows": 3}) == "INFO imaging_desk.test 3 rows"


def test_a_traceback_keeps_its_own_line_breaks_and_nothing_else():
    try:
        raise ValueError("bad\x00value\rhere")
    except ValueError:
        exc_info = sys.exc_info()
    text = formatted("unhandled error on %s %s", "GET", "/a\nb", exc_info=exc_info)
    lines = text.split("\n")
    assert lines[0] == "INFO imaging_desk.test unhandled error on GET /a\\nb"
    assert lines[1] == "Traceback (most recent call last):"
    assert lines[-1] == "ValueError: bad\\x00value\\rhere"
    assert "\x00" not in text and "\r" not in text


def test_other_handlers_get_the_record_as_it_came():
    record = logging.LogRecord("imaging_desk.test", logging.INFO, __file__, 1, "GET %s", ("/a\nb",), None)
    EscapingFormatter(FORMAT).format(record)
    assert (record.msg, record.args, record.getMessage()) == ("GET %s", ("/a\nb",), "GET /a\nb")


# --- the server's own log file -----------------------------------------------------------


@pytest.fixture(scope="module")
def logged(tmp_path_factory):
    """A real server, sent hostile paths; the lines of its log file afterwards."""
    running = start_server(tmp_path_factory.mktemp("logs") / "data")
    port = int(running.url.rsplit(":", 1)[1].strip("/"))
    paths = {
        "forged": "/x%0A2026-01-01%2000:00:00,000%20INFO%20imaging_desk.access%20GET%20/forged%20200%201ms",
        "carriage": "/y%0D%0A%E2%80%A8z",
        "nul": "/a%00b",
        "long": "/" + "abcdefgh/" * 11_112,  # 100 KB
        "after": "/api/v1/health",
    }
    statuses = {}
    try:
        for name, path in paths.items():
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", path, headers={"Host": LOCAL_HOST})
            response = connection.getresponse()
            response.read()
            statuses[name] = response.status
            connection.close()
        data = (running.data_dir / "logs" / "server.log").read_bytes()
    finally:
        running.stop()
    return statuses, data


def access_lines(data: bytes) -> list[str]:
    return [line for line in data.decode("utf-8").split("\n") if " imaging_desk.access " in line]


def test_a_path_with_a_line_break_cannot_forge_a_log_line(logged):
    statuses, data = logged
    lines = data.decode("utf-8").split("\n")
    assert not [line for line in lines if line.startswith("2026-01-01 00:00:00,000")]
    assert [line for line in access_lines(data) if "/x\\n2026-01-01 00:00:00,000 INFO imaging_desk.access GET "
            f"/forged 200 1ms {statuses['forged']} " in line]
    assert [line for line in access_lines(data) if f"GET /y\\r\\n\\u2028z {statuses['carriage']} " in line]
    assert b"\r" not in data and "\u2028" not in data.decode("utf-8")


def test_a_nul_byte_in_a_path_never_reaches_the_log(logged):
    statuses, data = logged
    assert statuses["nul"] == 404
    assert b"\x00" not in data
    assert [line for line in access_lines(data) if " GET /a\\x00b 404 " in line]


def test_a_100_kb_path_is_cut_and_its_status_is_still_in_the_line(logged):
    statuses, data = logged
    assert statuses["long"] == 404
    (line,) = [line for line in access_lines(data) if "GET /abcdefgh/abcdefgh/" in line]
    assert len(line) < 1_000
    assert "…[99,709 more characters] 404 " in line and line.endswith("ms")
    assert len(data) < 20_000  # no line of the log holds the whole path


def test_the_server_logs_the_next_request_as_usual(logged):
    statuses, data = logged
    assert statuses["after"] == 200
    assert re.search(r" GET /api/v1/health 200 \d+ms$", access_lines(data)[-1])
