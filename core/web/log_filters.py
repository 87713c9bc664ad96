"""Logging filters."""

import logging

from core.web.outage import caused_by_database


class OutageWithoutTraceback(logging.Filter):
    """A 503 during a database outage is logged as one line, not a traceback per request.

    The outage itself is visible in the database's own logs; hundreds of identical
    tracebacks would only bury other errors.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        exception = record.exc_info[1] if record.exc_info else None
        if getattr(record, "status_code", None) == 503 or caused_by_database(exception):
            record.exc_info = None
            record.exc_text = None
        return True
