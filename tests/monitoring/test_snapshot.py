"""The live network snapshot, read from real rows in a migrated database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ccms_app.accounts import organisations
from ccms_app.accounts.models import Organisation
from ccms_app.charging import data_issues
from ccms_app.charging.models import ChargerDataIssue, ChargingSession, SessionStatus
from ccms_app.monitoring import snapshot as monitoring
from ccms_app.network.models import ChargePoint, Connector, Station

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def add_charge_point(
    session: Session,
    org: Organisation,
    identity: str,
    *,
    station: Station | None = None,
    online: bool = True,
    state: str = "registered",
    statuses: tuple[tuple[str, str], ...] = (("Available", "NoError"),),
    cp_status: tuple[str, str] = ("Available", "NoError"),
) -> ChargePoint:
    cp = ChargePoint(
        organisation_id=org.id,
        station_id=station.id if station else None,
        identity=identity,
        registration_state=state,
        is_online=online,
        last_seen_at=NOW - timedelta(minutes=5),
        status=cp_status[0],
        error_code=cp_status[1],
    )
    session.add(cp)
    session.flush()
    for number, (status, error) in enumerate(statuses, start=1):
        session.add(
            Connector(
                organisation_id=org.id,
                charge_point_id=cp.id,
                connector_id=number,
                status=status,
                error_code=error,
                status_at=NOW - timedelta(minutes=1),
            )
        )
    session.flush()
    return cp


def add_session(
    session: Session,
    cp: ChargePoint,
    connector_id: int,
    *,
    start: datetime,
    energy_wh: int,
    active: bool = True,
    power_w: float | None = None,
) -> ChargingSession:
    cs = ChargingSession(
        organisation_id=cp.organisation_id,
        charge_point_id=cp.id,
        connector_id=connector_id,
        id_tag="CARD-1",
        status=SessionStatus.ACTIVE if active else SessionStatus.COMPLETED,
        start_time=start,
        stop_time=None if active else start + timedelta(minutes=30),
        meter_start_wh=1000,
        energy_wh=energy_wh,
        power_w=power_w,
        current_a=32.0 if active else None,
        voltage_v=230.0 if active else None,
        soc_percent=55.0 if active else None,
    )
    session.add(cs)
    session.flush()
    return cs


@pytest.fixture
def network(session: Session, organisation: Organisation) -> dict[str, ChargePoint]:
    """A small network: charging, faulted, offline and unregistered charge points."""
    station = Station(organisation_id=organisation.id, name="Depot North", timezone="Europe/Oslo")
    session.add(station)
    session.flush()
    cps = {
        "charging": add_charge_point(
            session,
            organisation,
            "CP-A",
            station=station,
            statuses=(("Charging", "NoError"), ("Available", "NoError")),
        ),
        "faulted": add_charge_point(
            session,
            organisation,
            "CP-B",
            statuses=(("Faulted", "GroundFailure"), ("Available", "NoError")),
        ),
        "offline": add_charge_point(session, organisation, "CP-C", online=False),
        "unregistered": add_charge_point(
            session, organisation, "CP-NEW", state="unregistered", statuses=()
        ),
    }
    add_session(
        session, cps["charging"], 1, start=NOW - timedelta(hours=1), energy_wh=7400, power_w=11000.0
    )
    add_session(
        session, cps["charging"], 2, start=NOW - timedelta(hours=3), energy_wh=5000, active=False
    )
    add_session(
        session, cps["faulted"], 2, start=NOW - timedelta(days=1), energy_wh=9000, active=False
    )
    session.commit()
    return cps


def test_charge_points_with_connectors_and_station(network: dict[str, ChargePoint]) -> None:
    snapshot = monitoring.load_snapshot(now=NOW)
    by_identity = {cp.identity: cp for cp in snapshot.charge_points}
    assert list(by_identity) == ["CP-A", "CP-B", "CP-C", "CP-NEW"]
    cp_a = by_identity["CP-A"]
    assert cp_a.station_name == "Depot North"
    assert cp_a.station_timezone == "Europe/Oslo"
    assert cp_a.online and cp_a.registration_state == "registered"
    assert [(c.connector_id, c.status) for c in cp_a.connectors] == [
        (1, "Charging"),
        (2, "Available"),
    ]
    assert by_identity["CP-B"].connectors[0].error_code == "GroundFailure"
    assert by_identity["CP-B"].faulted
    assert not by_identity["CP-C"].online
    assert by_identity["CP-NEW"].connectors == ()


def test_active_sessions_carry_live_readings(network: dict[str, ChargePoint]) -> None:
    snapshot = monitoring.load_snapshot(now=NOW)
    assert len(snapshot.sessions) == 1
    live = snapshot.sessions[0]
    assert (live.identity, live.connector_id, live.id_tag) == ("CP-A", 1, "CARD-1")
    assert live.energy_kwh == pytest.approx(7.4)
    assert live.power_kw == pytest.approx(11.0)
    assert (live.current_a, live.voltage_v, live.soc_percent) == (32.0, 230.0, 55.0)


def test_warnings_list_faults_offline_and_unregistered(network: dict[str, ChargePoint]) -> None:
    warnings = monitoring.load_snapshot(now=NOW).warnings
    assert [(w.kind, w.identity, w.connector_id) for w in warnings] == [
        ("fault", "CP-B", 1),
        ("offline", "CP-C", None),
        ("unregistered", "CP-NEW", None),
    ]
    assert "GroundFailure" in warnings[0].message
    assert warnings[0].error_code == "GroundFailure"


def test_error_code_without_fault_is_a_warning(session: Session, organisation) -> None:
    add_charge_point(session, organisation, "CP-W", statuses=(("Available", "HighTemperature"),))
    session.commit()
    (warning,) = monitoring.load_snapshot(now=NOW).warnings
    assert (warning.kind, warning.connector_id, warning.error_code) == (
        "error",
        1,
        "HighTemperature",
    )


def test_home_counts(network: dict[str, ChargePoint]) -> None:
    counts = monitoring.load_snapshot(now=NOW).counts
    assert counts.charge_points == 4
    assert (counts.online, counts.offline, counts.faulted, counts.unregistered) == (2, 1, 1, 1)
    assert counts.connectors_by_status == {"Available": 3, "Charging": 1, "Faulted": 1}
    assert counts.active_sessions == 1
    assert counts.live_power_kw == pytest.approx(11.0)
    # Today (UTC): the active session and the one completed this morning, not yesterday's.
    assert counts.sessions_today == 2
    assert counts.energy_today_kwh == pytest.approx(12.4)


def test_empty_network_gives_zero_counts(engine: Engine) -> None:
    snapshot = monitoring.load_snapshot(now=NOW)
    assert snapshot.charge_points == () and snapshot.sessions == () and snapshot.warnings == ()
    assert snapshot.counts == monitoring.HomeCounts()


def test_scope_includes_sub_operators_and_excludes_others(
    session: Session, organisation: Organisation
) -> None:
    child = Organisation(name="Partner", parent_id=organisation.id)
    other = Organisation(name="Other Operator")
    session.add_all([child, other])
    session.flush()
    add_charge_point(session, organisation, "CP-ROOT")
    add_charge_point(session, child, "CP-CHILD")
    add_charge_point(session, other, "CP-OTHER")
    session.commit()
    scope = organisations.organisation_scope(organisation.id)
    assert scope == {organisation.id, child.id}
    identities = [cp.identity for cp in monitoring.load_snapshot(scope, now=NOW).charge_points]
    assert identities == ["CP-CHILD", "CP-ROOT"]
    child_only = monitoring.load_snapshot(organisations.organisation_scope(child.id), now=NOW)
    assert [cp.identity for cp in child_only.charge_points] == ["CP-CHILD"]


def test_query_count_does_not_grow_with_the_network(
    session: Session, organisation: Organisation, engine: Engine
) -> None:
    def statements_for_snapshot() -> int:
        seen: list[str] = []

        def count(*_args: object) -> None:
            seen.append("x")

        event.listen(engine, "before_cursor_execute", count)
        try:
            monitoring.load_snapshot(now=NOW)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(seen)

    cp = add_charge_point(session, organisation, "CP-0001")
    add_session(session, cp, 1, start=NOW, energy_wh=100, power_w=1000.0)
    session.commit()
    small = statements_for_snapshot()
    for n in range(2, 31):
        cp = add_charge_point(session, organisation, f"CP-{n:04d}")
        add_session(session, cp, 1, start=NOW, energy_wh=100, power_w=1000.0)
    session.commit()
    assert statements_for_snapshot() == small <= 6


def test_charge_point_detail_for_the_command_dialog(
    network: dict[str, ChargePoint], organisation: Organisation
) -> None:
    cp = network["charging"]
    detail = monitoring.charge_point_detail(cp.id, {organisation.id})
    assert detail is not None
    assert detail.identity == "CP-A" and detail.online
    assert detail.connector_ids == (1, 2)
    assert [connector for _tx, connector in detail.active_transactions] == [1]
    assert monitoring.charge_point_detail(cp.id, {organisation.id + 100}) is None
    assert monitoring.charge_point_detail(999_999) is None


def test_unresolved_data_issues_are_warnings_per_charge_point(
    network: dict[str, ChargePoint], session: Session, organisation: Organisation
) -> None:
    cp = network["charging"]
    for detail in ("StopTransaction for unknown transaction 7", "clock is ahead"):
        session.add(
            ChargerDataIssue(charge_point_id=cp.id, identity=cp.identity, kind="x", detail=detail)
        )
    session.add(
        ChargerDataIssue(
            charge_point_id=network["offline"].id,
            identity="CP-C",
            kind="x",
            detail="handled already",
            resolved_at=NOW,
        )
    )
    session.add(ChargerDataIssue(identity="NO-ROW", kind="x", detail="no charge point row"))
    session.commit()

    warnings = monitoring.load_snapshot(now=NOW).warnings
    assert [(w.kind, w.identity) for w in warnings][-1] == ("data", "CP-A")
    (data,) = [w for w in warnings if w.kind == "data"]
    assert data.message == "2 data issues; latest: clock is ahead"
    assert data.since is not None
    other = Organisation(name="Other Operator")
    session.add(other)
    session.commit()
    assert monitoring.load_snapshot({other.id}, now=NOW).warnings == ()

    (latest, _first) = data_issues.list_issues({organisation.id}, charge_point_id=cp.id)
    assert data_issues.resolve_issue(latest.id, {organisation.id})
    assert not data_issues.resolve_issue(latest.id)  # already resolved
    (data,) = [w for w in monitoring.load_snapshot(now=NOW).warnings if w.kind == "data"]
    assert data.message.startswith("1 data issue; latest: StopTransaction for unknown")
