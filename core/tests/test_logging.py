import logging

import pytest

from core.logging import RedactFilter, redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("id 11010519491231002X here", "id 1101**********002X here"),
        ("id 110105194912310021.", "id 1101**********0021."),
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
    assert record.getMessage() == "looked up 1101**********002X"


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
