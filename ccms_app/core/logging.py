"""Structured logging: `key=value` text an operator can grep, or JSON lines for log shippers.

Values logged here often come from the network (a charge point's identity is the last segment
of its websocket URL), so both formats escape control characters: one record is always one
line, and no charger can forge a log line by putting a newline in what it sends.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from ccms_app.core.config import LogFormat, get_settings

_handler: logging.Handler | None = None

# Attributes every LogRecord has; whatever else a record carries came from `extra=`.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
    "taskName",
}
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
# A value holding one of these is quoted, so `key=value` pairs always split the same way.
_NEEDS_QUOTES = frozenset(" \"'=\\")


def _escape_char(char: str) -> str:
    """A character that cannot break or disguise a line: itself, or a backslash escape."""
    if char in _ESCAPES:
        return _ESCAPES[char]
    if char.isprintable():  # False for C0/C1 controls, U+2028 and other line separators
        return char
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def escape_message(text: str) -> str:
    """The message with its control characters escaped; quotes and backslashes kept as is."""
    if text.isprintable():
        return text
    return "".join(char if char in '\\"' else _escape_char(char) for char in text)


def format_value(value: object) -> str:
    """A `key=value` value: bare when plain, else double-quoted with backslash escapes."""
    text = str(value)
    if text and text.isprintable() and not _NEEDS_QUOTES.intersection(text):
        return text
    return '"' + "".join(_escape_char(char) for char in text) + '"'


def record_extras(record: logging.LogRecord) -> dict[str, Any]:
    """The fields passed with `extra=`, in the order they were given."""
    return {
        key: value
        for key, value in record.__dict__.items()
        if key not in _STANDARD and not key.startswith("_")
    }


class KeyValueFormatter(logging.Formatter):
    """Formats records as `time level logger msg key=value ...` using the record's `extra`."""

    def format(self, record: logging.LogRecord) -> str:
        base = (
            f"{self.formatTime(record, '%Y-%m-%dT%H:%M:%S')} {record.levelname:<7} "
            f"{record.name} {escape_message(record.getMessage())}"
        )
        extras = " ".join(
            f"{key}={format_value(value)}" for key, value in record_extras(record).items()
        )
        text = f"{base} {extras}" if extras else base
        if record.exc_info:
            traceback = self.formatException(record.exc_info).split("\n")
            text = "\n".join([text, *(escape_message(line) for line in traceback)])
        return text


class JsonFormatter(logging.Formatter):
    """One JSON object per record and line: time (UTC, ISO 8601), level, logger, message,
    each `extra` as a field, and the traceback as `exception` when there is one."""

    _FIXED = ("time", "level", "logger", "message", "exception")

    def format(self, record: logging.LogRecord) -> str:
        time = datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds")
        entry: dict[str, Any] = {
            "time": time.replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record_extras(record).items():
            entry[f"{key}_" if key in self._FIXED else key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        # ensure_ascii: U+2028 and friends are escaped too, so every reader sees one line.
        return json.dumps(entry, default=str)


def _formatter(log_format: LogFormat) -> logging.Formatter:
    return JsonFormatter() if log_format == "json" else KeyValueFormatter()


def configure_logging(level: str = "INFO", log_format: LogFormat | None = None) -> None:
    """Log to stderr at `level`, as `key=value` text or JSON lines (default: CCMS_LOG_FORMAT).

    The handler is installed on the root logger once per process; a later call changes only
    the level and the format.
    """
    global _handler
    root = logging.getLogger()
    root.setLevel(level)
    formatter = _formatter(log_format or get_settings().log_format)
    if _handler is not None:
        _handler.setFormatter(formatter)
        return
    _handler = logging.StreamHandler(sys.stderr)
    _handler.setFormatter(formatter)
    root.addHandler(_handler)
    # The ocpp library logs every frame at INFO; our message log already stores them.
    logging.getLogger("ocpp").setLevel(logging.WARNING)
    logging.getLogger("websockets").setLevel(logging.WARNING)
    # APScheduler says INFO on every run of every job ("Running job", "executed
    # successfully"): a quarter of an idle log. A job that fails or misses its run is an ERROR
    # or a WARNING and still shows.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
