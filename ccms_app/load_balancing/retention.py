"""Retention of load balancing history: decisions and building load readings.

The live view needs the last 24 hours and the decision log a few days; after
CCMS_LOAD_HISTORY_RETENTION_DAYS (30 by default, 0 = keep) the hourly purge deletes them, in
committed batches like the other retained tables (core.retention).
"""

from __future__ import annotations

from ccms_app.core.retention import RetainedTable, retained_by_time
from ccms_app.core.rows import table_of
from ccms_app.load_balancing.models import BuildingLoadReading, LoadDecision

DECISIONS = table_of(LoadDecision)
READINGS = table_of(BuildingLoadReading)


def load_history_retention(days: int) -> list[RetainedTable]:
    return [
        retained_by_time(DECISIONS, DECISIONS.c.decided_at, days),
        retained_by_time(READINGS, READINGS.c.measured_at, days),
    ]
