"""How long a charger was down for one alarm (pure)."""

from __future__ import annotations

from datetime import datetime


def downtime_seconds(fault_started_at: datetime, recovered_at: datetime) -> int:
    """Whole seconds from the fault's start to the recovery; never negative (a charger's
    clock may put the fault's start after our receive time of the recovery)."""
    return max(0, int((recovered_at - fault_started_at).total_seconds()))
