"""No personal numbers in logs: every log record, from any library, is redacted as it is made.

Libraries log what they see — httpx logs each request URL, and some insurer APIs take the ID
number and mobile as query parameters. A record factory (not a handler filter) catches records
of every logger before any handler, file or test capture sees them. Installed once by the
composition root (``cli.main`` and the desk wiring).
"""

from __future__ import annotations

import logging
from typing import Any

from cscdesk.domain.privacy import mask_numbers_in_text


def redact(text: str) -> str:
    """Mask resident ID numbers and mainland mobiles wherever they appear in ``text``."""
    return mask_numbers_in_text(text)


def install_log_redaction() -> None:
    """Wrap the log record factory so messages are redacted at creation (idempotent)."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "cscdesk_redacting", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed call is the logging module's to report, unchanged
            return record
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return record

    factory.cscdesk_redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
