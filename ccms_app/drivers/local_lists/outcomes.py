"""What a local list sync of one charge point came to (stored per charge point, published,
and shown to the operator)."""

from __future__ import annotations

from dataclasses import dataclass

ACCEPTED = "accepted"
UP_TO_DATE = "up_to_date"
FAILED = "failed"
NOT_SUPPORTED = "not_supported"
VERSION_MISMATCH = "version_mismatch"
TOO_LONG = "too_long"
OFFLINE = "offline"
TIMED_OUT = "timed_out"
SUCCESSES = (ACCEPTED, UP_TO_DATE)


@dataclass(frozen=True)
class SyncResult:
    charge_point_id: int
    identity: str
    result: str  # accepted | up_to_date | failed | not_supported | version_mismatch | ...
    detail: str
    version: int  # the version the charge point accepted last (0: none)
    update_type: str = ""  # Full | Differential of the last update sent
    updates_sent: int = 0  # SendLocalList requests the charge point accepted
    fell_back_to_full: bool = False

    @property
    def ok(self) -> bool:
        return self.result in SUCCESSES
