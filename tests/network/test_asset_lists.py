"""The asset lists (specs on the shared list query), the filters typed by the list state, and
the station map's markers, on a real database."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from ccms_app.accounts.models import Organisation
from ccms_app.accounts.organisations import organisation_scope
from ccms_app.core.listing import (
    ROW_ZONE,
    ListQuery,
    ListQueryError,
    export_csv,
    fetch_after,
    fetch_page,
)
from ccms_app.network import areas, stations
from ccms_app.network.asset_lists import (
    AREA_LIST,
    CHARGE_POINT_LIST,
    STATION_LIST,
    UNREGISTERED_LIST,
)
from ccms_app.network.models import ChargePoint, Connector, Station
from ccms_app.network.state.lists import ChargePointListState, StationListState
from ccms_app.network.station_map import station_charge_points, station_markers
from ccms_app.ui.list_state import ALL, coerce_filter, display_value


@pytest.fixture
def network(session: Session, organisation: Organisation) -> frozenset[int]:
    """Area Hamburg with stations Depot (3 charge points) and Yard (none); one unknown."""
    scope = organisation_scope(organisation.id)
    area = areas.create_area(scope, organisation.id, {"name": "Hamburg"})
    depot = stations.create_station(
        scope, {"name": "Depot", "latitude": "53.5", "longitude": "10.0"}, organisation.id, area.id
    )
    stations.create_station(scope, {"name": "Yard", "address": "Hafen 2"}, organisation.id)
    session.rollback()
    rows = [
        ("CP-A", True, "registered", True, ["Available", "Charging"]),
        ("CP-B", True, "registered", False, ["Available"]),
        ("CP-C", False, "registered", True, ["Faulted"]),
    ]
    for identity, online, state, enabled, statuses in rows:
        cp = ChargePoint(
            identity=identity,
            organisation_id=organisation.id,
            station_id=depot.id,
            registration_state=state,
            is_online=online,
            enabled=enabled,
            status="Available",
            max_power_w=22000,
        )
        session.add(cp)
        session.flush()
        for number, status in enumerate(statuses, start=1):
            session.add(
                Connector(
                    charge_point_id=cp.id,
                    organisation_id=organisation.id,
                    connector_id=number,
                    status=status,
                )
            )
    session.add(ChargePoint(identity="CP-NEW", organisation_id=organisation.id, is_online=True))
    session.commit()
    return scope


def test_area_and_station_lists_count_what_they_hold(network) -> None:
    [area] = fetch_page(AREA_LIST, ListQuery(), network).rows
    assert (area["name"], area["stations"]) == ("Hamburg", 1)
    page = fetch_page(STATION_LIST, ListQuery(sort="charge_points", descending=True), network)
    assert [(r["name"], r["charge_points"], r["area"]) for r in page.rows] == [
        ("Depot", 3, "Hamburg"),
        ("Yard", 0, None),
    ]
    found = fetch_page(STATION_LIST, ListQuery(search="hafen"), network)
    assert [r["name"] for r in found.rows] == ["Yard"]


def test_charge_point_filters_are_typed_by_their_column(network) -> None:
    online = coerce_filter(CHARGE_POINT_LIST, "online", "true")
    enabled = coerce_filter(CHARGE_POINT_LIST, "enabled", "no")
    assert (online, enabled) == (True, False)
    page = fetch_page(
        CHARGE_POINT_LIST,
        ListQuery(filters={"online": online, "registration": "registered"}),
        network,
    )
    assert [r["identity"] for r in page.rows] == ["CP-A", "CP-B"]
    disabled = fetch_page(CHARGE_POINT_LIST, ListQuery(filters={"enabled": enabled}), network)
    assert [r["identity"] for r in disabled.rows] == ["CP-B"]
    with pytest.raises(ListQueryError, match="must be yes or no"):
        coerce_filter(CHARGE_POINT_LIST, "online", "maybe")
    assert coerce_filter(CHARGE_POINT_LIST, "station_id", "7") == 7


def test_unregistered_list_and_its_export(network) -> None:
    page = fetch_page(UNREGISTERED_LIST, ListQuery(), network)
    assert [r["identity"] for r in page.rows] == ["CP-NEW"]
    assert display_value(page.rows[0]["online"]) == "yes"
    rows = list(csv.reader(io.StringIO(export_csv(CHARGE_POINT_LIST, ListQuery(), network))))
    assert rows[0][:3] == ["Id", "Identity", "Station"]
    assert [r[1] for r in rows[1:]] == ["CP-A", "CP-B", "CP-C", "CP-NEW"]


def test_station_markers_and_charge_point_availability(network) -> None:
    markers = {m.name: m for m in station_markers(network)}
    depot, yard = markers["Depot"], markers["Yard"]
    assert (depot.availability, depot.latitude, depot.charge_points) == ("free", 53.5, 3)
    assert depot.summary == "3 charge points: 1 free, 1 faulted, 1 offline"
    assert (yard.availability, yard.latitude, yard.summary) == ("offline", None, "No charge points")
    by_identity = {cp.identity: cp for cp in station_charge_points(network, depot.id)}
    # CP-B is online and Available but disabled: out of service, not free.
    assert {i: cp.availability for i, cp in by_identity.items()} == {
        "CP-A": "free",
        "CP-B": "faulted",
        "CP-C": "offline",
    }
    assert by_identity["CP-A"].connectors == ((1, "Available"), (2, "Charging"))


async def test_each_list_state_keeps_its_own_query() -> None:
    """ListState is a mixin: two lists on one page do not share search, filters or page."""
    charge_points, stations_list = ChargePointListState(), StationListState()
    await charge_points.set_filter("online", "true")
    await charge_points.set_filter("charging_method", "DC")
    await charge_points.set_search("depot")
    await charge_points.sort_by("identity")  # the default sort: clicking it again reverses
    query = charge_points._query()
    assert query.filters == {"online": True, "charging_method": "DC"}
    assert (query.search, query.sort, query.descending, query.page) == (
        "depot",
        "identity",
        True,
        1,
    )
    await charge_points.set_filter("charging_method", ALL)
    assert charge_points.filters == {"online": "true"} and charge_points.filtered
    assert stations_list.filters == {} and stations_list.search == ""
    assert not stations_list.filtered and stations_list.sort_key == "name"


def test_charge_point_times_are_shown_in_their_station_zone_and_never_exported(
    session: Session, organisation: Organisation
) -> None:
    scope = organisation_scope(organisation.id)
    berlin = Station(organisation_id=organisation.id, name="Berlin", timezone="Europe/Berlin")
    session.add(berlin)
    session.flush()
    seen = datetime(2026, 1, 8, 9, 30, tzinfo=UTC)
    for identity, station_id, state in (
        ("CP-BER", berlin.id, "registered"),
        ("CP-LOOSE", None, "unregistered"),
    ):
        session.add(
            ChargePoint(
                identity=identity,
                organisation_id=organisation.id,
                station_id=station_id,
                registration_state=state,
                last_seen_at=seen,
            )
        )
    session.commit()
    rows = {r["identity"]: r for r in fetch_page(CHARGE_POINT_LIST, ListQuery(), scope).rows}
    assert rows["CP-BER"][ROW_ZONE] == "Europe/Berlin"
    assert rows["CP-LOOSE"][ROW_ZONE] is None
    state = ChargePointListState()
    state._zone = "America/New_York"  # the operator's (what `load` reads)
    shown = state._format_row(rows["CP-BER"])
    assert shown["last_seen_at"] == "2026-01-08 10:30 CET"
    assert ROW_ZONE not in shown and shown["max_power_kw"] == ""
    [unregistered] = fetch_page(UNREGISTERED_LIST, ListQuery(), scope).rows
    assert state._format_row(unregistered)["last_seen_at"] == "2026-01-08 04:30 EST"
    exported = list(csv.reader(io.StringIO(export_csv(CHARGE_POINT_LIST, ListQuery(), scope))))
    assert ROW_ZONE not in exported[0] and len(exported[0]) == len(CHARGE_POINT_LIST.columns)
    assert exported[0][-1] == "Last seen (UTC)"  # the CSV keeps UTC, as its header says
    assert exported[1][-1].startswith("2026-01-08 09:30:00")
    # The API's rows (keyset pages) carry no zone either.
    api_rows, _ = fetch_after(CHARGE_POINT_LIST, ListQuery(), scope, None)
    assert all(ROW_ZONE not in r for r in api_rows)
