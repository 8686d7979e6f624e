"""A small network with a year of hand-made history, for the report use cases and the API.

Now is 2026-03-01 00:00 UTC. NEVI window: 2025-03-01 .. 2026-03-01 (525,600 minutes); UK
year: 2026-01-01 .. 2026-03-01 (59 days = 1,416 h). Every figure the tests expect is worked
out in their comments from the rows below.

- Area North: station Depot (24/7, UTC); CP-RAPID (ABB Terra 54, 50 kW), connectors 1, 2.
  - connector 1 Faulted 2026-01-10 10:00 -> Available 16:00 (6 h), Charging before it;
  - connector 0 Unavailable 2025-06-01 00:00 -> Available 12:00 (12 h, both connectors);
  - disconnected 2026-02-01 00:00 -> connected 02:00 (2 h, both connectors), its offline
    alarm excluded (utility interruption).
- Area South: station Mall (08:00-20:00, UTC); CP-MALL (KEBA P30, 22 kW), connector 1
  Faulted 2026-02-10 18:00 -> Available 2026-02-11 10:00 (16 h, 12 of them closed).
- Another organisation's charge point with a fault and a work order: never in the reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session

from ccms_app.accounts.models import OperatorAccount, Organisation, Role
from ccms_app.core import db
from ccms_app.maintenance.alarms.models import Alarm, AlarmStatus
from ccms_app.maintenance.work_orders.models import WorkOrder
from ccms_app.network.models import (
    ChargePoint,
    ChargePointEvent,
    Connector,
    OperationArea,
    Station,
    StatusEvent,
)

NOW = datetime(2026, 3, 1, tzinfo=UTC)
YEAR_START = datetime(2026, 1, 1, tzinfo=UTC)


def t(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@dataclass(frozen=True)
class Seeded:
    north: int
    south: int
    depot: int
    mall: int
    rapid: int
    mall_cp: int
    tech: int


def _charge_point(session: Session, org: int, station: int, identity: str, **kw: Any) -> int:
    cp = ChargePoint(
        organisation_id=org,
        station_id=station,
        identity=identity,
        registration_state="registered",
        created_at=t(2024, 1, 1),
        **kw,
    )
    session.add(cp)
    session.flush()
    return cp.id or 0


def _statuses(session: Session, cp: int, rows: list[tuple[int, str, datetime]]) -> None:
    for connector_id, status, at in rows:
        error = "GroundFailure" if status == "Faulted" else "NoError"
        session.add(
            StatusEvent(
                charge_point_id=cp,
                connector_id=connector_id,
                status=status,
                error_code=error,
                timestamp=at,
                received_at=at,
            )
        )


def _alarm(session: Session, org: int, cp: int, connector: int, cause: str, **kw: Any) -> int:
    started = kw.pop("started")
    alarm = Alarm(
        organisation_id=org,
        charge_point_id=cp,
        connector_id=connector,
        cause=cause,
        fault_started_at=started,
        first_raised_at=started,
        last_raised_at=started,
        **kw,
    )
    session.add(alarm)
    session.flush()
    return alarm.id or 0


def seed(organisation: Organisation) -> Seeded:
    org = organisation.id or 0
    with db.session_scope() as s:
        north, south = (
            OperationArea(organisation_id=org, name="North"),
            OperationArea(organisation_id=org, name="South"),
        )
        s.add_all([north, south])
        s.flush()
        depot = Station(organisation_id=org, area_id=north.id, name="Depot")
        mall = Station(
            organisation_id=org, area_id=south.id, name="Mall", opening_hours="08:00-20:00"
        )
        s.add_all([depot, mall])
        s.flush()
        rapid = _charge_point(
            s, org, depot.id or 0, "CP-RAPID", vendor="ABB", model="Terra 54", max_power_w=50_000
        )
        mall_cp = _charge_point(
            s, org, mall.id or 0, "CP-MALL", vendor="KEBA", model="P30", max_power_w=22_000
        )
        for cp, connector in ((rapid, 1), (rapid, 2), (mall_cp, 1)):
            s.add(Connector(organisation_id=org, charge_point_id=cp, connector_id=connector))
        start = t(2024, 6, 1)
        _statuses(
            s, rapid, [(0, "Available", start), (1, "Available", start), (2, "Available", start)]
        )
        _statuses(
            s,
            rapid,
            [
                (0, "Unavailable", t(2025, 6, 1)),
                (0, "Available", t(2025, 6, 1, 12)),
                (1, "Preparing", t(2026, 1, 5, 9)),
                (1, "Charging", t(2026, 1, 5, 9, 1)),
                (1, "Available", t(2026, 1, 5, 11)),
                (1, "Faulted", t(2026, 1, 10, 10)),
                (1, "Available", t(2026, 1, 10, 16)),
            ],
        )
        _statuses(s, mall_cp, [(0, "Available", start), (1, "Available", start)])
        _statuses(
            s, mall_cp, [(1, "Faulted", t(2026, 2, 10, 18)), (1, "Available", t(2026, 2, 11, 10))]
        )
        for cp in (rapid, mall_cp):
            s.add(ChargePointEvent(charge_point_id=cp, kind="connected", occurred_at=start))
        s.add(
            ChargePointEvent(charge_point_id=rapid, kind="disconnected", occurred_at=t(2026, 2, 1))
        )
        s.add(
            ChargePointEvent(charge_point_id=rapid, kind="connected", occurred_at=t(2026, 2, 1, 2))
        )
        closed = {"status": AlarmStatus.CLOSED}
        a1 = _alarm(
            s, org, rapid, 1, "connector_faulted", started=t(2026, 1, 10, 10),
            recovered_at=t(2026, 1, 10, 16), closed_at=t(2026, 1, 10, 16),
            error_code="GroundFailure", **closed,
        )  # fmt: skip
        _alarm(
            s, org, rapid, 0, "offline", started=t(2026, 2, 1), recovered_at=t(2026, 2, 1, 2),
            closed_at=t(2026, 2, 1, 2), excluded_reason="utility_interruption", **closed,
        )  # fmt: skip
        a3 = _alarm(
            s, org, mall_cp, 1, "connector_faulted", started=t(2026, 2, 10, 18),
            recovered_at=t(2026, 2, 11, 10), closed_at=t(2026, 2, 11, 10), **closed,
        )  # fmt: skip
        _alarm(s, org, mall_cp, 0, "firmware_failed", started=t(2026, 2, 15), open_key="fw")
        _alarm(
            s, org, rapid, 1, "connector_faulted", started=t(2025, 6, 1),
            recovered_at=t(2025, 6, 1, 1), closed_at=t(2025, 6, 1, 1), **closed,
        )  # fmt: skip
        role = Role(organisation_id=org, name="Tech role", permissions="maintenance:view")
        s.add(role)
        s.flush()
        tech = OperatorAccount(
            organisation_id=org,
            email="tess@example.com",
            full_name="Tess Tech",
            password_hash="x",
            role_id=role.id or 0,
        )
        s.add(tech)
        s.flush()
        tech_id = tech.id or 0
        s.add_all(
            [
                WorkOrder(
                    organisation_id=org, title="Connector 1 faulted", description="Ground failure",
                    status="closed", source="rule", charge_point_id=rapid, connector_id=1,
                    station_id=depot.id, alarm_id=a1, assignee_account_id=tech_id,
                    created_at=t(2026, 1, 10, 10, 5), started_at=t(2026, 1, 10, 10, 30),
                    resolved_at=t(2026, 1, 10, 15, 50), closed_at=t(2026, 1, 10, 16, 30),
                    due_at=t(2026, 1, 10, 14), time_spent_min=300,
                ),
                WorkOrder(
                    organisation_id=org, title="Mall connector faulted", description="=cmd()",
                    status="in_progress", source="alarm", charge_point_id=mall_cp,
                    connector_id=1, station_id=mall.id, alarm_id=a3,
                    assignee_account_id=tech_id, created_at=t(2026, 2, 10, 18, 10),
                    started_at=t(2026, 2, 10, 19), due_at=t(2026, 2, 11, 18, 10),
                ),
                WorkOrder(
                    organisation_id=org, title="Cable wear", description="Check the cable",
                    status="open", charge_point_id=mall_cp, station_id=mall.id,
                    created_at=t(2026, 2, 20), due_at=t(2026, 3, 5),
                ),
                WorkOrder(
                    organisation_id=org, title="Display dim", status="resolved",
                    charge_point_id=rapid, station_id=depot.id, created_at=t(2026, 2, 25),
                    resolved_at=t(2026, 2, 26),
                ),
                WorkOrder(
                    organisation_id=org, title="Last year", status="closed",
                    charge_point_id=rapid, station_id=depot.id, created_at=t(2025, 12, 1),
                    closed_at=t(2025, 12, 2),
                ),
            ]
        )  # fmt: skip
        other = Organisation(name="Other Operator")
        s.add(other)
        s.flush()
        other_station = Station(organisation_id=other.id or 0, name="Elsewhere")
        s.add(other_station)
        s.flush()
        foreign = _charge_point(
            s, other.id or 0, other_station.id or 0, "CP-FOREIGN", vendor="ABB", model="Terra 54"
        )
        s.add(Connector(organisation_id=other.id or 0, charge_point_id=foreign, connector_id=1))
        _statuses(s, foreign, [(1, "Faulted", t(2026, 1, 2))])
        fa = _alarm(
            s, other.id or 0, foreign, 1, "connector_faulted", started=t(2026, 1, 2), open_key="x"
        )
        s.add(
            WorkOrder(
                organisation_id=other.id or 0, title="Foreign", charge_point_id=foreign,
                alarm_id=fa, created_at=t(2026, 1, 2, 1), status="open",
            )
        )  # fmt: skip
        return Seeded(
            north.id or 0, south.id or 0, depot.id or 0, mall.id or 0, rapid, mall_cp, tech_id
        )
