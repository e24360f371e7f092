import logging

import pytest

from core.logging import RedactFilter, redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("id 11010519491231002X here", "id 1****************X here"),
        ("id 110105194912310021.", "id 1****************1."),
        ("passport E12345678", "passport E******78"),
        ("pass CA0000001 ok", "pass C******01 ok"),
        ("permit L12345678", "permit L******78"),
        ("order 12345 and 2026-11-25", "order 12345 and 2026-11-25"),
    ],
)
def test_redact_masks_id_and_document_numbers(text, expected):
    assert redact(text) == expected


def test_the_filter_rewrites_formatted_records():
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "looked up %s", ("11010519491231002X",), None
    )
    RedactFilter().filter(record)
    assert record.getMessage() == "looked up 1****************X"


def test_the_suite_watches_its_logs_for_id_numbers():
    # given the watch handler installed by the root conftest
    (watch,) = [
        h for h in logging.getLogger().handlers if type(h).__name__ == "_PersonalNumberWatch"
    ]
    before = len(watch.leaks)
    # when something logs a full ID number
    logging.getLogger("exitentry.test").warning("person %s", "11010519491231002X")
    # then the watch has seen it (and the autouse fixture would fail the test)
    assert len(watch.leaks) == before + 1
    watch.leaks.pop()


def _exception_record(**extra) -> logging.LogRecord:
    try:
        raise ValueError("Key (id_number)=(11010519491231002X) already exists")
    except ValueError:
        import sys

        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "insert failed", (), sys.exc_info()
        )
    for name, value in extra.items():
        setattr(record, name, value)
    return record


@pytest.mark.parametrize("json_format", [False, True])
def test_tracebacks_and_extra_fields_are_masked_in_every_format(json_format):
    # given a record with a database error quoting an ID number and an extra field
    from pythonjsonlogger.json import JsonFormatter

    record = _exception_record(path="/x/E12345678")
    formatter = JsonFormatter("%(message)s %(path)s") if json_format else logging.Formatter()
    # when it passes the filter and is formatted
    RedactFilter().filter(record)
    text = formatter.format(record)
    # then neither number is in the output, and the traceback is still there
    assert "11010519491231002X" not in text
    assert "1****************X" in text
    assert "ValueError" in text
    if json_format:
        assert "E12345678" not in text and "E******78" in text
