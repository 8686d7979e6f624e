"""Find a charger, on a real database and through the real driver gate: the network's
stations (scope: the operator and its sub-operators, never another network), each
connector's live availability, the driver's own price (the finance module's resolution and
the tariff engine's numbers), search and filters, favourites, the station page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import select

from ccms_app.accounts.models import Organisation
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.money import format_money
from ccms_app.core.types import utc_now
from ccms_app.driver_app import favourites, stations
from ccms_app.driver_app.driver_accounts import principal_for_session
from ccms_app.driver_app.errors import DriverAppNotFound
from ccms_app.driver_app.models import DriverFavourite
from ccms_app.driver_app.rules.station_prices import price_text
from ccms_app.driver_app.state.stations import StationPageState, StationsState
from ccms_app.finance import tariff_assignments, tariffs
from ccms_app.finance.models import AssignmentTarget
from ccms_app.finance.rules.tariff_engine import price_session
from ccms_app.finance.rules.tariff_types import PeriodKind, SessionTimeline, TimelinePeriod
from ccms_app.network.models import ChargePoint, Connector, RegistrationState, Station
from ccms_app.network.stations import delete_station
from tests.driver_app.support import SignedInDriver, driver_tab, refused, signed_in_driver

BERLIN = "Europe/Berlin"


@dataclass(frozen=True)
class Network:
    root: int
    sub: int
    other: int
    hafen: int  # station ids
    koeln: int
    sub_station: int
    other_station: int
    cp_hafen: int
    cp_koeln: int
    type2: int  # connector rows at the Hafen station
    ccs: int


def _station(org: int, name: str, address: str, **fields: Any) -> int:
    with session_scope() as s:
        station = Station(organisation_id=org, name=name, address=address, **fields)
        s.add(station)
        s.flush()
        return int(station.id or 0)


def _charge_point(
    org: int, station: int, identity: str, connectors: list[tuple[str, int, str]], **fields: Any
) -> tuple[int, list[int]]:
    values = {
        "registration_state": RegistrationState.REGISTERED,
        "is_online": True,
        "status": "Available",
    } | fields
    with session_scope() as s:
        cp = ChargePoint(organisation_id=org, station_id=station, identity=identity, **values)
        s.add(cp)
        s.flush()
        rows = [
            Connector(
                organisation_id=org,
                charge_point_id=cp.id,
                connector_id=number,
                connector_type=kind,
                max_power_w=watts,
                status=status,
            )
            for number, (kind, watts, status) in enumerate(connectors, start=1)
        ]
        s.add_all(rows)
        s.flush()
        return int(cp.id or 0), [int(r.id or 0) for r in rows]


@pytest.fixture
def network(organisation: Organisation) -> Network:
    root = int(organisation.id or 0)
    with session_scope() as s:
        sub = Organisation(name="Partner Charging", parent_id=root)
        other = Organisation(name="Another Network")
        s.add_all([sub, other])
        s.flush()
        sub_id, other_id = int(sub.id or 0), int(other.id or 0)
    hafen = _station(
        root,
        "Hafen Depot",
        "Am Kai 1, 20457 Hamburg",
        latitude=53.5436,
        longitude=9.9664,
        timezone=BERLIN,
    )
    koeln = _station(
        root,
        "Köln Süd",
        "Ringstraße 5, 50667 Köln",
        latitude=50.9375,
        longitude=6.9603,
        timezone=BERLIN,
        opening_hours="Mo-Fr 07:00-20:00; Sa 09:00-14:00",
    )
    sub_station = _station(sub_id, "Partner Hof", "Hofweg 2, 80331 München")
    other_station = _station(other_id, "Elsewhere", "Somewhere 1, Wien")
    cp_hafen, (type2, ccs) = _charge_point(
        root,
        hafen,
        "CP-HAFEN-1",
        [("Type2", 22_000, "Available"), ("CCS2", 150_000, "Charging")],
    )
    cp_koeln, _ = _charge_point(root, koeln, "CP-KOELN-1", [("Type2", 11_000, "Faulted")])
    _charge_point(sub_id, sub_station, "CP-SUB-1", [("Type2", 7_400, "Available")])
    _charge_point(other_id, other_station, "CP-ELSE-1", [("Type2", 22_000, "Available")])
    _charge_point(
        root,
        hafen,
        "CP-NEW-UNREGISTERED",
        [("CCS2", 50_000, "Available")],
        registration_state=RegistrationState.UNREGISTERED,
    )
    return Network(
        root, sub_id, other_id, hafen, koeln, sub_station, other_station, cp_hafen, cp_koeln,
        type2, ccs,
    )  # fmt: skip


def _tariff(org: int, name: str, elements: list[dict[str, Any]]) -> int:
    view = tariffs.create_tariff(
        {org},
        org,
        name,
        {"currency": "EUR", "elements": elements},
        valid_from=utc_now() - timedelta(days=1),
    )
    return view.id


def _energy(price: str, vat: str | None = "19") -> dict[str, Any]:
    component: dict[str, Any] = {"type": "ENERGY", "price": Decimal(price), "step_size": 1}
    if vat is not None:
        component["vat"] = Decimal(vat)
    return {"price_components": [component]}


@pytest.fixture
def driver(network: Network) -> SignedInDriver:
    return signed_in_driver("dana@example.com")


def _principal(driver: SignedInDriver) -> Any:
    found = principal_for_session(driver.session_hash)
    assert found is not None
    return found


def _by_name(offers: list[Any]) -> dict[str, Any]:
    return {offer.name: offer for offer in offers}


def test_the_network_is_the_operator_and_its_sub_operators(
    network: Network, driver: SignedInDriver
) -> None:
    offers = _by_name(stations.network_stations(_principal(driver)))

    assert set(offers) == {"Hafen Depot", "Köln Süd", "Partner Hof"}
    hafen = offers["Hafen Depot"]
    assert [(c.identity, c.connector_id) for c in hafen.connectors] == [
        ("CP-HAFEN-1", 1),
        ("CP-HAFEN-1", 2),
    ]  # the unregistered charge point is not offered
    assert [(c.connector_type, c.max_power_w, c.availability) for c in hafen.connectors] == [
        ("Type2", 22_000, "free"),
        ("CCS2", 150_000, "busy"),
    ]
    assert hafen.availability == "free"
    assert offers["Köln Süd"].availability == "faulted"
    with pytest.raises(DriverAppNotFound):
        stations.station_offer(_principal(driver), network.other_station)
    with pytest.raises(DriverAppNotFound):
        stations.station_offer(_principal(driver), 999_999)


def test_an_offline_or_disabled_charge_point_is_not_free(
    network: Network, driver: SignedInDriver
) -> None:
    with session_scope() as s:
        cp = s.get(ChargePoint, network.cp_hafen)
        assert cp is not None
        cp.is_online = False
        s.add(cp)
    hafen = stations.station_offer(_principal(driver), network.hafen)
    assert {c.availability for c in hafen.connectors} == {"offline"}
    with session_scope() as s:
        cp = s.get(ChargePoint, network.cp_hafen)
        assert cp is not None
        cp.is_online, cp.enabled = True, False
        s.add(cp)
    hafen = stations.station_offer(_principal(driver), network.hafen)
    assert {c.availability for c in hafen.connectors} == {"faulted"}


def test_the_price_is_this_drivers_and_the_engines(
    network: Network, driver: SignedInDriver
) -> None:
    """The network default prices everybody; the driver's own tariff wins for them; the
    words are the engine's numbers (VAT included, TIME per minute after its restriction)."""
    default = _tariff(network.root, "Standard", [_energy("0.30")])
    tariff_assignments.assign({network.root}, default, AssignmentTarget.NETWORK, network.root, "t")
    principal = _principal(driver)

    hafen = stations.station_offer(principal, network.hafen)
    assert price_text(hafen.connectors[0].price) == "€0.357/kWh"

    own = _tariff(
        network.root,
        "Dana special",
        [
            {
                "price_components": [{"type": "TIME", "price": Decimal("6.00"), "step_size": 60}],
                "restrictions": {"min_duration": 3600},
            },
            _energy("0.3277"),
        ],
    )
    tariff_assignments.assign(
        {network.root}, own, AssignmentTarget.DRIVER, principal.driver_id, "t"
    )
    hafen = stations.station_offer(principal, network.hafen)
    shown = hafen.connectors[0].price
    assert price_text(shown) == "€0.39/kWh · €0.10/min after 60 min"
    assert stations.connector_price(principal, network.cp_hafen, 1) == shown

    # The same numbers from the engine, for the tariff the finance module resolves.
    with read_session() as s:
        resolution = tariff_assignments.resolve(
            s, network.cp_hafen, 1, principal.app_id_tag, utc_now(), network.type2
        )
    assert resolution is not None and resolution.tariff_id == own
    tariff = tariffs.load_definition(resolution.version.definition, BERLIN)
    start = datetime(2026, 3, 2, 10, tzinfo=UTC)
    one_kwh = price_session(tariff, _timeline(start, Decimal(1), timedelta(minutes=1)))
    assert format_money(one_kwh.total.incl_vat_minor, "EUR") + "/kWh" == "€0.39/kWh"
    assert shown is not None and shown.parts[0].amount == Decimal("0.3277") * Decimal("1.19")
    two_hours = price_session(tariff, _timeline(start, Decimal(0), timedelta(hours=2)))
    assert two_hours.time.incl_vat_minor == 60 * 10  # 60 billed minutes at €0.10

    # Another driver still pays the network default.
    other = _principal(signed_in_driver("erik@example.com"))
    assert price_text(stations.station_offer(other, network.hafen).connectors[0].price) == (
        "€0.357/kWh"
    )


def _timeline(start: datetime, kwh: Decimal, lasting: timedelta) -> SessionTimeline:
    return SessionTimeline((TimelinePeriod(start, PeriodKind.CHARGING, kwh),), start + lasting)


def test_no_tariff_says_so(network: Network, driver: SignedInDriver) -> None:
    hafen = stations.station_offer(_principal(driver), network.hafen)
    assert hafen.connectors[0].price is None
    assert price_text(hafen.connectors[0].price) == "Price not set"


def test_favourites_are_the_drivers_and_in_the_network_only(
    network: Network, driver: SignedInDriver
) -> None:
    principal = _principal(driver)
    assert favourites.set_favourite(principal, network.koeln, True) is True
    assert favourites.set_favourite(principal, network.koeln, True) is True  # twice: no error
    offers = _by_name(stations.network_stations(principal))
    assert offers["Köln Süd"].favourite and not offers["Hafen Depot"].favourite
    other = _principal(signed_in_driver("erik@example.com"))
    assert not _by_name(stations.network_stations(other))["Köln Süd"].favourite

    with pytest.raises(DriverAppNotFound):
        favourites.set_favourite(principal, network.other_station, True)
    assert favourites.set_favourite(principal, network.koeln, False) is False
    assert favourites.set_favourite(principal, network.koeln, False) is False
    with read_session() as s:
        assert s.query(DriverFavourite).count() == 0


# --- through the gate: the tab's state ----------------------------------------------------


async def test_the_list_loads_filters_and_sorts_through_the_gate(
    network: Network, driver: SignedInDriver
) -> None:
    tab = driver_tab(driver, "/app")
    assert not refused(await tab.send(StationsState, "load"))
    state = await tab.state(StationsState)
    assert [c.name for c in state.cards] == ["Hafen Depot", "Köln Süd", "Partner Hof"]
    assert state.type_options == ["CCS2", "Type2"]
    assert state.on_map == 2 and state.figure["data"]
    hafen = state.cards[0]
    assert (hafen.availability, hafen.free_text, hafen.hours) == (
        "free",
        "1 of 2 free",
        "Open 24/7",
    )
    assert hafen.nav_href == (
        "https://www.google.com/maps/dir/?api=1&destination=53.543600,9.966400"
    )
    assert [(r.connector_type, r.power, r.availability) for r in hafen.connectors] == [
        ("Type2", "22 kW", "free"),
        ("CCS2", "150 kW", "busy"),
    ]
    assert hafen.connectors[0].charge_href == "/app/c/CP-HAFEN-1/1"
    assert hafen.connectors[1].reserve_href == f"/app/reserve/{network.ccs}"

    await tab.send(StationsState, "set_query", value="koln")  # accents and case folded
    assert [c.name for c in state.cards] == ["Köln Süd"]
    await tab.send(StationsState, "set_query", value="hamburg")
    assert [c.name for c in state.cards] == ["Hafen Depot"]
    await tab.send(StationsState, "clear_filters")

    await tab.send(StationsState, "set_min_power", value="50")
    assert [c.name for c in state.cards] == ["Hafen Depot"]  # the 150 kW CCS2
    await tab.send(StationsState, "set_available_now", value=True)
    assert [c.name for c in state.cards] == []  # the fast one is busy
    await tab.send(StationsState, "set_min_power", value="any")
    assert [c.name for c in state.cards] == ["Hafen Depot", "Partner Hof"]
    await tab.send(StationsState, "set_connector_type", value="CCS2")
    assert [c.name for c in state.cards] == []
    await tab.send(StationsState, "set_connector_type", value="<script>")  # not a choice
    assert state.connector_type == "any"
    await tab.send(StationsState, "clear_filters")

    # Near Köln: nearest first, distances shown; an impossible position is refused.
    await tab.send(StationsState, "set_position", coordinates=[50.94, 6.96])
    assert [c.name for c in state.cards] == ["Köln Süd", "Hafen Depot", "Partner Hof"]
    assert state.cards[0].distance == "280 m" and state.cards[1].distance.endswith(" km")
    await tab.send(StationsState, "set_position", coordinates=[123, 6.96])
    assert state.cards[0].name == "Köln Süd"  # the last good position is kept

    # The map's markers open their station (trace 0 is "free": Hafen Depot).
    answer = await tab.send(
        StationsState, "open_marker", points=[{"curveNumber": 0, "pointNumber": 0}]
    )
    assert answer is not None and f"/app/stations/{network.hafen}" in str(answer)


async def test_favourite_star_and_filter_through_the_gate(
    network: Network, driver: SignedInDriver
) -> None:
    tab = driver_tab(driver, "/app")
    await tab.send(StationsState, "load")
    state = await tab.state(StationsState)
    await tab.send(StationsState, "toggle_favourite", station_id=network.koeln)
    assert [c.favourite for c in state.cards] == [False, True, False]
    await tab.send(StationsState, "set_favourites_only", value=True)
    assert [c.name for c in state.cards] == ["Köln Süd"]
    await tab.send(StationsState, "toggle_favourite", station_id=network.koeln)
    assert state.cards == []

    # Another network's station id in the payload: refused, nothing stored.
    await tab.send(StationsState, "toggle_favourite", station_id=network.other_station)
    with read_session() as s:
        assert s.query(DriverFavourite).count() == 0


async def test_nobody_signed_in_is_sent_to_sign_in(network: Network) -> None:
    tab = driver_tab(None, "/app")
    update = await tab.send(StationsState, "load")
    assert refused(update)
    assert "/app/login" in str(update.events)
    assert (await tab.state(StationsState)).cards == []


async def test_availability_is_pushed_by_refresh_live(
    network: Network, driver: SignedInDriver
) -> None:
    """The live feed calls refresh_live on the watching tab: it shows the new status."""
    from ccms_app.driver_app.state import live_feed

    live_feed.forget_all()
    tab = driver_tab(driver, "/app")
    await tab.send(StationsState, "load")
    state = await tab.state(StationsState)
    watches = list(live_feed.watched().values())
    assert [w.charge_point_ids for w in watches] == [
        frozenset({network.cp_hafen, network.cp_koeln}) | _sub_cp_ids(network)
    ]
    with session_scope() as s:
        connector = s.get(Connector, network.ccs)
        assert connector is not None
        connector.status = "Available"
        s.add(connector)
    await state.refresh_live()  # two reads: the statuses
    assert state.cards[0].free_text == "2 of 2 free"
    with session_scope() as s:
        cp = s.get(ChargePoint, network.cp_hafen)
        assert cp is not None
        cp.is_online = False
        s.add(cp)
    await state.refresh_live()
    assert [r.availability for r in state.cards[0].connectors] == ["offline", "offline"]
    assert state.cards[0].availability == "offline"

    await tab.send(StationsState, "leave")  # the list is off screen: no more pushes
    assert live_feed.watched() == {}
    live_feed.forget_all()


def _sub_cp_ids(network: Network) -> frozenset[int]:
    with read_session() as s:
        rows = s.query(ChargePoint.id).filter(ChargePoint.station_id == network.sub_station)
        return frozenset(int(r[0]) for r in rows)


async def test_the_station_page(network: Network, driver: SignedInDriver) -> None:
    tab = driver_tab(driver, f"/app/stations/{network.hafen}")
    await tab.send(StationPageState, "load")
    page = await tab.state(StationPageState)
    assert not page.not_found and page.card.name == "Hafen Depot"
    assert [g.identity for g in page.charge_points] == ["CP-HAFEN-1"]
    rows = page.charge_points[0].connectors
    assert [(r.connector_id, r.status, r.free) for r in rows] == [
        (1, "Available", True),
        (2, "Charging", False),
    ]
    await tab.send(StationPageState, "toggle_favourite")
    assert page.card.favourite
    with read_session() as s:
        assert s.query(DriverFavourite).count() == 1

    # Opening hours in the station's zone.
    tab = driver_tab(driver, f"/app/stations/{network.koeln}")
    await tab.send(StationPageState, "load")
    page = await tab.state(StationPageState)
    assert page.card.opening_hours == "Mo-Fr 07:00-20:00; Sa 09:00-14:00"
    assert page.card.hours.startswith(("Open until", "Closed"))

    for path in (f"/app/stations/{network.other_station}", "/app/stations/abc"):
        tab = driver_tab(driver, path)
        await tab.send(StationPageState, "load")
        page = await tab.state(StationPageState)
        assert page.not_found and page.card.name == "" and page.charge_points == []
        assert page.message == "There is no such station in this network."


def test_a_starred_station_can_still_be_deleted_by_its_operator(
    network: Network, driver: SignedInDriver
) -> None:
    """A favourite is the driver's bookmark: it goes with the station (ON DELETE CASCADE)."""
    empty = _station(network.root, "Closing Soon", "Altweg 1, Hamburg")
    assert favourites.set_favourite(_principal(driver), empty, True) is True
    delete_station([network.root], empty)
    with session_scope() as s:
        assert s.get(Station, empty) is None
        assert (
            s.exec(select(DriverFavourite).where(DriverFavourite.station_id == empty)).all() == []
        )
