"""The predefined reports against a hand-computed network: November 2026 in Berlin (CET,
UTC+1), a session over the month's first midnight and one over its last, a session held for
review, cards of a driver with one vehicle, of a group, and of nobody; narrowed by station,
area, vehicle and group; the detail list, the CSVs, station availability, and the filters'
errors and scope.

The network (`seed_reports`), local times:
- Depot (area North): CP-1, CP-2; Street (no area): CP-3; one connector each.
- S1 CP-1 TAG-DANA 31 Oct 23:30 -> 1 Nov 00:30, 10 kWh evenly, EUR 5.00 (0.80 VAT)
- S2 CP-2 TAG-FLEET 10 Nov 10:00 -> 12:00, 20 kWh, EUR 12.00 (1.92 VAT)
- S3 CP-3 TAG-ANON 15 Nov 08:00 -> 09:00, 5 kWh, EUR 9.99 held for review
- S4 CP-1 TAG-DANA 30 Nov 23:00 -> 1 Dec 01:00, 4 kWh evenly, EUR 3.00 (0.48 VAT)
- S5 CP-3 TAG-FLEET 20 Nov 18:00 -> 18:45, 3 kWh, EUR 2.00 (0.32 VAT)
- S6 CP-1 TAG-DANA running since 2 Dec 08:00, 1.5 kWh at 09:30; now is 10:00.
- Dana drives one vehicle (Tesla Model 3); Finn (group Fleet's card) drives two.
- CP-1 connector Faulted 10 Nov 11:00 -> 17:00 (6 h); CP-3 offline 20 Nov 01:00 -> 03:00.
November: orders S1 S2 S3 S5 (S4 ends in December); energy 5 + 20 + 5 + 2 + 3 = 35 kWh;
charging 30 + 120 + 60 + 60 + 45 = 315 min; final amounts 5.00 + 12.00 + 2.00 = 19.00.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlmodel import col

from ccms_app.accounts.models import Organisation
from ccms_app.analytics.reports import csv as report_csv
from ccms_app.analytics.reports import service
from ccms_app.analytics.reports.filters import (
    ReportFilter,
    ReportInputError,
    ReportNotFound,
    filter_from_form,
)
from ccms_app.analytics.reports.rows import detail_row, energy_row, summary_rows
from ccms_app.analytics.rollup import ChargingRollupJob
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.listing import ListQuery
from ccms_app.drivers.models import Driver, IdTag, UserGroup, Vehicle
from ccms_app.finance.models import BillingProfile, CostState
from ccms_app.finance.rules.revenue import PeriodKind
from ccms_app.maintenance.reports.models import UptimeDay
from ccms_app.maintenance.reports.rollup import roll_up
from ccms_app.network.models import ChargePoint, ChargePointEvent, Connector, StatusEvent
from tests.analytics import seed

ZONE = "Europe/Berlin"
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
LONG_AGO = datetime(2024, 1, 1, tzinfo=UTC)


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@dataclass(frozen=True)
class ReportNetwork:
    org: int
    other_org: int
    north: int
    depot: int
    street: int
    cp1: int
    cp2: int
    cp3: int
    tesla: int  # Dana's only vehicle
    van: int  # one of Finn's two
    fleet: int  # the user group
    other_station: int  # another organisation's


def _people(org: int) -> dict[str, int]:
    with session_scope() as s:
        dana, finn = (
            Driver(organisation_id=org, name="Dana"),
            Driver(organisation_id=org, name="Finn"),
        )
        fleet = UserGroup(organisation_id=org, name="Fleet")
        s.add_all([dana, finn, fleet])
        s.flush()
        tesla = Vehicle(organisation_id=org, driver_id=dana.id, make="Tesla", model="Model 3")
        van = Vehicle(organisation_id=org, driver_id=finn.id, make="VW", model="ID. Buzz")
        car = Vehicle(organisation_id=org, driver_id=finn.id, make="Fiat", model="500e")
        s.add_all([tesla, van, car])
        s.add_all(
            [
                IdTag(organisation_id=org, id_tag="TAG-DANA", driver_id=dana.id),
                IdTag(
                    organisation_id=org, id_tag="TAG-FLEET", driver_id=finn.id, group_id=fleet.id
                ),
                IdTag(organisation_id=org, id_tag="TAG-ANON"),
            ]
        )
        s.add(BillingProfile(organisation_id=org, time_zone=ZONE, currency="EUR"))
        s.flush()
        return {"tesla": int(tesla.id or 0), "van": int(van.id or 0), "fleet": int(fleet.id or 0)}


def _ports(org: int, charge_points: list[int]) -> None:
    """One connector each, Available and connected since 2024; CP-1 faulted for 6 h and
    CP-3 offline for 2 h in November."""
    start = datetime(2024, 6, 1, tzinfo=UTC)
    with session_scope() as s:
        s.execute(
            update(ChargePoint)
            .where(col(ChargePoint.id).in_(charge_points))
            .values(created_at=LONG_AGO)
        )
        for cp in charge_points:
            s.add(Connector(organisation_id=org, charge_point_id=cp, connector_id=1))
            s.add(ChargePointEvent(charge_point_id=cp, kind="connected", occurred_at=start))
            for connector in (0, 1):
                s.add(_status(cp, connector, "Available", start))
        cp1, _cp2, cp3 = charge_points
        s.add(_status(cp1, 1, "Faulted", utc(11, 10, 10)))
        s.add(_status(cp1, 1, "Available", utc(11, 10, 16)))
        s.add(
            ChargePointEvent(charge_point_id=cp3, kind="disconnected", occurred_at=utc(11, 20, 0))
        )
        s.add(ChargePointEvent(charge_point_id=cp3, kind="connected", occurred_at=utc(11, 20, 2)))


def _status(cp: int, connector: int, status: str, at: datetime) -> StatusEvent:
    error = "GroundFailure" if status == "Faulted" else "NoError"
    return StatusEvent(
        charge_point_id=cp,
        connector_id=connector,
        status=status,
        error_code=error,
        timestamp=at,
        received_at=at,
    )


def seed_reports(org: int) -> ReportNetwork:
    """The network of the module docstring (plus another organisation's station and
    session, which no report of `org` may show)."""
    north = seed.area(org)
    depot = seed.station(org, "Depot", ZONE, north)
    street = seed.station(org, "Street", ZONE)
    cp1 = seed.charge_point(org, depot, "CP-1")
    cp2 = seed.charge_point(org, depot, "CP-2")
    cp3 = seed.charge_point(org, street, "CP-3")
    people = _people(org)
    _ports(org, [cp1, cp2, cp3])
    s = seed.charging_session
    s(org, cp1, utc(10, 31, 22, 30), utc(10, 31, 23, 30), 10_000,
      amount_incl_minor=500, vat_minor=80, id_tag="TAG-DANA")  # fmt: skip
    s(org, cp2, utc(11, 10, 9), utc(11, 10, 11), 20_000,
      amount_incl_minor=1_200, vat_minor=192, id_tag="TAG-FLEET")  # fmt: skip
    s(org, cp3, utc(11, 15, 7), utc(11, 15, 8), 5_000,
      amount_incl_minor=999, cost_state=CostState.REVIEW, id_tag="TAG-ANON")  # fmt: skip
    s(org, cp1, utc(11, 30, 22), utc(12, 1, 0), 4_000,
      amount_incl_minor=300, vat_minor=48, id_tag="TAG-DANA")  # fmt: skip
    s(org, cp3, utc(11, 20, 17), utc(11, 20, 17, 45), 3_000,
      amount_incl_minor=200, vat_minor=32, id_tag="TAG-FLEET")  # fmt: skip
    s(org, cp1, utc(12, 2, 7), None, 1_500, readings=[(utc(12, 2, 8, 30), 1_500)],
      id_tag="TAG-DANA")  # fmt: skip
    with session_scope() as db:
        other = Organisation(name="Other Operator")
        db.add(other)
        db.flush()
        other_org = int(other.id or 0)
    other_station = seed.station(other_org, "Elsewhere", ZONE)
    other_cp = seed.charge_point(other_org, other_station, "CP-OTHER")
    s(other_org, other_cp, utc(11, 12, 9), utc(11, 12, 10), 50_000, amount_incl_minor=5_000)
    return ReportNetwork(
        org, other_org, north, depot, street, cp1, cp2, cp3,
        people["tesla"], people["van"], people["fleet"], other_station,
    )  # fmt: skip


@pytest.fixture
def network(engine: Engine, organisation: Organisation) -> ReportNetwork:
    return seed_reports(int(organisation.id or 0))


def november(network: ReportNetwork, **narrow: int) -> ReportFilter:
    return ReportFilter(
        frozenset({network.org}), ZONE, date(2026, 11, 1), date(2026, 11, 30), **narrow
    )


def figures(row: dict[str, str]) -> tuple[str, str, str, str, str]:
    return row["orders"], row["energy_kwh"], row["charging_min"], row["excl_EUR"], row["incl_EUR"]


def summary_total(report: ReportFilter) -> tuple[str, str, str, str, str]:
    found = service.sessions(report, PeriodKind.MONTHS, NOW)
    return figures(summary_rows(found.summary)[-1])


# --- the sessions summary --------------------------------------------------------------------


def check_summary(network: ReportNetwork) -> None:
    found = service.sessions(november(network), PeriodKind.DAYS, NOW)
    rows = {row["key"]: row for row in summary_rows(found.summary)}
    assert len(rows) == 31  # 30 days and the total
    assert figures(rows["2026-11-01"]) == ("1", "5.000", "30", "4.20", "5.00")  # S1's second half
    assert figures(rows["2026-11-10"]) == ("1", "20.000", "120", "10.08", "12.00")
    assert figures(rows["2026-11-15"]) == ("1", "5.000", "60", "0.00", "0.00")  # held: no amount
    assert figures(rows["2026-11-20"]) == ("1", "3.000", "45", "1.68", "2.00")
    assert figures(rows["2026-11-30"]) == ("0", "2.000", "60", "0.00", "0.00")  # S4 ends in Dec
    assert figures(rows["total"]) == ("4", "35.000", "315", "15.96", "19.00")
    assert rows["total"]["incl_shown"] == "€19.00"
    assert rows["total"]["charging_shown"] == "5 h 15 min"
    assert found.summary.currencies == ("EUR",)


def test_the_summary_from_the_roll_up_and_before_it(network: ReportNetwork) -> None:
    check_summary(network)  # nothing rolled up: computed live
    ChargingRollupJob().run(NOW)
    check_summary(network)


def test_a_month_bucket_is_cut_to_the_range(network: ReportNetwork) -> None:
    report = ReportFilter(frozenset({network.org}), ZONE, date(2026, 10, 31), date(2026, 11, 1))
    found = service.sessions(report, PeriodKind.MONTHS, NOW)
    october, november_row, total = summary_rows(found.summary)
    assert (october["key"], november_row["key"]) == ("2026-10", "2026-11")
    assert figures(october) == ("0", "5.000", "30", "0.00", "0.00")  # S1's first half only
    assert figures(november_row) == ("1", "5.000", "30", "4.20", "5.00")
    assert figures(total) == ("1", "10.000", "60", "4.20", "5.00")


@pytest.mark.parametrize("rolled", [False, True])
def test_the_summary_narrowed(network: ReportNetwork, rolled: bool) -> None:
    if rolled:
        ChargingRollupJob().run(NOW)
    n = network
    assert summary_total(november(n, station_id=n.depot)) == (
        "2",
        "27.000",
        "210",
        "14.28",
        "17.00",
    )
    assert summary_total(november(n, area_id=n.north)) == ("2", "27.000", "210", "14.28", "17.00")
    assert summary_total(november(n, station_id=n.street)) == ("2", "8.000", "105", "1.68", "2.00")
    assert summary_total(november(n, charge_point_id=n.cp1)) == ("1", "7.000", "90", "4.20", "5.00")
    # Dana's only vehicle: her card's sessions S1 (second half) and S4 (first half)
    assert summary_total(november(n, vehicle_id=n.tesla)) == ("1", "7.000", "90", "4.20", "5.00")
    # one of Finn's two vehicles: CCMS cannot tell which one charged
    assert summary_total(november(n, vehicle_id=n.van)) == ("0", "0.000", "0", "0.00", "0.00")
    assert summary_total(november(n, group_id=n.fleet)) == ("2", "23.000", "165", "11.76", "14.00")
    narrowed = november(n, group_id=n.fleet, station_id=n.street)
    assert summary_total(narrowed) == ("1", "3.000", "45", "1.68", "2.00")


@pytest.mark.parametrize("rolled", [False, True])
def test_a_running_session_of_a_vehicle(network: ReportNetwork, rolled: bool) -> None:
    """By card (the sessions) and by charge point (the roll-up) agree where the card charged
    alone: S4's second half and order on 1 December, S6 running on the 2nd (2 h so far, its
    1.5 kWh by its reading: 1 kWh in the first hour, 0.5 in the second)."""
    if rolled:
        ChargingRollupJob().run(NOW)
    days = {}
    for narrow in ({"vehicle_id": network.tesla}, {"charge_point_id": network.cp1}):
        report = ReportFilter(
            frozenset({network.org}), ZONE, date(2026, 12, 1), date(2026, 12, 2), **narrow
        )
        rows = summary_rows(service.sessions(report, PeriodKind.DAYS, NOW).summary)
        days[next(iter(narrow))] = [figures(row) for row in rows]
    assert (
        days["vehicle_id"]
        == days["charge_point_id"]
        == [
            ("1", "2.000", "60", "2.52", "3.00"),
            ("0", "1.500", "120", "0.00", "0.00"),
            ("1", "3.500", "180", "2.52", "3.00"),
        ]
    )


# --- energy, detail, availability -------------------------------------------------------------


def test_charged_energy_per_station_and_charge_point(network: ReportNetwork) -> None:
    found = service.energy(november(network), NOW)
    assert [(r.name, r.totals.energy_wh) for r in found.stations] == [
        ("Depot", 27_000),
        ("Street", 8_000),
    ]
    assert [energy_row(r)["share_value"] for r in found.stations] == ["77.1", "22.9"]
    assert [(r.name, r.station, r.totals.energy_wh) for r in found.charge_points] == [
        ("CP-2", "Depot", 20_000),
        ("CP-3", "Street", 8_000),
        ("CP-1", "Depot", 7_000),
    ]
    fleet = service.energy(november(network, group_id=network.fleet), NOW)
    assert [(r.name, r.totals.energy_wh) for r in fleet.charge_points] == [
        ("CP-2", 20_000),
        ("CP-3", 3_000),
        ("CP-1", 0),
    ]
    text = report_csv.energy_csv(found)
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == ["Level", "Station", "Charge point", "Orders", "Energy (kWh)", "Share (%)"]
    assert lines[1] == ["station", "Depot", "", "2", "27.000", "77.1"]
    assert lines[3] == ["charge point", "Depot", "CP-2", "1", "20.000", "57.1"]


def test_the_detail_lists_the_sessions_started_in_the_range(network: ReportNetwork) -> None:
    query = ListQuery(page=1, page_size=10, descending=True)
    found = service.sessions(november(network), PeriodKind.MONTHS, NOW, query)
    assert found.page is not None and found.page.total == 4  # S1 started in October
    assert (found.totals.sessions, found.totals.energy_wh) == (4, 32_000)
    assert found.totals.amounts == {"EUR": (1_008 + 252 + 168, 1_200 + 300 + 200)}
    newest = detail_row(found.page.rows[0], ZONE, NOW)  # S4, over the month's end
    assert {k: newest[k] for k in ("charge_point", "station", "start_time", "stop_time")} == {
        "charge_point": "CP-1",
        "station": "Depot",
        "start_time": "2026-11-30 23:00",
        "stop_time": "2026-12-01 01:00",
    }
    assert (newest["duration_min"], newest["energy_kwh"], newest["incl_value"]) == (
        "120",
        "4.000",
        "3.00",
    )
    assert (newest["vehicle"], newest["group"], newest["payment_method"]) == (
        "Tesla Model 3",
        "",
        "driver account",
    )
    rows = list(csv.DictReader(io.StringIO(report_csv.detail_csv(november(network), NOW))))
    assert [r["Charge point"] for r in rows] == ["CP-2", "CP-3", "CP-3", "CP-1"]  # oldest first
    held = rows[1]
    assert (held["Cost"], held["Amount incl. VAT"]) == ("held for review", "")
    assert (rows[0]["Group"], rows[0]["Vehicle"]) == ("Fleet", "")  # Finn drives two cars
    assert sum(Decimal(r["Amount incl. VAT"] or 0) for r in rows) == Decimal("17.00")
    assert sum(Decimal(r["Energy (kWh)"]) for r in rows) == Decimal("32.000")
    fleet = report_csv.detail_csv(november(network, group_id=network.fleet), NOW)
    assert len(fleet.strip().splitlines()) == 3  # the header, S2 and S5


def test_the_summary_csv_is_the_page(network: ReportNetwork) -> None:
    found = service.sessions(november(network), PeriodKind.DAYS, NOW)
    lines = list(csv.DictReader(io.StringIO(report_csv.summary_csv(found.summary))))
    assert len(lines) == 31
    total = lines[-1]
    assert total == {
        "Period": "total",
        "Orders": "4",
        "Energy (kWh)": "35.000",
        "Charging time (min)": "315",
        "Amount excl. VAT (EUR)": "15.96",
        "Amount incl. VAT (EUR)": "19.00",
    }
    assert sum(Decimal(r["Energy (kWh)"]) for r in lines[:-1]) == Decimal("35.000")
    assert sum(int(r["Orders"]) for r in lines[:-1]) == 4


def check_availability(network: ReportNetwork) -> None:
    found = service.availability(november(network), NOW)
    shown = [(s.station, s.connectors, s.percent) for s in found.stations]
    hours = 720  # 1 Nov 00:00 -> 1 Dec 00:00 local
    assert shown == [
        ("Depot", 2, Fraction((2 * hours - 6) * 100, 2 * hours)),
        ("Street", 1, Fraction((hours - 2) * 100, hours)),
    ]
    assert found.network.percent == Fraction((3 * hours - 8) * 100, 3 * hours)
    lines = list(csv.reader(io.StringIO(report_csv.availability_csv(found))))
    assert lines[1] == ["Depot", "2", "99.583", "360", "86400"]
    assert lines[2] == ["Street", "1", "99.722", "120", "43200"]
    assert lines[3] == ["All stations", "3", "99.630", "480", "129600"]


def test_station_availability_from_the_history_and_the_uptime_roll_up(
    network: ReportNetwork,
) -> None:
    check_availability(network)  # no uptime_day rows: all from the history
    roll_up(NOW)
    with read_session() as session:
        days = session.execute(select(func.count()).select_from(UptimeDay)).scalar_one()
    assert days >= 3 * 30  # November's days of the three connectors are read from rows now
    check_availability(network)
    cp1_only = service.availability(november(network, charge_point_id=network.cp1), NOW)
    assert [(s.station, s.connectors) for s in cp1_only.stations] == [("Depot", 1)]
    assert cp1_only.network.percent == Fraction((720 - 6) * 100, 720)


# --- filters ------------------------------------------------------------------------------------


def test_the_form_reads_days_in_the_operators_zone() -> None:
    orgs = frozenset({1})
    report = filter_from_form(orgs, ZONE, date(2026, 11, 20), {})
    assert (report.first_day, report.last_day) == (date(2026, 11, 1), date(2026, 11, 20))
    assert report.since == utc(10, 31, 23) and report.until == utc(11, 20, 23)
    chosen = filter_from_form(
        orgs,
        ZONE,
        date(2026, 11, 20),
        {"from": "2026-07-01", "to": "2026-07-01", "location": "station:4", "group_id": "9"},
    )
    assert chosen.since == datetime(2026, 6, 30, 22, tzinfo=UTC)  # CEST
    assert (chosen.station_id, chosen.area_id, chosen.group_id) == (4, None, 9)
    with pytest.raises(ReportInputError) as wrong:
        filter_from_form(
            orgs,
            ZONE,
            date(2026, 11, 20),
            {"from": "yesterday", "vehicle_id": "x", "location": "pier:1"},
        )
    assert set(wrong.value.errors) == {"from", "vehicle_id", "location"}
    with pytest.raises(ReportInputError) as backwards:
        filter_from_form(orgs, ZONE, date(2026, 11, 20), {"from": "2026-11-02", "to": "2026-11-01"})
    assert set(backwards.value.errors) == {"to"}


def test_another_organisations_ids_are_not_found(network: ReportNetwork) -> None:
    with pytest.raises(ReportNotFound) as missing:
        service.sessions(november(network, station_id=network.other_station), PeriodKind.DAYS, NOW)
    assert missing.value.field == "station_id"
    # its session is in no figure of this operator's
    assert summary_total(november(network)) == ("4", "35.000", "315", "15.96", "19.00")
