"""The controller against a real database: how each connector is counted, what is sent and
what is logged (the OCPP path itself is test_load_balancing_e2e)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from ccms_app.accounts.models import Organisation
from ccms_app.accounts.roles import NotFoundError
from ccms_app.charging.models import ChargingSession, SessionStatus
from ccms_app.core import db
from ccms_app.core.types import utc_now
from ccms_app.drivers.models import Driver, IdTag, UserGroup, UserGroupMember
from ccms_app.load_balancing.building_load import record_reading
from ccms_app.load_balancing.controller import recompute, record_sent
from ccms_app.load_balancing.live_view import decisions, history, site_live
from ccms_app.load_balancing.models import (
    LoadAllocation,
    LoadDecision,
    LoadMember,
    LoadNode,
    LoadPlan,
    LoadPriority,
    LoadSite,
    NodeKind,
    PriorityKind,
    Strategy,
)
from ccms_app.load_balancing.profiles import limit_value, tx_profile
from ccms_app.load_balancing.retention import load_history_retention
from ccms_app.load_balancing.site_rows import VIEW_PERMISSION as VIEW
from ccms_app.network.models import ChargePoint, Connector, Station
from tests.load_balancing.admin_seed import caller

# A Wednesday, 10:00 in Berlin.
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


class Site:
    """A site built row by row for one test."""

    def __init__(self, organisation: Organisation, limit_a: float = 32.0, **site: object) -> None:
        with db.session_scope() as s:
            station = Station(
                organisation_id=organisation.id, name="Depot", timezone="Europe/Berlin"
            )
            s.add(station)
            s.flush()
            row = LoadSite(
                organisation_id=organisation.id, station_id=station.id, name="Depot", **site
            )
            s.add(row)
            s.flush()
            root = LoadNode(site_id=row.id, kind=NodeKind.GRID, name="Grid", limit_a=limit_a)
            s.add(root)
            s.flush()
            self.id, self.root, self.station = row.id, root.id, station.id
        self.organisation = organisation
        self.sessions: dict[str, int] = {}

    def charger(
        self, name: str, *, online: bool = True, connectors: int = 1, **member: object
    ) -> int:
        with db.session_scope() as s:
            cp = ChargePoint(
                identity=name,
                organisation_id=self.organisation.id,
                station_id=self.station,
                registration_state="registered",
                is_online=online,
            )
            s.add(cp)
            s.flush()
            for c in range(1, connectors + 1):
                s.add(
                    Connector(
                        organisation_id=self.organisation.id, charge_point_id=cp.id, connector_id=c
                    )
                )
            node = member.pop("node_id", self.root)
            s.add(LoadMember(site_id=self.id, node_id=node, charge_point_id=cp.id, **member))
            return cp.id

    def session(
        self,
        cp_id: int,
        tag: str,
        *,
        connector: int = 1,
        current_a: float | None = None,
        power_w: float | None = None,
        minutes_ago: int = 10,
    ) -> int:
        with db.session_scope() as s:
            cs = ChargingSession(
                organisation_id=self.organisation.id,
                charge_point_id=cp_id,
                connector_id=connector,
                id_tag=tag,
                start_time=NOW - timedelta(minutes=minutes_ago),
                meter_start_wh=0,
                status=SessionStatus.ACTIVE,
                current_a=current_a,
                power_w=power_w,
                meter_updated_at=NOW - timedelta(seconds=5) if current_a or power_w else None,
            )
            s.add(cs)
            s.flush()
            return cs.id


def given(engine: Engine) -> dict[tuple[int, int], float]:
    with Session(engine) as s:
        return {
            (a.charge_point_id, a.connector_id): a.allocated_a
            for a in s.exec(select(LoadAllocation)).all()
        }


def reasons(engine: Engine) -> dict[int, str]:
    with Session(engine) as s:
        return {a.charge_point_id: a.reason for a in s.exec(select(LoadAllocation)).all()}


def test_four_cars_share_equally_and_orders_say_why(
    engine: Engine, organisation: Organisation
) -> None:
    site = Site(organisation)
    cps = [site.charger(f"CP{n}") for n in range(4)]
    for n, cp in enumerate(cps):
        site.session(cp, f"T{n}")
    outcome = recompute(site.id, "test", now=NOW)
    assert given(engine) == {(cp, 1): 8.0 for cp in cps}
    assert sorted((o.charge_point_id, o.limit_da, o.why) for o in outcome.orders) == [
        (cp, 80, "first") for cp in cps
    ]
    # Sent and accepted: the next recomputation sends nothing.
    for order in outcome.orders:
        record_sent(order, "accepted", NOW)
    assert recompute(site.id, "test", now=NOW + timedelta(seconds=5)).orders == []
    # Past half the validity: refreshed.
    later = recompute(site.id, "periodic", now=NOW + timedelta(seconds=301))
    assert {o.why for o in later.orders} == {"refresh"}
    # Switched off: no more orders, no shares shown (the live profiles run out).
    with db.session_scope() as s:
        s.get(LoadSite, site.id).enabled = False
    assert recompute(site.id, "configuration", now=NOW + timedelta(seconds=302)).orders == []
    assert given(engine) == {}


def test_offline_and_rejecting_chargers_are_counted_never_at_zero(
    engine: Engine, organisation: Organisation
) -> None:
    site = Site(organisation)
    offline = site.charger("OFF", online=False, fallback_current_a=6.0, connectors=2)
    rejecting = site.charger("REJ", max_current_a=10.0)
    ok = site.charger("OK")
    tx = site.session(rejecting, "R")
    site.session(ok, "K")
    first = recompute(site.id, "test", now=NOW)
    for order in first.orders:
        record_sent(order, "rejected" if order.charge_point_id == rejecting else "accepted", NOW)
    recompute(site.id, "test", now=NOW + timedelta(seconds=1))
    shares = given(engine)
    # The offline charger: both connectors at their 6 A fallback; the rejecting one at its
    # 10 A maximum; the controllable car gets the rest: 32 - 12 - 10.
    assert shares[(offline, 1)] == shares[(offline, 2)] == 6.0
    assert shares[(rejecting, 1)] == 10.0
    assert shares[(ok, 1)] == 10.0
    with Session(engine) as s:
        decision = s.exec(select(LoadDecision).order_by(LoadDecision.id.desc())).first()
    detail = json.loads(decision.detail)
    fixed = {
        row["charge_point_id"]: row["fixed_because"] for row in detail["loads"] if row["fixed_a"]
    }
    assert fixed == {offline: "offline", rejecting: "rejected its profile"}
    assert tx


def test_an_offline_charger_keeps_its_live_limit_until_the_profile_expires(
    engine: Engine, organisation: Organisation
) -> None:
    site = Site(organisation)
    a, b = site.charger("A"), site.charger("B")
    site.session(a, "TA")
    site.session(b, "TB")
    for order in recompute(site.id, "test", now=NOW).orders:
        record_sent(order, "accepted", NOW)  # 16 A each, valid 600 s
    with db.session_scope() as s:
        s.get(ChargePoint, a).is_online = False
    recompute(site.id, "charger offline", now=NOW + timedelta(seconds=60))
    assert given(engine)[(b, 1)] == 16.0  # A may still draw 16 A
    recompute(site.id, "periodic", now=NOW + timedelta(seconds=601))
    assert given(engine)[(a, 1)] == 6.0 and given(engine)[(b, 1)] == 26.0  # A at its fallback


def test_single_phase_cars_on_three_phase_chargers_leave_the_other_phases_free(
    engine: Engine, organisation: Organisation
) -> None:
    site = Site(organisation, limit_a=20.0)
    one, two = site.charger("ONE"), site.charger("TWO", phase_rotation="L2L3L1")
    site.session(one, "T1")
    site.session(two, "T2")
    recompute(site.id, "test", now=NOW)
    assert given(engine) == {(one, 1): 10.0, (two, 1): 10.0}  # unknown: three phases each
    # Their meters show one line each: ONE's L1 is supply L1, TWO's L1 is supply L2, so they
    # share no phase and each may take the whole 20 A.
    lines = {
        (one, 1): {"L1": 10.0, "L2": 0.0, "L3": 0.0},
        (two, 1): {"L1": 9.9, "L2": 0.2, "L3": 0.0},
    }
    recompute(site.id, "meter values", lines, now=NOW + timedelta(seconds=10))
    assert given(engine) == {(one, 1): 20.0, (two, 1): 20.0}


def test_dc_limits_go_out_in_watts(engine: Engine, organisation: Organisation) -> None:
    site = Site(organisation, limit_a=100.0)
    dc = site.charger("DC", current_type="DC", max_current_a=72.0)
    site.session(dc, "D")
    (order,) = recompute(site.id, "test", now=NOW).orders
    assert (order.current_type, order.limit_da) == ("DC", 720)
    assert limit_value(order.limit_da, "DC") == ("W", pytest.approx(49680))
    schedule = tx_profile(order)["charging_schedule"]  # what goes to the charger
    assert schedule["charging_rate_unit"] == "W"
    assert schedule["charging_schedule_period"] == [{"start_period": 0, "limit": "49680.0"}]


def test_priority_groups_are_served_first(engine: Engine, organisation: Organisation) -> None:
    site = Site(organisation, limit_a=20.0)
    with db.session_scope() as s:
        group = UserGroup(organisation_id=organisation.id, name="Fleet")
        driver = Driver(organisation_id=organisation.id, name="Fleet driver")
        s.add_all([group, driver])
        s.flush()
        s.add(UserGroupMember(group_id=group.id, driver_id=driver.id))
        s.add(IdTag(id_tag="FLEET", organisation_id=organisation.id, driver_id=driver.id))
        s.add(
            LoadPriority(
                site_id=site.id, kind=PriorityKind.USER_GROUP, ref=str(group.id), priority=5
            )
        )
    fleet, guest = site.charger("F"), site.charger("G")
    site.session(fleet, "FLEET", minutes_ago=1)  # arrived later, still first
    site.session(guest, "GUEST", minutes_ago=30)
    recompute(site.id, "test", now=NOW)
    assert given(engine) == {(fleet, 1): 14.0, (guest, 1): 6.0}
    with Session(engine) as s:
        prio = {a.charge_point_id: a.priority for a in s.exec(select(LoadAllocation))}
    assert prio == {fleet: 5, guest: 0}


def test_dynamic_sites_subtract_the_building_and_assume_its_peak_when_stale(
    engine: Engine, organisation: Organisation
) -> None:
    site = Site(organisation, limit_a=40.0, strategy=Strategy.DYNAMIC, building_load_max_age_s=300)
    cp = site.charger("CP", max_current_a=32.0)
    site.session(cp, "T")
    record_reading(site.id, NOW - timedelta(hours=2), 25.0, 20.0, 20.0, "api")
    record_reading(site.id, NOW - timedelta(seconds=30), 10.0, 12.0, 8.0, "api")
    recompute(site.id, "building load", now=NOW)
    assert given(engine)[(cp, 1)] == 28.0  # 40 less the 12 A of the busiest phase
    recompute(site.id, "periodic", now=NOW + timedelta(minutes=10))  # the meter went quiet
    assert given(engine)[(cp, 1)] == 15.0  # the 24 h peak (25 A on L1) is assumed
    with Session(engine) as s:
        last = s.exec(select(LoadDecision).order_by(LoadDecision.id.desc())).first()
    assert "stale" in json.loads(last.detail)["building_note"]


def test_time_plans_switch_the_limit_in_the_station_zone(
    engine: Engine, organisation: Organisation
) -> None:
    site = Site(organisation, limit_a=32.0)
    with db.session_scope() as s:
        s.add(
            LoadPlan(
                site_id=site.id,
                name="Office",
                weekdays="12345",
                start_time="08:00",
                end_time="18:00",
                limit_a=16.0,
            )
        )
    cp = site.charger("CP")
    site.session(cp, "T")
    recompute(site.id, "periodic", now=NOW)  # 10:00 in Berlin on a Wednesday
    assert given(engine)[(cp, 1)] == 16.0
    recompute(site.id, "periodic", now=NOW.replace(hour=17, minute=30))  # 18:30 Berlin
    assert given(engine)[(cp, 1)] == 32.0
    with Session(engine) as s:
        logged = [
            (d.plan_id, d.trigger) for d in s.exec(select(LoadDecision).order_by(LoadDecision.id))
        ]
    assert logged[0][0] is not None
    assert logged[-1] == (None, "plan switch")


def test_quiet_triggers_log_a_decision_a_minute_and_history_is_purged(
    engine: Engine, organisation: Organisation
) -> None:
    site = Site(organisation)
    cp = site.charger("CP")
    site.session(cp, "T", current_a=16.0)
    recompute(site.id, "transaction started", now=NOW)
    for seconds in range(10, 60, 10):
        recompute(site.id, "meter values", now=NOW + timedelta(seconds=seconds))
    recompute(site.id, "meter values", now=NOW + timedelta(seconds=61))
    with Session(engine) as s:
        triggers = [d.trigger for d in s.exec(select(LoadDecision).order_by(LoadDecision.id))]
    assert triggers == ["transaction started", "meter values"]
    decisions, _readings = load_history_retention(30)
    assert decisions.count(NOW + timedelta(days=31)) == 2
    assert sum(decisions.purge(NOW + timedelta(days=31), 1)) == 2


def test_the_live_view_shows_shares_history_decisions_and_fallback_warnings(
    engine: Engine, organisation: Organisation
) -> None:
    site = Site(organisation, limit_a=16.0)
    a = site.charger("A", fallback_current_a=10.0)
    b = site.charger("B", fallback_current_a=10.0)
    site.session(a, "TA", current_a=7.9)
    site.session(b, "TB")
    recompute(site.id, "transaction started", now=utc_now())
    who = caller(organisation.id, VIEW)
    live = site_live(who, site.id)
    assert (live.allocated.l1, live.limit.l1, live.cars, live.trigger) == (
        16.0,
        16.0,
        2,
        "transaction started",
    )
    assert [(c.identity, c.allocated_a, c.id_tag) for c in live.connectors] == [
        ("A", 8.0, "TA"),
        ("B", 8.0, "TB"),
    ]
    (warning,) = live.warnings  # 2 x 10 A fallback on a 16 A grid connection
    assert "under Grid" in warning and "L1 20.0 A > 16.0 A" in warning
    (point,) = history(who, site.id, hours=24)
    assert point.allocated.l1 == 16.0
    (decision,) = decisions(who, site.id)
    assert decision.detail["loads"][0]["allocated_a"] == 8.0
    with pytest.raises(NotFoundError):
        site_live(caller(organisation.id + 999, VIEW), site.id)
