"""Why a firmware or diagnostics request cannot be served."""

from __future__ import annotations


class FirmwareError(ValueError):
    """The operator's or charger's input cannot be used; the message says why."""


class DiagnosticsTooLargeError(FirmwareError):
    """An upload went over CCMS_DIAGNOSTICS_MAX_MB."""


class UnknownChargePointError(LookupError):
    """An upload or request names a charge point CCMS does not know (or the operator's scope
    does not include)."""
