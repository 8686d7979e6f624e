"""Home's figures against a hand-computed network: an operator in Tokyo (UTC+9, so at 20:00
UTC it is already tomorrow there) with a session over local midnight, a running one, one the
day before and one in October; a sub-operator in London charging in GBP with its licence.
"Today" and "this month" are the operator's, the 24 h curve sums the organisations' samples,
and the same figures come back after the roll-up job ran. An empty network reads zeros."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine

from ccms_app.accounts.models import Organisation
from ccms_app.accounts.roles import Caller
from ccms_app.analytics.figures import Totals
from ccms_app.analytics.home_figures import HomeFigures, home_figures
from ccms_app.analytics.models import PowerSample
from ccms_app.analytics.power_samples import StationPower
from ccms_app.analytics.rollup import ChargingRollupJob
from ccms_app.analytics.state.home import figures_row, network_tiles, period_rows
from ccms_app.charging.models import ChargingSession
from ccms_app.core.db import session_scope
from ccms_app.finance.models import BillingProfile
from ccms_app.finance.rules.revenue import PeriodKind
from ccms_app.network.models import ChargePoint, Connector, RegistrationState
from tests.analytics import seed

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 11, 1, 20, 0, tzinfo=UTC)  # Mon 2 Nov 05:00 in Tokyo, Sun 1 Nov in UTC


def jst(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TOKYO).astimezone(UTC)


def caller_of(organisation_id: int) -> Caller:
    return Caller(
        account_id=1,
        organisation_id=organisation_id,
        email="home@example.com",
        permissions=frozenset(),
    )


@dataclass
class Network:
    operator: int
    sub: int
    depot: int
    street: int
    harbour: int


def _profile(organisation_id: int, zone: str, currency: str) -> None:
    with session_scope() as s:
        s.add(BillingProfile(organisation_id=organisation_id, time_zone=zone, currency=currency))


def _power(session_id: int, watts: float) -> None:
    with session_scope() as s:
        row = s.get(ChargingSession, session_id)
        assert row is not None
        row.power_w = watts
        s.add(row)


def _connectors(organisation_id: int, charge_point_id: int, count: int) -> None:
    with session_scope() as s:
        for n in range(1, count + 1):
            s.add(
                Connector(
                    organisation_id=organisation_id, charge_point_id=charge_point_id, connector_id=n
                )
            )


def _sample(organisation_id: int, at: datetime, watts: int, station_id: int | None = None) -> None:
    with session_scope() as s:
        s.add(
            PowerSample(
                organisation_id=organisation_id,
                station_id=station_id,
                at=at,
                power_w=watts,
                charging=1,
            )
        )


@pytest.fixture
def network(engine: Engine, organisation: Organisation) -> Network:
    operator = int(organisation.id or 0)
    with session_scope() as s:
        sub_row = Organisation(
            name="Harbour Partner", parent_id=operator, licence_valid_to=date(2026, 11, 30)
        )
        s.add(sub_row)
        s.flush()
        sub = int(sub_row.id or 0)
    _profile(operator, "Asia/Tokyo", "EUR")
    _profile(sub, "Europe/London", "GBP")
    depot = seed.station(operator, "Depot", "Asia/Tokyo")
    street = seed.station(operator, "Street", "Asia/Tokyo")
    harbour = seed.station(sub, "Harbour", "Europe/London")
    cp1 = seed.charge_point(operator, depot, "CP-1")
    cp2 = seed.charge_point(operator, depot, "CP-2")
    cp3 = seed.charge_point(operator, street, "CP-3")
    cp4 = seed.charge_point(sub, harbour, "CP-4")
    stranger = seed.charge_point(operator, None, "CP-UNKNOWN")
    with session_scope() as s:
        row = s.get(ChargePoint, stranger)
        assert row is not None
        row.registration_state = RegistrationState.UNREGISTERED
        s.add(row)
    _connectors(operator, cp1, 2)
    _connectors(operator, cp2, 1)
    _connectors(operator, stranger, 1)  # not counted: its charge point is not registered
    # A: Sun 1 Nov 23:30 -> Mon 00:30 Tokyo, 10 kWh evenly, EUR 5.00: half in each day
    seed.charging_session(
        operator,
        cp1,
        jst(11, 1, 23, 30),
        jst(11, 2, 0, 30),
        10_000,
        amount_incl_minor=500,
        vat_minor=80,
    )
    # B: Mon 01:00 -> 03:00, 20 kWh, EUR 12.00
    seed.charging_session(
        operator, cp2, jst(11, 2, 1), jst(11, 2, 3), 20_000, amount_incl_minor=1_200, vat_minor=192
    )
    # C: running since Mon 04:00, 3 kWh measured at 04:30, 7.4 kW now
    running = seed.charging_session(
        operator, cp3, jst(11, 2, 4), None, 3_000, readings=[(jst(11, 2, 4, 30), 3_000)]
    )
    _power(running, 7_400.0)
    # D: Sat 31 Oct 10:00 -> 11:00, 4 kWh, EUR 3.00 (October)
    seed.charging_session(
        operator, cp3, jst(10, 31, 10), jst(10, 31, 11), 4_000, amount_incl_minor=300
    )
    # E: Sun 1 Nov 12:00 -> 13:00, 6 kWh, EUR 7.00 (the UTC day of NOW, not Tokyo's today)
    seed.charging_session(
        operator, cp1, jst(11, 1, 12), jst(11, 1, 13), 6_000, amount_incl_minor=700
    )
    # F: the sub-operator's, Mon 02:00 -> 02:30 Tokyo (Sun 17:00 in London), 1 kWh, GBP 1.00
    seed.charging_session(
        sub, cp4, jst(11, 2, 2), jst(11, 2, 2, 30), 1_000, amount_incl_minor=100, currency="GBP"
    )
    # G: the sub-operator's, running since Mon 04:30 Tokyo, 0.5 kWh at 04:45, 3 kW now
    partner_running = seed.charging_session(
        sub, cp4, jst(11, 2, 4, 30), None, 500, readings=[(jst(11, 2, 4, 45), 500)]
    )
    _power(partner_running, 3_000.0)
    return Network(operator, sub, depot, street, harbour)


def figures(t: Totals, currency: str = "EUR") -> tuple[int, int, int, int]:
    return t.orders, t.energy_wh, t.charging_us // 1_000_000, t.amount_incl(currency)


def check_operator(network: Network, kind: PeriodKind = PeriodKind.DAYS) -> HomeFigures:
    home = home_figures(caller_of(network.operator), kind, NOW)
    assert (home.time_zone, home.currency) == ("Asia/Tokyo", "EUR")
    # Today is Mon 2 Nov in Tokyo: A's second half and its order, B, C so far, F, G so far.
    assert figures(home.today) == (3, 5_000 + 20_000 + 3_000 + 1_000 + 500, 16_200, 1_700)
    assert home.today.amount_incl("GBP") == 100
    # November in Tokyo: A, B, C, E, F, G (D is October's).
    assert figures(home.this_month) == (4, 40_500, 21_600, 2_400)
    return home


def test_the_operator_sees_its_network_in_its_time_zone(network: Network) -> None:
    home = check_operator(network)
    assert home.licence is None
    assert (home.sub_operators, home.stations, home.charge_points, home.connectors) == (1, 3, 4, 3)
    assert home.power_by_station == (
        StationPower(network.street, "Street", 7_400, 1),
        StationPower(network.harbour, "Harbour", 3_000, 1),
    )
    assert (home.power_w, home.charging) == (10_400, 2)
    days = home.series
    assert len(days.buckets) == 30 and days.buckets[-1].key == "2026-11-02"
    assert days.buckets[-1].start == jst(11, 2, 0)  # local midnight, not 00:00 UTC
    assert [figures(v) for v in days.values[-3:]] == [
        (1, 4_000, 3_600, 300),  # Sat 31 Oct: D
        (1, 11_000, 5_400, 700),  # Sun 1 Nov: A's first half, E
        figures(home.today),
    ]
    months = check_operator(network, PeriodKind.MONTHS).series
    assert [b.key for b in months.buckets[-2:]] == ["2026-10", "2026-11"]
    assert figures(months.values[-2]) == (1, 4_000, 3_600, 300)
    years = check_operator(network, PeriodKind.YEARS).series
    assert [b.key for b in years.buckets] == ["2022", "2023", "2024", "2025", "2026"]
    assert figures(years.values[-1]) == (5, 44_500, 25_200, 2_700)
    assert years.total.amounts["GBP"] == (100, 100)


def test_the_page_shows_the_figures_as_hand_computed(network: Network) -> None:
    home = check_operator(network)
    assert figures_row(home.today, "EUR") == {
        "sessions": "3",
        "energy": "29.5 kWh",
        "duration": "4.5 h",
        "revenue": "€17.00 + £1.00",
    }
    rows = period_rows(home)
    assert rows[0]["key"] == "2026-11-02" and rows[1]["energy"] == "11.0 kWh"
    assert rows[-1] == {
        "key": "total",
        "label": "Total",
        "sessions": "5",
        "energy": "44.5 kWh",
        "duration": "7.0 h",
        "revenue": "€27.00 + £1.00",
    }
    tiles = network_tiles(home)
    assert (tiles["licence"], tiles["stations"], tiles["connectors"]) == ("No terms", "3", "3")


def test_the_same_figures_after_the_roll_up(network: Network) -> None:
    ChargingRollupJob().run(NOW)
    check_operator(network)
    check_operator(network, PeriodKind.YEARS)


def test_a_sub_operator_sees_its_own_part_in_its_own_zone(network: Network) -> None:
    home = home_figures(caller_of(network.sub), PeriodKind.DAYS, NOW)
    assert (home.time_zone, home.currency) == ("Europe/London", "GBP")
    assert home.licence is not None
    assert (home.licence.days_left, home.licence.status) == (30, "active")
    assert network_tiles(home)["licence"] == "30 days left"
    assert (home.sub_operators, home.stations, home.charge_points, home.connectors) == (0, 1, 1, 0)
    # Sun 1 Nov in London: F and G so far
    assert figures(home.today, "GBP") == (1, 1_500, 3_600, 100)
    assert home.today.amount_incl("EUR") == 0
    assert home.power_by_station == (StationPower(network.harbour, "Harbour", 3_000, 1),)


def test_the_power_curve_sums_the_organisations_samples(network: Network) -> None:
    _sample(network.operator, NOW - timedelta(hours=25), 9_999)  # older than 24 h
    _sample(network.operator, NOW - timedelta(minutes=10), 5_000)
    _sample(network.operator, NOW, 7_400)
    _sample(network.sub, NOW, 3_000)
    _sample(network.operator, NOW, 7_400, station_id=network.street)  # a station's row
    home = home_figures(caller_of(network.operator), PeriodKind.DAYS, NOW)
    assert [(p.at, p.power_w) for p in home.curve] == [
        (NOW - timedelta(minutes=10), 5_000),
        (NOW, 10_400),
    ]
    assert not home.curve_covers_the_day  # the page says samples start when CCMS runs
    _sample(network.operator, NOW - timedelta(hours=24) + timedelta(minutes=4), 0)
    home = home_figures(caller_of(network.operator), PeriodKind.DAYS, NOW)
    assert home.curve_covers_the_day and len(home.curve) == 3
    mine = home_figures(caller_of(network.sub), PeriodKind.DAYS, NOW)
    assert [(p.at, p.power_w) for p in mine.curve] == [(NOW, 3_000)]


def test_an_empty_network_reads_zeros(engine: Engine, organisation: Organisation) -> None:
    home = home_figures(caller_of(int(organisation.id or 0)), PeriodKind.MONTHS, NOW)
    assert (home.time_zone, home.currency) == ("UTC", "EUR")
    assert (home.sub_operators, home.stations, home.charge_points, home.connectors) == (0, 0, 0, 0)
    assert home.power_by_station == () and home.curve == () and home.power_w == 0
    assert len(home.series.buckets) == 12
    assert all(figures(v) == (0, 0, 0, 0) for v in home.series.values)
    assert figures_row(home.today, "EUR") == {
        "sessions": "0",
        "energy": "0.0 kWh",
        "duration": "0.0 h",
        "revenue": "€0.00",
    }
