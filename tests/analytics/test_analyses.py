"""Business analyses against hand-computed fixtures: the like-for-like cycle comparison in
Berlin time (sessions just inside and just outside the cut, a running one, a month end in
UTC), this year against last by month, power now per station and the 24 h curve, the status
samples, and usage / availability from the maintenance report's status history, before and
after both roll-ups."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

import pytest
from sqlalchemy import delete, insert
from sqlalchemy.engine import Engine
from sqlmodel import col

from ccms_app.accounts.models import Organisation
from ccms_app.analytics import analyses
from ccms_app.analytics.analyses_usage import connector_outage, usage_report
from ccms_app.analytics.figures import Totals
from ccms_app.analytics.models import PowerSample
from ccms_app.analytics.rollup import ChargingRollupJob
from ccms_app.analytics.rules.cycles import CycleError
from ccms_app.analytics.state.analyses import cycle_rows
from ccms_app.charging.models import ChargingSession
from ccms_app.core.db import session_scope
from ccms_app.finance.models import BillingProfile
from ccms_app.maintenance.reports.filters import ReportFilter
from ccms_app.maintenance.reports.models import UptimeDay
from ccms_app.maintenance.reports.port_events import ports
from ccms_app.maintenance.reports.rollup import roll_up
from ccms_app.network.models import Connector, Station
from tests.analytics import seed
from tests.maintenance.reports import seed as history

ZONE = "Europe/Berlin"
NOW = datetime(2026, 3, 15, 13, 20, tzinfo=UTC)  # 14:20 in Berlin (CET)
H = 3_600_000_000  # an hour in microseconds


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def figures(t: Totals) -> tuple[int, int, int]:
    return t.orders, t.energy_wh, t.amount_incl("EUR")


@pytest.fixture
def org(engine: Engine, organisation: Organisation) -> int:
    org = int(organisation.id or 0)
    with session_scope() as s:
        s.add(BillingProfile(organisation_id=org, currency="EUR", time_zone=ZONE))
    return org


@pytest.fixture
def cycles(org: int) -> int:
    """Sessions around the cut of 15 March 15:00 Berlin and its like-for-like ranges."""
    depot = seed.station(org, "Depot", ZONE)
    cp = seed.charge_point(org, depot, "CP-1")

    def ended(start: datetime, stop: datetime, wh: int, cents: int) -> None:
        seed.charging_session(org, cp, start, stop, wh, amount_incl_minor=cents)

    # this month so far (1 Mar 00:00 - 15 Mar 15:00 local = 28 Feb 23:00 - 15 Mar 14:00 UTC)
    ended(utc(2026, 2, 28, 23, 30), utc(2026, 3, 1, 0, 30), 10_000, 500)  # 1 Mar local
    ended(utc(2026, 3, 15, 12, 40), utc(2026, 3, 15, 13, 10), 2_000, 100)
    seed.charging_session(
        org, cp, utc(2026, 3, 15, 13), None, 1_000, readings=[(utc(2026, 3, 15, 13, 15), 1_000)]
    )
    # the month before: 1 Feb 00:00 - 15 Feb 15:00 local (31 Jan 23:00 - 15 Feb 14:00 UTC)
    ended(utc(2026, 2, 10, 10), utc(2026, 2, 10, 11), 4_000, 200)
    ended(utc(2026, 2, 15, 13, 30), utc(2026, 2, 15, 13, 50), 1_000, 50)  # the same hour
    ended(utc(2026, 2, 15, 14, 10), utc(2026, 2, 15, 14, 40), 3_000, 150)  # after the cut
    ended(utc(2026, 2, 20, 10), utc(2026, 2, 20, 11), 5_000, 300)
    ended(utc(2026, 1, 31, 22, 0), utc(2026, 1, 31, 22, 30), 700, 70)  # 31 Jan 23:00 local
    # the same month last year, to 15 March 2025 15:00 local
    ended(utc(2025, 3, 5, 8), utc(2025, 3, 5, 9), 8_000, 400)
    ended(utc(2025, 3, 20, 10), utc(2025, 3, 20, 11), 6_000, 300)  # after the cut
    return cp


def test_this_month_so_far_against_the_same_days_before(org: int, cycles: int) -> None:
    found = analyses.cycle_comparison({org}, org, None, NOW)
    assert found.cycle.so_far
    assert found.cycle.current.label == "1 Mar 2026 00:00 to 15 Mar 2026 15:00"
    assert figures(found.current) == (2, 13_000, 600)  # with the running session's 1 kWh
    assert figures(found.previous) == (2, 5_000, 250)
    assert figures(found.last_year) == (1, 8_000, 400)
    rows = {row["key"]: row for row in cycle_rows(found)}
    assert (rows["orders"]["mom"], rows["orders"]["yoy"]) == ("0.0 %", "+100.0 %")
    assert rows["energy"]["current"] == "13.0 kWh"
    assert (rows["energy"]["mom"], rows["energy"]["yoy"]) == ("+160.0 %", "+62.5 %")
    assert rows["amount-EUR"]["current"] == "€6.00"
    assert (rows["amount-EUR"]["mom"], rows["amount-EUR"]["yoy"]) == ("+140.0 %", "+50.0 %")
    assert rows["amount-EUR"]["mom_tone"] == "green"
    ChargingRollupJob().run(NOW)  # the same from the roll-up
    again = analyses.cycle_comparison({org}, org, None, NOW)
    assert [figures(t) for t in (again.current, again.previous, again.last_year)] == [
        (2, 13_000, 600),
        (2, 5_000, 250),
        (1, 8_000, 400),
    ]


def test_a_whole_month_and_the_year_by_month(org: int, cycles: int) -> None:
    february = analyses.cycle_comparison({org}, org, date(2026, 2, 1), NOW)
    assert not february.cycle.so_far
    assert figures(february.current) == (4, 13_000, 700)
    assert figures(february.previous) == (1, 700, 70)  # 31 January 23:00 local
    assert figures(february.last_year) == (0, 0, 0)
    rows = {row["key"]: row for row in cycle_rows(february)}
    assert rows["orders"]["yoy"] == "—"
    assert rows["orders"]["mom"] == "+300.0 %"
    with pytest.raises(CycleError):
        analyses.cycle_comparison({org}, org, date(2026, 4, 1), NOW)
    yearly = analyses.year_on_year({org}, org, 2026, NOW)
    assert yearly.months_done == 3
    assert [figures(v) for v in yearly.this_year.values[:3]] == [
        (1, 700, 70),
        (4, 13_000, 700),
        (2, 13_000, 600),
    ]
    assert figures(yearly.last_year.values[2]) == (2, 14_000, 700)
    assert yearly.last_year.total.orders == 2
    assert analyses.cycle_comparison({org + 1000}, org, None, NOW).current.orders == 0


def test_power_per_station_and_the_curve(org: int) -> None:
    depot = seed.station(org, "Depot", ZONE)
    street = seed.station(org, "Street", ZONE)
    cp1, cp2 = seed.charge_point(org, depot, "CP-1"), seed.charge_point(org, depot, "CP-2")
    cp3 = seed.charge_point(org, street, "CP-3")
    with session_scope() as s:
        other = Organisation(name="Other")
        s.add(other)
        s.flush()
        other_id = int(other.id or 0)
        for cp, connector in ((cp1, 1), (cp1, 2), (cp2, 1), (cp3, 1)):
            s.add(Connector(organisation_id=org, charge_point_id=cp, connector_id=connector))
        s.add(Station(organisation_id=other_id, name="Elsewhere"))
    foreign = seed.charge_point(other_id, None, "CP-X")
    for cp, watts in ((cp1, 7_400.4), (cp2, 11_000.0), (foreign, 50_000.0)):
        sid = seed.charging_session(org if cp != foreign else other_id, cp, NOW, None, 0)
        with session_scope() as s:
            row = s.get(ChargingSession, sid)
            assert row is not None
            row.power_w = watts
    found = analyses.station_power({org})
    assert [(s.name, s.power_w, s.charging, s.connectors) for s in found] == [
        ("Depot", 18_400, 2, 3),
        ("Street", 0, 0, 1),
    ]
    samples = [
        {"organisation_id": org, "station_id": None, "at": NOW - timedelta(hours=h), "power_w": w}
        for h, w in ((25, 1), (3, 0), (2, 5_000), (1, 0))
    ] + [
        {"organisation_id": org, "station_id": depot, "at": NOW - timedelta(hours=h), "power_w": w}
        for h, w in ((25, 9_000), (2, 5_000))
    ]
    with session_scope() as s:
        s.execute(insert(PowerSample), samples)
    curve = analyses.station_curve({org}, depot, NOW)
    assert [(NOW - p.at, p.power_w) for p in curve] == [
        (timedelta(hours=3), 0),
        (timedelta(hours=2), 5_000),
        (timedelta(hours=1), 0),
    ]
    assert analyses.station_curve({other_id}, depot, NOW) == []


def test_status_samples_of_the_last_7_days(org: int) -> None:
    rows = [
        {"organisation_id": org, "station_id": None, "at": NOW - timedelta(days=d), **counts}
        for d, counts in (
            (8, {"online": 9, "offline": 0, "faulted": 0}),
            (6, {"online": 3, "offline": 1, "faulted": 1}),
            (1, {"online": 4, "offline": 0, "faulted": 2}),
        )
    ]
    with session_scope() as s:
        s.execute(insert(PowerSample), [{"power_w": 0, **r} for r in rows])
    points = analyses.status_history({org}, NOW)
    assert [(p.online, p.offline, p.faulted) for p in points] == [(3, 1, 1), (4, 0, 2)]


# --- usage and availability from the maintenance fixture's history ---------------------------
# February 2026 (672 h), UTC (the maintenance fixture's stations): CP-RAPID connectors 1 and 2
# offline 1 Feb 00:00-02:00 (2 h each); CP-MALL connector 1 Faulted 10 Feb 18:00 - 11 Feb
# 10:00 (16 h). Charging: CP-RAPID 1.5 h + 0.5 h, CP-MALL 4 h.

FEB = (utc(2026, 2, 1, 0), utc(2026, 3, 1, 0))


@pytest.fixture
def fleet(engine: Engine, organisation: Organisation) -> history.Seeded:
    found = history.seed(organisation)
    org = int(organisation.id or 0)
    seed.charging_session(org, found.rapid, utc(2026, 2, 5, 9), utc(2026, 2, 5, 10, 30), 9_000)
    seed.charging_session(
        org, found.rapid, utc(2026, 2, 5, 9, 30), utc(2026, 2, 5, 10), 2_000, connector_id=2
    )
    seed.charging_session(org, found.mall_cp, utc(2026, 2, 20, 10), utc(2026, 2, 20, 14), 8_000)
    return found


def check_february(org: int, fleet: history.Seeded) -> None:
    report = usage_report({org}, *FEB, history.NOW)
    cps = {g.id: g for g in report.charge_points}
    rapid, mall = cps[fleet.rapid], cps[fleet.mall_cp]
    assert (rapid.use.period_us, rapid.use.outage_us, rapid.use.charging_us) == (
        1_344 * H,
        4 * H,
        2 * H,
    )
    assert rapid.use.usage == Fraction(2, 1_340)
    assert mall.use.usage == Fraction(4, 656)
    stations = {g.id: g for g in report.stations}
    assert stations[fleet.depot].use.availability == Fraction(1_340, 1_344)
    assert stations[fleet.mall].use.availability == Fraction(656, 672)
    assert stations[fleet.depot].connectors == 2
    connectors = {(c.port.identity, c.port.connector_id): c.use for c in report.connectors}
    assert connectors[("CP-RAPID", 1)].availability == Fraction(670, 672)
    assert connectors[("CP-RAPID", 2)].outage_us == 2 * H
    assert connectors[("CP-MALL", 1)].outage_us == 16 * H
    assert "CP-FOREIGN" not in {c.port.identity for c in report.connectors}
    assert report.network.usage == Fraction(6, 1_996)
    assert report.network.availability == Fraction(1_996, 2_016)


def test_usage_and_availability_before_and_after_the_uptime_roll_up(
    organisation: Organisation, fleet: history.Seeded
) -> None:
    org = int(organisation.id or 0)
    check_february(org, fleet)  # all from the history
    # rolls up to 27 February (28 February is read live: the day ended minutes ago)
    assert roll_up(history.NOW).written > 0
    check_february(org, fleet)


def test_outage_of_partial_days_around_rolled_up_ones(
    organisation: Organisation, fleet: history.Seeded
) -> None:
    org = int(organisation.id or 0)
    selected = ports(ReportFilter(), {org})
    since, until = utc(2026, 2, 1, 1), utc(2026, 2, 11, 6)  # 10 days 5 hours
    expected = {
        (fleet.rapid, 1): 1 * H,  # offline 01:00-02:00 of the partial first day
        (fleet.rapid, 2): 1 * H,
        (fleet.mall_cp, 1): 12 * H,  # 6 h on 10 Feb (rolled up), 6 h on 11 Feb (live)
    }
    assert connector_outage(selected, since, until) == expected
    roll_up(history.NOW)
    assert connector_outage(selected, since, until) == expected
    with session_scope() as s:  # a hole in the rolled-up days (a late write being repaired)
        gone = (date(2026, 2, 5), date(2026, 2, 10))
        s.execute(delete(UptimeDay).where(col(UptimeDay.day).in_(gone)))
    assert connector_outage(selected, since, until) == expected
    report = usage_report({org}, since, until, history.NOW)
    assert {c.port.connector_id: c.use.period_us for c in report.connectors} == {
        1: 245 * H,
        2: 245 * H,
    }
    # a range past now ends now: the whole of it after now is no period at all
    late = usage_report({org}, utc(2026, 2, 28, 12), utc(2026, 3, 10, 0), history.NOW)
    assert late.until == history.NOW
    assert all(c.use.period_us == 12 * H for c in late.connectors)
