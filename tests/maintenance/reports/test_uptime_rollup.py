"""The uptime report from the daily roll-up equals the exact computation from the whole
history, to the microsecond: before any roll-up, partly and fully rolled up, after an
operator excludes an alarm, after the station's hours change and after a late write.

The history is random (fixed seed) at microsecond times over 14 months: statuses of
connectors 0, 1 and 2 (Faulted, Unavailable, unknown ones, sessions), disconnections,
excluded alarms (closed and open, per connector and for the whole charge point), a station
in Europe/London with opening hours (daylight saving inside the window), a charge point
created in the middle of a day, and a report time that is not midnight.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlmodel import col

from ccms_app.accounts.models import Organisation
from ccms_app.accounts.organisations import organisation_scope
from ccms_app.core import db
from ccms_app.maintenance.alarms.models import Alarm
from ccms_app.maintenance.reports.filters import ReportFilter
from ccms_app.maintenance.reports.models import UptimeDay
from ccms_app.maintenance.reports.rollup import HORIZON_DAYS, Watermark, roll_up
from ccms_app.maintenance.reports.uptime import exact_uptime_report, uptime_report
from ccms_app.network.models import ChargePoint, ChargePointEvent, Connector, Station, StatusEvent

NOW = datetime(2026, 3, 1, 13, 37, 12, 345_678, tzinfo=UTC)
STATUSES = ("Available", "Charging", "Faulted", "Unavailable", "Finishing", "Bogus")


def _at(rng: random.Random, start: datetime, days: int) -> datetime:
    return start + timedelta(microseconds=rng.randrange(days * 86_400_000_000))


@pytest.fixture
def network(engine: Engine, organisation: Organisation) -> dict[str, int]:
    rng = random.Random(14)
    org = organisation.id or 0
    start = NOW - timedelta(days=430)
    with db.session_scope() as s:
        london = Station(
            organisation_id=org,
            name="Shop",
            timezone="Europe/London",
            opening_hours="Mo-Fr 07:30-21:00; Sa 09:00-14:00; Su off",
        )
        always = Station(organisation_id=org, name="Depot")
        s.add_all([london, always])
        s.flush()
        ids: dict[str, int] = {"shop": london.id or 0}
        for name, station, created in (
            ("CP-SHOP", london.id, start),
            ("CP-DEPOT", always.id, NOW - timedelta(days=40, hours=5, microseconds=17)),
        ):
            cp = ChargePoint(
                organisation_id=org,
                station_id=station,
                identity=name,
                registration_state="registered",
                max_power_w=60_000,
                created_at=created,
            )
            s.add(cp)
            s.flush()
            cp_id = ids[name] = cp.id or 0
            for connector in (1, 2):
                s.add(Connector(organisation_id=org, charge_point_id=cp_id, connector_id=connector))
            for _ in range(500):
                at = _at(rng, start, 431)
                status = rng.choice(STATUSES)
                s.add(
                    StatusEvent(
                        charge_point_id=cp_id,
                        connector_id=rng.choice((0, 1, 1, 2, 2)),
                        status=status,
                        error_code="NoError",
                        received_at=at,
                    )
                )
            for _ in range(40):
                kind = rng.choice(("connected", "disconnected"))
                s.add(
                    ChargePointEvent(
                        charge_point_id=cp_id, kind=kind, occurred_at=_at(rng, start, 431)
                    )
                )
            for number in range(6):
                began = _at(rng, start, 431)
                ended = None if number == 5 else began + timedelta(hours=rng.randrange(1, 90))
                s.add(
                    Alarm(
                        organisation_id=org,
                        charge_point_id=cp_id,
                        connector_id=number % 3,
                        cause="connector_faulted",
                        fault_started_at=began,
                        recovered_at=ended,
                        excluded_reason="" if number == 4 else "utility_interruption",
                    )
                )
    return ids


EVERYTHING = ReportFilter()


def _both(scope: frozenset[int], report: ReportFilter = EVERYTHING) -> None:
    exact = exact_uptime_report(report, scope, NOW)
    assert uptime_report(report, scope, NOW) == exact
    assert exact.ports and any(p.nevi.excluded_minutes for p in exact.ports)


def _rows() -> int:
    with db.read_session() as s:
        return s.execute(select(func.count()).select_from(UptimeDay)).scalar() or 0


def test_rolled_up_equals_exact(network: dict[str, int], organisation: Organisation) -> None:
    scope = organisation_scope(organisation.id or 0)
    _both(scope)  # nothing rolled up: all live
    partly = roll_up(NOW, budget=300)
    assert 0 < partly.written <= 4 * 300 and partly.remaining > 0
    _both(scope)  # the newest days rolled up, the rest live
    while roll_up(NOW, budget=1_000).remaining:
        pass
    assert _rows() == 4 * HORIZON_DAYS
    for until in (NOW, NOW - timedelta(days=17, hours=3), datetime(2026, 1, 1, tzinfo=UTC)):
        _both(scope, ReportFilter(until=until))
    _both(scope, ReportFilter(station_id=network["shop"]))


def test_exclusion_marked_later_counts_at_once(
    network: dict[str, int], organisation: Organisation
) -> None:
    scope = organisation_scope(organisation.id or 0)
    roll_up(NOW, budget=10_000)
    before = uptime_report(ReportFilter(), scope, NOW)
    with db.session_scope() as s:
        s.execute(
            update(Alarm)
            .where(col(Alarm.excluded_reason) == "")
            .values(excluded_reason="vandalism")
        )
    _both(scope)
    assert uptime_report(ReportFilter(), scope, NOW) != before


def test_hours_change_and_late_write_are_repaired(
    network: dict[str, int], organisation: Organisation
) -> None:
    scope = organisation_scope(organisation.id or 0)
    seen = Watermark()
    roll_up(NOW, budget=10_000, seen=seen)
    with db.session_scope() as s:
        s.execute(
            update(Station)
            .where(col(Station.id) == network["shop"])
            .values(opening_hours="06:00-23:00")
        )
    _both(scope)  # the shop's rows are stale: read live
    assert roll_up(NOW, budget=10_000, seen=seen).written == 2 * HORIZON_DAYS
    _both(scope)
    before = exact_uptime_report(ReportFilter(), scope, NOW)
    with db.session_scope() as s:  # an import writes a reconnection and a fault 100 days back
        back = NOW - timedelta(days=100, minutes=8)
        s.add(
            ChargePointEvent(
                charge_point_id=network["CP-DEPOT"], kind="connected", occurred_at=back
            )
        )
        for connector, status, minutes in (
            (0, "Available", 7),
            (1, "Faulted", 7),
            (1, "Available", -50),
        ):
            s.add(
                StatusEvent(
                    charge_point_id=network["CP-DEPOT"],
                    connector_id=connector,
                    status=status,
                    error_code="NoError",
                    received_at=NOW - timedelta(days=100, minutes=minutes),
                )
            )
    assert exact_uptime_report(ReportFilter(), scope, NOW) != before
    stale = uptime_report(ReportFilter(), scope, NOW)  # the rows of days 100..1 back
    assert stale != exact_uptime_report(ReportFilter(), scope, NOW)
    repaired = roll_up(NOW, budget=10_000, seen=seen)
    assert repaired.repaired == 1 and repaired.written == 2 * 100  # 11-21 .. 02-28
    _both(scope)
