"""Structured (key=value) logging that an operator can grep."""

from __future__ import annotations

import logging
import sys

_CONFIGURED = False


class KeyValueFormatter(logging.Formatter):
    """Formats records as `time level logger msg key=value ...` using the record's `extra`."""

    _STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
        "message",
        "asctime",
        "taskName",
    }

    def format(self, record: logging.LogRecord) -> str:
        base = (
            f"{self.formatTime(record, '%Y-%m-%dT%H:%M:%S')} {record.levelname:<7} "
            f"{record.name} {record.getMessage()}"
        )
        extras = " ".join(
            f"{key}={value!r}" if isinstance(value, str) and " " in value else f"{key}={value}"
            for key, value in record.__dict__.items()
            if key not in self._STANDARD and not key.startswith("_")
        )
        text = f"{base} {extras}" if extras else base
        if record.exc_info:
            text = f"{text}\n{self.formatException(record.exc_info)}"
        return text


def configure_logging(level: str = "INFO") -> None:
    """Install the key=value formatter on the root logger once per process."""
    global _CONFIGURED
    root = logging.getLogger()
    root.setLevel(level)
    if _CONFIGURED:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(KeyValueFormatter())
    root.addHandler(handler)
    # The ocpp library logs every frame at INFO; our message log already stores them.
    logging.getLogger("ocpp").setLevel(logging.WARNING)
    logging.getLogger("websockets").setLevel(logging.WARNING)
    _CONFIGURED = True
