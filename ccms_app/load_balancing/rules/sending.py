"""When to send a connector a new charging profile (OCPP 1.6 SetChargingProfile).

Chargers are not flooded: a new limit goes out only when it moves by more than the site's
threshold, or when a car gets its first current or loses it (0 <-> something always counts:
a car waiting at 0 must start, a car that must stop must stop). Live profiles are short-lived
(validTo), so a charger that loses CCMS falls back to its safe default; they are refreshed
when less than half of their validity is left.
"""

from __future__ import annotations

from datetime import datetime, timedelta


def needs_sending(
    new_da: int,
    sent_da: int | None,
    threshold_da: int,
    valid_until: datetime | None,
    now: datetime,
    validity_s: int,
    tx_changed: bool,
) -> str | None:
    """Why a profile must be sent ("first", "transaction", "change", "refresh"), or None."""
    if sent_da is None:
        return "first"
    if tx_changed:
        return "transaction"
    if abs(new_da - sent_da) > threshold_da or (new_da == 0) != (sent_da == 0):
        return "change"
    if valid_until is None or valid_until - now < timedelta(seconds=validity_s) / 2:
        return "refresh"
    return None
