"""A running session as load balancing reads it: the columns it needs, not the ORM row (a
site of 1,000 cars is read on every trigger; loading full rows cost most of the time)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from ccms_app.charging.models import ChargingSession, SessionStatus
from ccms_app.core.rows import table_of


@dataclass(frozen=True)
class RunningSession:
    id: int
    charge_point_id: int
    connector_id: int
    id_tag: str
    start_time: datetime
    meter_updated_at: datetime | None
    current_a: float | None
    power_w: float | None


def running_sessions(db: Session, charge_point_ids: list[int]) -> list[RunningSession]:
    cs = table_of(ChargingSession).c
    query = select(
        cs.id,
        cs.charge_point_id,
        cs.connector_id,
        cs.id_tag,
        cs.start_time,
        cs.meter_updated_at,
        cs.current_a,
        cs.power_w,
    ).where(cs.charge_point_id.in_(charge_point_ids), cs.status == SessionStatus.ACTIVE)
    return [RunningSession(*row) for row in db.execute(query)]
