"""Logging helpers: the request id on every record, and redaction of personal numbers."""

import contextvars
import logging
import re

from .masking import mask_document_number, mask_id_number

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

# Resident ID numbers (18 characters, GB 11643) and travel-document numbers (E/C/L + 8).
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[0-9Xx])(?![0-9A-Za-z])")
_DOCUMENT_NUMBER = re.compile(
    r"(?<![0-9A-Za-z])([ECLecl])([A-Za-z0-9])(\d{5})(\d{2})(?![0-9A-Za-z])"
)


def redact(text: str) -> str:
    """Mask ID and document numbers in free text, keeping only what identifies nobody."""
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text)
    return _DOCUMENT_NUMBER.sub(lambda m: mask_document_number(m.group(0)), text)


class RequestIdFilter(logging.Filter):
    """Attach the current request id to each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


# The attributes every LogRecord has; anything else on a record came in through `extra=`.
_STANDARD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class RedactFilter(logging.Filter):
    """Rewrite the record so that no full ID or document number reaches a log: the message,
    the traceback (a database error can quote a row), the stack and any `extra=` value."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info:
            # Formatted once here and kept as text: every formatter prints exc_text.
            text = record.exc_text or logging.Formatter().formatException(record.exc_info)
            record.exc_info, record.exc_text = None, redact(text)
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        for name, value in list(vars(record).items()):
            if name not in _STANDARD_ATTRIBUTES and isinstance(value, str):
                setattr(record, name, redact(value))
        return True
