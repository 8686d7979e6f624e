"""recent_sessions: one query for the station page and the charge point page's Sessions tab,
on a real migrated database: each filter, both together, scope, newest first, the limit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from ccms_app.accounts.models import Organisation
from ccms_app.accounts.organisations import organisation_scope
from ccms_app.charging.models import ChargingSession
from ccms_app.charging.session_history import charge_point_sessions, recent_sessions
from ccms_app.core.types import utc_now
from ccms_app.monitoring.charge_point_view import load_sessions
from ccms_app.network.assets import AssetNotFound
from ccms_app.network.models import ChargePoint, Station

T0 = utc_now().replace(microsecond=0) - timedelta(days=1)


def _cp(session: Session, org: Organisation, identity: str, station: Station | None) -> int:
    cp = ChargePoint(
        identity=identity,
        organisation_id=org.id,
        station_id=None if station is None else station.id,
    )
    session.add(cp)
    session.flush()
    assert cp.id is not None
    return cp.id


def _session(session: Session, org: Organisation, cp_id: int, tag: str, minute: int) -> int:
    cs = ChargingSession(
        organisation_id=org.id,
        charge_point_id=cp_id,
        connector_id=1 + minute % 2,
        id_tag=tag,
        start_time=T0 + timedelta(minutes=minute),
        meter_start_wh=0,
        energy_wh=1000 * minute,
    )
    session.add(cs)
    session.flush()
    assert cs.id is not None
    return cs.id


@pytest.fixture
def network(session: Session, organisation: Organisation) -> dict[str, int]:
    """Depot (Europe/Berlin) with CP-A and CP-B; CP-C without a station; another operator's
    CP-X at its own station. Sessions at minutes: A 1, 3, 5 (5 completed, flagged); B 2, 4;
    C 6; X 7."""
    other = Organisation(name="Other operator")
    session.add(other)
    session.flush()
    depot = Station(organisation_id=organisation.id, name="Depot", timezone="Europe/Berlin")
    foreign = Station(organisation_id=other.id, name="Foreign")
    session.add_all([depot, foreign])
    session.flush()
    ids = {
        "depot": depot.id,
        "foreign": foreign.id,
        "A": _cp(session, organisation, "CP-A", depot),
        "B": _cp(session, organisation, "CP-B", depot),
        "C": _cp(session, organisation, "CP-C", None),
        "X": _cp(session, other, "CP-X", foreign),
    }
    for cp, tag, minute in [("A", "A1", 1), ("B", "B2", 2), ("A", "A3", 3), ("B", "B4", 4)]:
        _session(session, organisation, ids[cp], tag, minute)
    done = session.get(ChargingSession, _session(session, organisation, ids["A"], "A5", 5))
    assert done is not None
    done.status, done.stop_time = "completed", T0 + timedelta(minutes=50)
    done.flagged, done.flag_reason = True, "energy register went backwards"
    _session(session, organisation, ids["C"], "C6", 6)
    _session(session, other, ids["X"], "X7", 7)
    session.commit()
    return {k: int(v) for k, v in ids.items() if v is not None}


@pytest.fixture
def scope(organisation: Organisation) -> frozenset[int]:
    return organisation_scope(organisation.id)


def test_station_filter_lists_its_charge_points_newest_first(network, scope) -> None:
    recent = recent_sessions(scope, station_id=network["depot"])
    assert [s.id_tag for s in recent] == ["A5", "B4", "A3", "B2", "A1"]
    newest = recent[0]
    assert (newest.identity, newest.connector_id, newest.energy_wh) == ("CP-A", 2, 5000)
    assert newest.status == "completed" and newest.stop_time == T0 + timedelta(minutes=50)
    assert newest.flagged and newest.flag_reason == "energy register went backwards"
    assert newest.timezone == "Europe/Berlin"
    assert not recent[1].flagged and recent[1].stop_time is None


def test_charge_point_filter_and_limit(network, scope) -> None:
    assert [s.id_tag for s in recent_sessions(scope, charge_point_id=network["A"])] == [
        "A5",
        "A3",
        "A1",
    ]
    assert [s.id_tag for s in recent_sessions(scope, charge_point_id=network["A"], limit=2)] == [
        "A5",
        "A3",
    ]
    without_station = recent_sessions(scope, charge_point_id=network["C"])
    assert [(s.id_tag, s.timezone) for s in without_station] == [("C6", "UTC")]


def test_both_filters_narrow_together(network, scope) -> None:
    both = recent_sessions(scope, station_id=network["depot"], charge_point_id=network["B"])
    assert [s.id_tag for s in both] == ["B4", "B2"]
    assert recent_sessions(scope, station_id=network["depot"], charge_point_id=network["C"]) == []


def test_out_of_scope_station_or_charge_point_is_not_found(network, scope) -> None:
    with pytest.raises(AssetNotFound):
        recent_sessions(scope, station_id=network["foreign"])
    with pytest.raises(AssetNotFound):
        recent_sessions(scope, charge_point_id=network["X"])
    with pytest.raises(ValueError):
        recent_sessions(scope)


def test_live_feed_reads_a_charge_points_sessions_as_rows(network) -> None:
    assert [s.id_tag for s in charge_point_sessions(network["X"])] == ["X7"]
    assert charge_point_sessions(999_999) == []
    rows = load_sessions(network["A"])
    assert [(r.transaction_id > 0, r.id_tag, r.active, r.flagged) for r in rows] == [
        (True, "A5", False, True),
        (True, "A3", True, False),
        (True, "A1", True, False),
    ]
    assert rows[0].energy == "5.00 kWh" and rows[0].identity == "CP-A"
