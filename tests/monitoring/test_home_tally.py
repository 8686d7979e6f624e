"""Home's tally, kept up to date charge point by charge point, gives exactly the summary the
aggregate queries give: random networks, random changes, compared after every step."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import delete
from sqlmodel import Session, col, select

from ccms_app.accounts.models import Organisation
from ccms_app.accounts.organisations import organisation_scope
from ccms_app.charging.models import ChargerDataIssue, ChargingSession, SessionStatus
from ccms_app.monitoring.home_summary import load_home_summary
from ccms_app.monitoring.home_tally import HomeTallies, HomeTally
from ccms_app.monitoring.rules.home_tally import Share, Tally
from ccms_app.monitoring.view import build_home_view
from ccms_app.network.models import ChargePoint, Connector, Station
from tests.monitoring.test_snapshot import NOW, add_charge_point, add_session

STATUSES = ("Available", "Preparing", "Charging", "Faulted", "Unavailable", "SuspendedEV")
ERRORS = ("NoError", "NoError", "NoError", "GroundFailure", "HighTemperature", "")
POWERS = (None, 0.0, 3700.0, 7400.5, 11000.25, 22000.0)
STATES = ("registered", "registered", "registered", "unregistered", "disabled")
ZONE = "Europe/Berlin"


class RandomNetwork:
    """A few organisations (the watched one, its sub-operator, a stranger) and random charge
    points; each `step` makes one random change and says which charge points it touched."""

    def __init__(self, session: Session, rnd: random.Random, organisation: Organisation) -> None:
        self.session, self.rnd = session, rnd
        child = Organisation(name="Partner", parent_id=organisation.id)
        other = Organisation(name="Other Operator")
        session.add_all([child, other])
        session.flush()
        self.orgs = [organisation, child, other]
        self.stations = [Station(organisation_id=organisation.id, name=f"S{i}") for i in range(2)]
        self.stations[0].timezone = "Europe/Oslo"
        session.add_all(self.stations)
        session.flush()
        self.serial = 0
        for _ in range(rnd.randint(0, 25)):
            self.add_charge_point()
        session.commit()

    def add_charge_point(self) -> set[int]:
        rnd = self.rnd
        self.serial += 1
        cp = add_charge_point(
            self.session,
            rnd.choice(self.orgs),
            f"CP-{rnd.randint(0, 999):03d}-{self.serial}",
            station=rnd.choice([None, *self.stations]),
            online=rnd.random() < 0.7,
            state=rnd.choice(STATES),
            statuses=tuple(self._status() for _ in range(rnd.randint(0, 3))),
            cp_status=self._status(),
        )
        for connector_id in range(1, rnd.randint(1, 3)):
            if rnd.random() < 0.5:
                self._session_on(cp, connector_id)
        if rnd.random() < 0.3:
            self._issue(cp)
        return {self._id(cp)}

    def _status(self) -> tuple[str, str]:
        return self.rnd.choice(STATUSES), self.rnd.choice(ERRORS)

    def _id(self, cp: ChargePoint) -> int:
        assert cp.id is not None
        return cp.id

    def _session_on(self, cp: ChargePoint, connector_id: int) -> None:
        rnd = self.rnd
        add_session(
            self.session,
            cp,
            connector_id,
            start=NOW - timedelta(hours=rnd.randint(0, 30), minutes=rnd.randint(0, 59)),
            energy_wh=rnd.randint(0, 50_000),
            active=rnd.random() < 0.7,
            power_w=rnd.choice(POWERS),
        )

    def _issue(self, cp: ChargePoint) -> None:
        self.session.add(
            ChargerDataIssue(
                charge_point_id=cp.id,
                identity=cp.identity,
                kind="meter",
                detail=f"odd value {self.rnd.randint(0, 99)}",
                created_at=NOW - timedelta(minutes=self.rnd.randint(0, 600)),
            )
        )

    def _pick(self) -> ChargePoint | None:
        cps = self.session.exec(select(ChargePoint).order_by(col(ChargePoint.id))).all()
        return self.rnd.choice(cps) if cps else None

    def step(self) -> tuple[set[int], bool, bool]:
        """One random change, committed: (charge points touched, whether it was an edit that
        may touch anything, whether only meter values reached them)."""
        cp = self._pick()
        if cp is None or self.rnd.random() < 0.08:
            changed = self.add_charge_point()
            self.session.commit()
            return changed, False, False
        if self.rnd.random() < 0.05:
            self.stations[0].timezone = self.rnd.choice(["Europe/Oslo", "America/Chicago"])
            self.session.add(self.stations[0])
            self.session.commit()
            return set(), True, False
        if self.rnd.random() < 0.3:
            _meter(self, cp)
            self.session.commit()
            return {self._id(cp)}, False, True
        change = self.rnd.choice(CHANGES)
        change(self, cp)
        self.session.commit()
        return {self._id(cp)}, False, False


def _cp_status(net: RandomNetwork, cp: ChargePoint) -> None:
    cp.status, cp.error_code = net._status()
    net.session.add(cp)


def _connector_status(net: RandomNetwork, cp: ChargePoint) -> None:
    connectors = net.session.exec(select(Connector).where(Connector.charge_point_id == cp.id))
    for connector in connectors:
        if net.rnd.random() < 0.6:
            connector.status, connector.error_code = net._status()
            net.session.add(connector)


def _online(net: RandomNetwork, cp: ChargePoint) -> None:
    cp.is_online = not cp.is_online
    net.session.add(cp)


def _registration(net: RandomNetwork, cp: ChargePoint) -> None:
    cp.registration_state = net.rnd.choice(STATES)
    net.session.add(cp)


def _start(net: RandomNetwork, cp: ChargePoint) -> None:
    net._session_on(cp, net.rnd.randint(1, 2))


def _sessions(net: RandomNetwork, cp: ChargePoint) -> list[ChargingSession]:
    return list(
        net.session.exec(select(ChargingSession).where(ChargingSession.charge_point_id == cp.id))
    )


def _stop_or_meter(net: RandomNetwork, cp: ChargePoint) -> None:
    for cs in _sessions(net, cp):
        if net.rnd.random() < 0.3:
            cs.status = SessionStatus.COMPLETED
            cs.power_w = None
        else:
            cs.energy_wh += net.rnd.randint(0, 2_000)
            cs.power_w = net.rnd.choice(POWERS)
        net.session.add(cs)


def _meter(net: RandomNetwork, cp: ChargePoint) -> None:
    """Meter values: the running sessions' energy and power move, nothing else."""
    for cs in _sessions(net, cp):
        if cs.status == SessionStatus.ACTIVE:
            cs.energy_wh += net.rnd.randint(0, 2_000)
            cs.power_w = net.rnd.choice(POWERS)
            net.session.add(cs)


def _issues(net: RandomNetwork, cp: ChargePoint) -> None:
    open_issues = net.session.exec(
        select(ChargerDataIssue).where(
            ChargerDataIssue.charge_point_id == cp.id, col(ChargerDataIssue.resolved_at).is_(None)
        )
    ).all()
    if open_issues and net.rnd.random() < 0.5:
        issue = net.rnd.choice(open_issues)
        issue.resolved_at = NOW
        net.session.add(issue)
    else:
        net._issue(cp)


def _move(net: RandomNetwork, cp: ChargePoint) -> None:
    """To another organisation, with its connectors; its sessions stay where they started."""
    owner = net.rnd.choice(net.orgs)
    cp.organisation_id = owner.id
    for connector in net.session.exec(select(Connector).where(Connector.charge_point_id == cp.id)):
        connector.organisation_id = owner.id
        net.session.add(connector)
    net.session.add(cp)


def _rename(net: RandomNetwork, cp: ChargePoint) -> None:
    net.serial += 1
    cp.identity = f"CP-{net.rnd.randint(0, 999):03d}-{net.serial}"
    net.session.add(cp)


def _remove(net: RandomNetwork, cp: ChargePoint) -> None:
    for table in (Connector, ChargingSession, ChargerDataIssue):
        net.session.exec(delete(table).where(col(table.charge_point_id) == cp.id))  # type: ignore[call-overload]
    net.session.delete(cp)


CHANGES: tuple[Callable[[RandomNetwork, ChargePoint], None], ...] = (
    _cp_status,
    _connector_status,
    _connector_status,
    _online,
    _registration,
    _start,
    _stop_or_meter,
    _stop_or_meter,
    _issues,
    _move,
    _rename,
    _remove,
)


def _assert_same(tally: HomeTally, scope: frozenset[int]) -> None:
    for shown in (1, 5, 200):
        assert tally.summary(NOW, shown) == load_home_summary(scope, now=NOW, warnings_shown=shown)


@pytest.mark.parametrize("seed", range(12))
def test_the_tally_follows_random_changes_exactly(
    session: Session, organisation: Organisation, seed: int
) -> None:
    rnd = random.Random(seed)
    network = RandomNetwork(session, rnd, organisation)
    assert organisation.id is not None
    scope = organisation_scope(organisation.id)
    tally = HomeTally.full(scope, NOW)
    _assert_same(tally, scope)
    for _ in range(40):
        changed, everything, metered = network.step()
        if everything:
            tally = HomeTally.full(scope, NOW)
        else:
            tally.apply(changed, changed if metered else ())
        _assert_same(tally, scope)
    assert tally.summary(NOW) == HomeTally.full(scope, NOW).summary(NOW)


def test_a_charge_point_outside_the_scope_counts_only_its_sessions(
    session: Session, organisation: Organisation
) -> None:
    """Sessions keep the organisation they started in, as the aggregate queries count them."""
    other = Organisation(name="Other Operator")
    session.add(other)
    session.flush()
    cp = add_charge_point(session, organisation, "CP-1")
    add_session(session, cp, 1, start=NOW - timedelta(hours=1), energy_wh=500, power_w=7400.0)
    session.commit()
    scope = frozenset({organisation.id or 0})
    tally = HomeTally.full(scope, NOW)
    for row in (cp, *session.exec(select(Connector).where(Connector.charge_point_id == cp.id))):
        row.organisation_id = other.id
        session.add(row)
    session.commit()
    tally.apply({cp.id or 0})
    counts = tally.summary(NOW).counts
    assert (counts.charge_points, counts.active_sessions, counts.sessions_today) == (0, 1, 1)
    _assert_same(tally, scope)


def test_meter_values_re_read_only_the_sessions(
    session: Session, organisation: Organisation
) -> None:
    """A charge point only meter values reached keeps its status, connectors and warnings
    from the tally (not read again); its power and today's energy are read. One the tally
    does not hold yet is read whole."""
    cp = add_charge_point(session, organisation, "CP-1", statuses=(("Charging", "NoError"),))
    cs = add_session(session, cp, 1, start=NOW - timedelta(hours=1), energy_wh=500, power_w=7400.0)
    session.commit()
    scope = frozenset({organisation.id or 0})
    tally = HomeTally.full(scope, NOW)
    cs.energy_wh, cs.power_w = 2500, 11000.0
    cp.is_online = False  # no event for it in this batch: the metered re-read does not see it
    session.add_all([cs, cp])
    new = add_charge_point(session, organisation, "CP-2")
    session.commit()
    tally.apply({cp.id or 0, new.id or 0}, metered={cp.id or 0, new.id or 0})
    counts = tally.summary(NOW).counts
    assert (counts.live_power_kw, counts.energy_today_kwh) == (11.0, 2.5)
    assert (counts.charge_points, counts.online, counts.offline) == (2, 2, 0)
    tally.apply({cp.id or 0})  # its connection event: read whole
    assert (tally.summary(NOW).counts.online, tally.summary(NOW).counts.offline) == (1, 1)
    _assert_same(tally, scope)


def test_an_empty_share_leaves_nothing_behind() -> None:
    tally = Tally()
    tally.replace(1, Share(identity="CP-1", charge_points=1, connectors=(("Available", 2),)))
    tally.replace(1, None)
    tally.replace(2, Share())
    assert len(tally) == 0 and tally.counts() == Tally().counts()
    assert tally.first_warnings(5) == () and tally.warnings_total == 0


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self):  # type: ignore[no-untyped-def]
        return self.now


def test_tallies_rebuild_when_the_day_or_the_scope_changes_and_forget_unwatched(
    session: Session, organisation: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    cp = add_charge_point(session, organisation, "CP-1")
    add_session(session, cp, 1, start=NOW - timedelta(hours=1), energy_wh=1000, power_w=None)
    session.commit()
    org_id, clock = organisation.id or 0, Clock()
    scopes = {org_id: frozenset({org_id})}
    tallies = HomeTallies(scope_of=lambda org: scopes[org], now=clock)
    builds: list[frozenset[int]] = []
    full = HomeTally.full

    def counted(scope: frozenset[int], now, zone):  # type: ignore[no-untyped-def]
        builds.append(scope)
        return full(scope, now, zone)

    monkeypatch.setattr(HomeTally, "full", staticmethod(counted))
    assert tallies.summary(org_id, set()).counts.sessions_today == 1
    assert tallies.summary(org_id, {cp.id or 0}).counts.sessions_today == 1
    assert len(builds) == 1  # the second batch only re-read CP-1
    clock.now = NOW + timedelta(days=1)
    assert tallies.summary(org_id, set()).counts.sessions_today == 0  # a new day
    scopes[org_id] = frozenset({org_id, org_id + 100})
    tallies.summary(org_id, set())
    tallies.summary(org_id, set(), everything=True)
    assert len(builds) == 4
    assert tallies.keep_only({org_id + 1}) == {org_id + 1} and org_id not in tallies


def test_today_is_the_operators_day_in_its_time_zone(
    session: Session, organisation: Organisation
) -> None:
    """Berlin's 00:30 (22:30 UTC the day before) is today for a Berlin operator: Home's
    figures start at its midnight, in both the tally and the aggregate queries, and the view
    says when it was read on the operator's clock."""
    cp = add_charge_point(session, organisation, "CP-1")
    local_night = NOW.replace(hour=0, minute=0) - timedelta(minutes=90)  # 00:30 CEST
    add_session(session, cp, 1, start=local_night, energy_wh=1500, active=False)
    add_session(session, cp, 2, start=local_night - timedelta(hours=1), energy_wh=700, active=False)
    session.commit()
    org_id = organisation.id or 0
    scope = frozenset({org_id})

    in_berlin = HomeTallies(scope_of=lambda _: scope, now=lambda: NOW, zone_of=lambda _: ZONE)
    summary = in_berlin.summary(org_id, set())
    in_utc = HomeTally.full(scope, NOW).summary(NOW)
    queried = load_home_summary(scope, NOW, zone=ZONE)

    assert (summary.counts.sessions_today, summary.counts.energy_today_kwh) == (1, 1.5)
    assert (in_utc.counts.sessions_today, in_utc.counts.energy_today_kwh) == (0, 0.0)
    assert queried.counts.sessions_today == 1 and queried.zone == summary.zone == ZONE
    assert build_home_view(summary).updated_at.endswith("CEST")
