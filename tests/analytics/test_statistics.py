"""Statistics against a hand-computed network in Berlin time (the one of test_figures.py,
plus charge points in every state, work orders and alarms): the counts per station, a
range over a month end, the month-on-month change, a station filter, the session rows and a
CSV whose "in range" columns add up to the chart."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.engine import Engine

from ccms_app.accounts.models import Organisation
from ccms_app.analytics import statistics_network as network
from ccms_app.analytics.figures import Narrowing, Totals
from ccms_app.analytics.rollup import ChargingRollupJob
from ccms_app.analytics.state.statistics import total_cards
from ccms_app.analytics.statistics import (
    StatisticsInputError,
    maintenance_figures,
    statistics_filter,
    this_month,
)
from ccms_app.analytics.statistics_sessions import (
    ChargingStatistics,
    DetailScope,
    RangeError,
    charging_statistics,
    session_details_csv,
    session_details_page,
    window_of,
)
from ccms_app.core import listing
from ccms_app.core.db import session_scope
from ccms_app.core.listing import ListQuery
from ccms_app.finance.models import SessionCost
from ccms_app.finance.rules.revenue import PeriodKind
from ccms_app.maintenance.alarms.models import Alarm
from ccms_app.maintenance.work_orders.models import WorkOrder, WorkOrderStatus
from ccms_app.network.models import ChargePoint, Connector, RegistrationState
from tests.analytics import seed

ZONE = seed.BERLIN
NOW = seed.BERLIN_NOW
utc = seed.utc


@dataclass
class Network(seed.BerlinNetwork):
    cp4: int  # at the depot, unregistered

    @property
    def scope(self) -> frozenset[int]:
        return frozenset({self.org})


@pytest.fixture
def net(engine: Engine, organisation: Organisation) -> Network:
    """The network of test_figures.py, plus a charge point in every state."""
    berlin = seed.berlin_network(int(organisation.id or 0))
    org = berlin.org
    cp4 = seed.charge_point(org, berlin.depot, "CP-4")
    with session_scope() as s:
        one = s.get(ChargePoint, berlin.cp1)
        two = s.get(ChargePoint, berlin.cp2)
        four = s.get(ChargePoint, cp4)
        assert one is not None and two is not None and four is not None
        one.vendor, one.model, one.charging_method = "ACME", "AC22", "AC"
        one.min_power_w, one.max_power_w = 3_700, 22_000
        one.min_voltage_v, one.max_voltage_v = 230, 400
        two.is_online, two.enabled = False, False  # offline, taken out of service
        four.registration_state = RegistrationState.UNREGISTERED
        s.add(
            Connector(
                organisation_id=org, charge_point_id=berlin.cp3, connector_id=1, status="Faulted"
            )
        )
        s.add_all([one, two, four])
        cost = s.get(SessionCost, berlin.s2)
        assert cost is not None
        cost.payment_method = "wallet"
        s.add(cost)
    return Network(**vars(berlin), cp4=cp4)


def figures(t: Totals) -> tuple[int, int, int]:
    return t.orders, t.energy_wh, t.amount_incl("EUR")


def stats(
    net: Network, kind: PeriodKind, first: date, last: date, **narrow: int
) -> ChargingStatistics:
    window = window_of(first, last, ZONE)
    return charging_statistics(Narrowing(net.scope, **narrow), kind, window, ZONE, NOW)


# --- 1. stations and charge points -------------------------------------------------------------


def test_counts_per_station_and_charge_point(net: Network) -> None:
    whole = network.network_counts(Narrowing(net.scope))
    assert whole == network.NetworkCounts(
        stations=2, charge_points=4, online=2, offline=1, faulted=1, unregistered=1
    )
    depot = network.network_counts(Narrowing(net.scope, station_id=net.depot))
    assert depot == network.NetworkCounts(
        stations=1, charge_points=3, online=1, offline=1, faulted=0, unregistered=1
    )
    assert network.network_counts(Narrowing(net.scope, area_id=net.area)) == depot
    assert network.network_counts(Narrowing(frozenset({net.org + 1}))).charge_points == 0

    page = listing.fetch_page(network.STATION_STATISTICS, ListQuery(), net.scope)
    rows = {row["name"]: network.station_row(row) for row in page.rows}
    assert [(r["charge_points"], r["online"], r["offline"], r["faults"], r["unregistered"])
            for r in (rows["Depot"], rows["Street"])] == [
        ("3", "1", "1", "0", "1"),
        ("1", "1", "0", "1", "0"),
    ]  # fmt: skip
    assert rows["Depot"]["area"] == "North" and rows["Street"]["area"] == "—"
    in_area = ListQuery(filters={"area_id": net.area})
    assert [r["name"] for r in listing.fetch_page(network.STATION_STATISTICS, in_area,
                                                  net.scope).rows] == ["Depot"]  # fmt: skip

    at_depot = ListQuery(filters={"station_id": net.depot})
    points = listing.fetch_page(network.CHARGE_POINT_STATISTICS, at_depot, net.scope).rows
    shown = {row["identity"]: network.charge_point_row(row) for row in points}
    assert sorted(shown) == ["CP-1", "CP-2", "CP-4"]
    one = shown["CP-1"]
    assert (one["vendor"], one["model"], one["enabled"], one["is_online"]) == (
        "ACME", "AC22", "enabled", "online",
    )  # fmt: skip
    assert (one["max_power_w"], one["voltage"], one["charging_method"]) == (
        "3.7-22 kW", "230-400 V", "AC",
    )  # fmt: skip
    assert (shown["CP-2"]["enabled"], shown["CP-2"]["is_online"]) == ("disabled", "offline")
    assert shown["CP-4"]["is_online"] == "online (unregistered)"
    assert shown["CP-2"]["max_power_w"] == shown["CP-2"]["voltage"] == "—"


# --- 2. charging -------------------------------------------------------------------------------


def test_a_range_over_a_month_end_by_day_month_and_year(net: Network) -> None:
    days = stats(net, PeriodKind.DAYS, date(2026, 10, 31), date(2026, 11, 1))
    assert [b.key for b in days.series.buckets] == ["2026-10-31", "2026-11-01"]
    # the midnight session's first half; then its second half and order, the 20 kWh one,
    # 3 kWh running, the one held for review (an order without an amount)
    assert [figures(v) for v in days.series.values] == [(0, 5_000, 0), (3, 33_000, 1_700)]
    months = stats(net, PeriodKind.MONTHS, date(2026, 10, 31), date(2026, 11, 1))
    assert [(b.key, b.label) for b in months.series.buckets] == [
        ("2026-10", "31 Oct 2026"),  # cut to the days chosen
        ("2026-11", "1 Nov 2026"),
    ]
    assert [figures(v) for v in months.series.values] == [(0, 5_000, 0), (3, 33_000, 1_700)]
    years = stats(net, PeriodKind.YEARS, date(2026, 10, 31), date(2026, 11, 1))
    assert [(b.key, b.label) for b in years.series.buckets] == [("2026", "31 Oct-01 Nov 2026")]
    assert figures(years.series.total) == figures(days.series.total) == (3, 38_000, 1_700)
    # the whole of October: the month-end session's second hour and order, the first half
    # of the midnight one
    october = stats(net, PeriodKind.MONTHS, date(2026, 10, 1), date(2026, 10, 31))
    assert [b.label for b in october.series.buckets] == ["Oct 2026"]
    assert figures(october.series.total) == (1, 7_000, 300)
    # the same from the roll-up
    ChargingRollupJob().run(NOW)
    again = stats(net, PeriodKind.DAYS, date(2026, 10, 31), date(2026, 11, 1))
    assert [figures(v) for v in again.series.values] == [(0, 5_000, 0), (3, 33_000, 1_700)]


def test_month_on_month_change(net: Network) -> None:
    found = stats(net, PeriodKind.DAYS, date(2026, 11, 1), date(2026, 11, 1))
    assert (found.previous.first, found.previous.last) == (date(2026, 10, 1), date(2026, 10, 1))
    # 1 Oct local: the month-end session's second hour (2 kWh) and its order (EUR 3.00)
    assert figures(found.previous_totals) == (1, 2_000, 300)
    assert figures(found.series.total) == (3, 33_000, 1_700)
    cards = {c["key"]: c for c in total_cards(found.series.total, found.previous_totals, "EUR")}
    assert cards["orders"]["change"] == "+200.0 %"  # 3 against 1
    assert cards["energy"]["change"] == "+1550.0 %"  # 33 kWh against 2 kWh
    assert cards["amount"]["change"] == "+466.7 %"  # EUR 17.00 against EUR 3.00
    assert (cards["amount"]["value"], cards["amount"]["previous"]) == ("€17.00", "€3.00")
    # 31 Oct against 30 Sep (a month's last day against the month before's): no order then
    last_day = stats(net, PeriodKind.DAYS, date(2026, 10, 31), date(2026, 10, 31))
    assert (last_day.previous.first, last_day.previous.last) == (
        date(2026, 9, 30), date(2026, 9, 30),
    )  # fmt: skip
    assert figures(last_day.previous_totals) == (0, 2_000, 0)
    cards = {
        c["key"]: c for c in total_cards(last_day.series.total, last_day.previous_totals, "EUR")
    }
    assert (cards["orders"]["change"], cards["energy"]["change"]) == ("no data", "+150.0 %")
    assert cards["amount"]["change"] == "no data"


def test_a_station_filter_and_the_rankings(net: Network) -> None:
    depot = stats(net, PeriodKind.DAYS, date(2026, 11, 1), date(2026, 11, 1), station_id=net.depot)
    assert figures(depot.series.total) == (3, 30_000, 1_700)
    assert [(r.name, r.totals.energy_wh) for r in depot.by_station] == [("Depot", 30_000)]
    assert [(r.name, r.totals.orders) for r in depot.by_charge_point] == [
        ("CP-2", 1),  # 20 kWh
        ("CP-1", 2),  # 5 kWh of the midnight one, 5 kWh held for review
    ]
    whole = stats(net, PeriodKind.DAYS, date(2026, 11, 1), date(2026, 11, 1))
    assert [(r.name, r.totals.energy_wh) for r in whole.by_station] == [
        ("Depot", 30_000),
        ("Street", 3_000),
    ]
    assert whole.stations_counted == 2 and whole.charge_points_counted == 3
    one = stats(net, PeriodKind.DAYS, date(2026, 11, 1), date(2026, 11, 1), charge_point_id=net.cp3)
    assert figures(one.series.total) == (0, 3_000, 0)


def test_too_many_bars_are_refused() -> None:
    window = window_of(date(2024, 1, 1), date(2026, 1, 1), ZONE)
    with pytest.raises(RangeError, match="too many bars"):
        charging_statistics(Narrowing(frozenset({1})), PeriodKind.DAYS, window, ZONE, NOW)


def _details(net: Network, first: date, last: date, **narrow: int) -> DetailScope:
    return DetailScope(Narrowing(net.scope, **narrow), window_of(first, last, ZONE), ZONE, NOW)


def _csv(net: Network, details: DetailScope) -> list[dict[str, str]]:
    text = session_details_csv(ListQuery(sort="start_time", descending=True), net.scope, details)
    return list(csv.DictReader(io.StringIO(text)))


def _sums(rows: list[dict[str, str]]) -> tuple[int, int, int]:
    orders = sum(int(r["Orders in range"]) for r in rows)
    energy = sum(Decimal(r["Energy in range (kWh)"]) for r in rows)
    amount = sum(Decimal(r["Amount in range incl. VAT"] or "0") for r in rows)
    return orders, int(energy * 1000), int(amount * 100)


def test_session_rows_as_the_page_shows_them(net: Network) -> None:
    details = _details(net, date(2026, 10, 31), date(2026, 11, 1))
    page = session_details_page(ListQuery(sort="start_time", descending=True), net.scope, details)
    # the running one, review, the 20 kWh one, the midnight one; not the one of 1 October
    assert [int(r["id"]) for r in page.rows] == [net.running, net.s2, net.review, net.s1]
    rows = {int(r["id"]): r for r in page.rows}
    midnight = rows[net.s1]
    assert (midnight["station"], midnight["charge_point"], midnight["connector_id"]) == (
        "Depot", "CP-1", "1",
    )  # fmt: skip
    assert (midnight["start_time"], midnight["stop_time"], midnight["duration"]) == (
        "2026-10-31 23:30 CET", "2026-11-01 00:30 CET", "1 h 00 min",
    )  # fmt: skip
    assert (midnight["energy_wh"], midnight["fee"], midnight["payment_method"]) == (
        "10.00", "€5.00", "—",
    )  # fmt: skip
    assert midnight["counted"] == "10.00 kWh · order · €5.00"
    assert (rows[net.s2]["fee"], rows[net.s2]["payment_method"]) == ("€12.00", "wallet")
    assert rows[net.review]["fee"] == "in review"
    assert rows[net.review]["counted"] == "5.00 kWh · order"
    running = rows[net.running]
    assert (running["stop_time"], running["fee"], running["duration"]) == (
        "running", "running", "1 h 00 min",
    )  # fmt: skip
    assert running["counted"] == "3.00 kWh"
    # the station filter: the Depot's three
    depot = _details(net, date(2026, 10, 31), date(2026, 11, 1), station_id=net.depot)
    assert session_details_page(ListQuery(), net.scope, depot).total == 3


@pytest.mark.parametrize(
    ("first", "last", "narrow"),
    [
        (date(2026, 10, 31), date(2026, 11, 1), ""),
        (date(2026, 11, 1), date(2026, 11, 1), ""),  # the midnight session over its start
        (date(2026, 10, 31), date(2026, 10, 31), ""),  # ... and over its end
        (date(2026, 9, 1), date(2026, 11, 30), ""),
        (date(2026, 10, 1), date(2026, 10, 1), ""),  # the month-end session over its start
        (date(2026, 11, 1), date(2026, 11, 1), "station"),
        (date(2026, 10, 31), date(2026, 11, 1), "area"),
        (date(2026, 11, 1), date(2026, 11, 1), "charge_point"),
    ],
)
def test_the_csv_adds_up_to_the_chart(net: Network, first: date, last: date, narrow: str) -> None:
    chosen = {
        "": {},
        "station": {"station_id": net.depot},
        "area": {"area_id": net.area},
        "charge_point": {"charge_point_id": net.cp3},
    }[narrow]
    chart = stats(net, PeriodKind.DAYS, first, last, **chosen)
    rows = _csv(net, _details(net, first, last, **chosen))
    assert rows, "the range has sessions"
    assert _sums(rows) == figures(chart.series.total)


def test_the_csv_rows(net: Network) -> None:
    rows = _csv(net, _details(net, date(2026, 11, 1), date(2026, 11, 1)))
    by_id = {int(r["Session"]): r for r in rows}
    assert list(by_id) == [net.running, net.s2, net.review, net.s1]
    midnight = by_id[net.s1]
    assert midnight["Start (Europe/Berlin)"] == "2026-10-31 23:30 CET"
    assert midnight["End (Europe/Berlin)"] == "2026-11-01 00:30 CET"
    assert (midnight["Energy (kWh)"], midnight["Fee incl. VAT"]) == ("10.00", "€5.00")
    # only its second half is in the day, with its order and amount
    assert (
        midnight["Orders in range"],
        midnight["Energy in range (kWh)"],
        midnight["Amount in range incl. VAT"],
        midnight["Currency"],
    ) == ("1", "5.000", "5.00", "EUR")
    assert by_id[net.review]["Amount in range incl. VAT"] == ""
    assert by_id[net.s2]["Payment method"] == "wallet"
    assert _sums(rows) == (3, 33_000, 1_700)
    # after the roll-up has run, the same
    ChargingRollupJob().run(NOW)
    chart = stats(net, PeriodKind.DAYS, date(2026, 11, 1), date(2026, 11, 1))
    assert figures(chart.series.total) == (3, 33_000, 1_700)


# --- the filter, 3. work orders and 4. faults --------------------------------------------------


def test_the_filter_from_the_page() -> None:
    chosen = statistics_filter(
        {7}, kind="months", date_from="2026-10-31", date_to="2026-11-01",
        area_id="all", station_id="3", charge_point_id="", zone=ZONE,
    )  # fmt: skip
    assert chosen.kind is PeriodKind.MONTHS
    assert (chosen.narrowing.station_id, chosen.narrowing.area_id) == (3, None)
    assert chosen.window.since == utc(10, 30, 23) and chosen.window.until == utc(11, 1, 23)
    report = chosen.report_filter()
    assert (report.station_id, report.since, report.until) == (3, utc(10, 30, 23), utc(11, 1, 23))
    with pytest.raises(StatisticsInputError) as refused:
        statistics_filter(
            {7}, kind="weeks", date_from="2026-11-02", date_to="2026-11-01", station_id="x"
        )
    assert set(refused.value.errors) == {"kind", "date_to", "station_id"}
    assert this_month(utc(10, 31, 23, 30), ZONE) == (date(2026, 11, 1), date(2026, 11, 1))


def test_work_orders_and_faults_of_the_range(net: Network) -> None:
    with session_scope() as s:
        for status, created, due in [
            (WorkOrderStatus.CLOSED, utc(11, 1, 8), None),
            (WorkOrderStatus.OPEN, utc(11, 1, 9), NOW - timedelta(hours=1)),  # overdue
            (WorkOrderStatus.IN_PROGRESS, utc(11, 1, 10), NOW + timedelta(hours=1)),
            (WorkOrderStatus.OPEN, utc(10, 20, 9), None),  # before the range
        ]:
            s.add(WorkOrder(organisation_id=net.org, title="Fix", status=status,
                            charge_point_id=net.cp1, created_at=created, due_at=due))  # fmt: skip
        for cause, cp, began in [
            ("connector_faulted", net.cp1, utc(11, 1, 8)),
            ("connector_faulted", net.cp3, utc(11, 1, 9)),
            ("offline", net.cp2, utc(11, 1, 10)),
            ("offline", net.cp2, utc(10, 20, 10)),  # before the range
        ]:
            s.add(Alarm(organisation_id=net.org, charge_point_id=cp, cause=cause,
                        fault_started_at=began))  # fmt: skip
    chosen = statistics_filter(
        net.scope, kind="days", date_from="2026-11-01", date_to="2026-11-01", zone=ZONE
    )
    found = maintenance_figures(chosen, net.scope, NOW)
    w = found.work_orders
    assert (w.total, w.completed, w.pending, w.overdue) == (3, 1, 2, 1)
    assert [(c.cause, c.count) for c in found.faults_by_cause] == [
        ("connector_faulted", 2),
        ("offline", 1),
    ]
    assert found.faults == 3
    at_depot = statistics_filter(
        net.scope, kind="days", date_from="2026-11-01", date_to="2026-11-01",
        station_id=str(net.depot), zone=ZONE,
    )  # fmt: skip
    depot = maintenance_figures(at_depot, net.scope, NOW)
    assert [(c.cause, c.count) for c in depot.faults_by_cause] == [
        ("connector_faulted", 1),
        ("offline", 1),
    ]
