"""Structured logs that never carry patient data.

Every record leaves as one JSON line. Before that, ScrubFilter removes what a patient
typed: query strings, every value the current request sent (form fields and URL
parameters) and e-mail addresses, from the message and from the traceback text, so even
an exception message such as a database error quoting a value is masked.
"""

import contextlib
import contextvars
import json
import logging
import re
from datetime import UTC, datetime

from django.http import HttpRequest

REDACTED = "[redacted]"

_current = contextvars.ContextVar("modsite_log_request", default=(None, None))

_QUERY_STRING = re.compile(r"\?[^\s\"'<>]*")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Checkbox and yes/no values carry no identity; masking them would only garble messages.
_HARMLESS_VALUES = {"on", "off", "true", "false", "yes", "no"}


@contextlib.contextmanager
def request_context(request_id, request):
    token = _current.set((request_id, request))
    try:
        yield
    finally:
        _current.reset(token)


def _sent_values(request):
    """Values the request carried in its URL and, if Django already parsed it, its body.
    An unparsed body is left alone: reading it here would consume it before the view."""
    if request is None:
        return []
    values = []
    for data in (request.GET, getattr(request, "_post", None)):
        if data is None:
            continue
        for _name, items in data.lists():
            values.extend(str(v).strip() for v in items)
    values = {v for v in values if len(v) >= 2 and v.lower() not in _HARMLESS_VALUES}
    # Longest first, so a value containing a shorter one is masked whole.
    return sorted(values, key=len, reverse=True)


def scrub(text, values=()):
    for value in values:
        text = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", REDACTED, text)
        digits = re.sub(r"\D", "", value)
        if len(digits) >= 7:
            # A phone number comes back reformatted (+14025550187 for "(402) 555-0187"):
            # mask any run of digits that holds its last seven.
            text = re.sub(rf"\+?\d*{digits[-7:]}\d*", REDACTED, text)
    text = _QUERY_STRING.sub("?" + REDACTED, text)
    return _EMAIL.sub(REDACTED, text)


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = _current.get()[0]
        return True


class ScrubFilter(logging.Filter):
    """Rewrites the record in place, so every handler after it sees the clean text."""

    def filter(self, record):
        own = getattr(record, "request", None)
        # django.server puts its socket here, not an HttpRequest.
        own = own if isinstance(own, HttpRequest) else None
        values = _sent_values(own or _current.get()[1])
        record.msg = scrub(record.getMessage(), values)
        record.args = None
        if record.exc_info and record.exc_info[0] is not None:
            text = record.exc_text or logging.Formatter().formatException(record.exc_info)
            record.exc_text = scrub(text, values)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info, values)
        if own is not None:
            # Keep what is safe to log; drop the request object (it holds the form data)
            # so no later handler, such as an e-mail to admins, can print it.
            record.http_method = own.method
            record.http_path = scrub(own.path, values)
            record.request = None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, and when there
    is one, the HTTP method, path, status and the exception's type and traceback."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        optional = {
            "request_id": getattr(record, "request_id", None),
            "method": getattr(record, "http_method", None),
            "path": getattr(record, "http_path", None),
            "status": getattr(record, "status_code", None),
        }
        entry.update({k: v for k, v in optional.items() if v is not None})
        if record.exc_info and record.exc_info[0] is not None:
            entry["exc_type"] = record.exc_info[0].__name__
            entry["traceback"] = record.exc_text or self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, default=str)
