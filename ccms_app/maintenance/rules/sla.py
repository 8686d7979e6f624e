"""Service level: when a work order is due, from its priority and the organisation's hours.

MaintenanceSettings holds sla_critical_h / sla_high_h / sla_medium_h / sla_low_h; a work
order created at t with priority p is due at t + hours(p). Overdue = past due and still
active (resolved and closed orders are never overdue).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ccms_app.core.i18n import N_
from ccms_app.maintenance.work_orders.models import WorkOrderPriority as P

PRIORITIES: tuple[str, ...] = (P.CRITICAL, P.HIGH, P.MEDIUM, P.LOW)  # most urgent first
PRIORITY_LABELS: dict[str, str] = {
    P.CRITICAL: N_("Critical"),
    P.HIGH: N_("High"),
    P.MEDIUM: N_("Medium"),
    P.LOW: N_("Low"),
}


@dataclass(frozen=True)
class SlaHours:
    critical: int = 4
    high: int = 24
    medium: int = 72
    low: int = 168

    def hours_for(self, priority: str) -> int:
        if priority not in PRIORITIES:
            raise ValueError(f"unknown work order priority {priority!r}")
        return int(getattr(self, priority))


def due_at(priority: str, created_at: datetime, hours: SlaHours) -> datetime:
    """The SLA due time of a work order created at `created_at`."""
    return created_at + timedelta(hours=hours.hours_for(priority))


def is_overdue(due: datetime | None, active: bool, now: datetime) -> bool:
    return active and due is not None and due < now


def priority_rank(priority: str) -> int:
    """0 = most urgent; unknown priorities last."""
    return PRIORITIES.index(priority) if priority in PRIORITIES else len(PRIORITIES)
