"""What the driver app's use cases refuse, worded for the driver (in their language)."""

from __future__ import annotations


class DriverAppError(Exception):
    """Refused input or action: a sentence for the driver, and per-field messages."""

    def __init__(self, message: str, fields: dict[str, str] | None = None, code: str = "") -> None:
        super().__init__(message)
        self.fields = dict(fields or {})
        self.code = code  # a word a page or the API can act on ("taken", "unverified")


class DriverAppNotFound(DriverAppError):
    """Not found, or not the driver's own: the two look the same from outside."""
