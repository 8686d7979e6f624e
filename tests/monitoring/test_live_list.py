"""Live Monitoring's charge point list: search, filters, sort and pages in SQL, one page of
display rows, bulk selection across pages (real rows in a migrated database)."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from ccms_app.accounts import organisations
from ccms_app.accounts.models import Organisation
from ccms_app.core import listing
from ccms_app.core.listing import ListQuery, ListQueryError
from ccms_app.monitoring import live_list
from ccms_app.monitoring.active_sessions import ACTIVE_SESSION_LIST, display_row
from ccms_app.network.models import ChargePoint, OperationArea, Station
from tests.monitoring.test_snapshot import NOW, add_charge_point, add_session, network

__all__ = ["network"]  # the fixture, shared with the snapshot tests


def _identities(query: ListQuery, scope: set[int]) -> list[str]:
    return [row.identity for row in live_list.load_page(query, scope, NOW).rows]


@pytest.fixture
def scope(organisation: Organisation) -> set[int]:
    return set(organisations.organisation_scope(organisation.id))


def test_a_page_holds_display_rows_of_its_charge_points_only(
    network: dict[str, ChargePoint], scope: set[int]
) -> None:
    page = live_list.load_page(ListQuery(page_size=2), scope, NOW)
    assert (page.total, page.page, page.pages) == (4, 1, 2)
    assert [row.identity for row in page.rows] == ["CP-A", "CP-B"]
    charging = page.rows[0]
    assert charging.station == "Depot North" and charging.online
    assert [c.label for c in charging.connectors] == ["1: Charging", "2: Available"]
    assert page.rows[1].faulted
    second = live_list.load_page(ListQuery(page=2, page_size=2), scope, NOW)
    assert [row.identity for row in second.rows] == ["CP-C", "CP-NEW"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"online": False}, ["CP-C"]),
        ({"faulted": True}, ["CP-B"]),
        ({"faulted": False}, ["CP-A", "CP-C", "CP-NEW"]),
        ({"status": "Charging"}, ["CP-A"]),  # any connector's status
        ({"registration": "unregistered"}, ["CP-NEW"]),
    ],
)
def test_filters_narrow_the_list_in_sql(
    network: dict[str, ChargePoint], scope: set[int], filters: dict, expected: list[str]
) -> None:
    assert _identities(ListQuery(filters=filters), scope) == expected


def test_station_and_area_filters_and_search(
    session: Session, network: dict[str, ChargePoint], organisation: Organisation, scope: set[int]
) -> None:
    area = OperationArea(organisation_id=organisation.id, name="Oslo")
    session.add(area)
    session.flush()
    station = session.get(Station, network["charging"].station_id)
    assert station is not None
    station.area_id = area.id
    session.commit()
    assert _identities(ListQuery(filters={"station_id": station.id}), scope) == ["CP-A"]
    assert _identities(ListQuery(filters={"area_id": area.id}), scope) == ["CP-A"]
    assert _identities(ListQuery(search="north"), scope) == ["CP-A"]  # station name
    assert _identities(ListQuery(search="cp-n"), scope) == ["CP-NEW"]


def test_sort_by_last_seen_and_reverse(
    session: Session, network: dict[str, ChargePoint], scope: set[int]
) -> None:
    network["offline"].last_seen_at = None
    session.add(network["offline"])
    session.commit()
    descending = _identities(ListQuery(sort="identity", descending=True), scope)
    assert descending == ["CP-NEW", "CP-C", "CP-B", "CP-A"]
    assert _identities(ListQuery(sort="last_seen_at"), scope)[0] == "CP-C"  # never: first


def test_an_unknown_filter_is_a_clear_error(
    network: dict[str, ChargePoint], scope: set[int]
) -> None:
    with pytest.raises(ListQueryError, match="no column 'vendor'"):
        live_list.load_page(ListQuery(filters={"vendor": "x"}), scope)


def test_other_organisations_are_never_listed(
    session: Session, network: dict[str, ChargePoint], scope: set[int]
) -> None:
    other = Organisation(name="Other CPO")
    session.add(other)
    session.flush()
    add_charge_point(session, other, "CP-OTHER")
    session.commit()
    assert "CP-OTHER" not in _identities(ListQuery(page_size=100), scope)
    assert live_list.load_rows([network["charging"].id], {other.id}) == []


def test_select_all_matching_spans_every_page(
    network: dict[str, ChargePoint], scope: set[int]
) -> None:
    query = ListQuery(filters={"faulted": False}, page_size=1)
    ids = live_list.matching_ids(query, scope)
    expected = [network[k].id for k in ("charging", "offline", "unregistered")]
    assert ids == expected


def test_which_pages_move_with_charger_traffic() -> None:
    assert not live_list.moves_with_traffic(ListQuery())
    assert not live_list.moves_with_traffic(ListQuery(filters={"station_id": 3}, search="x"))
    assert live_list.moves_with_traffic(ListQuery(filters={"status": "Faulted"}))
    assert live_list.moves_with_traffic(ListQuery(sort="last_seen_at"))


def test_running_sessions_list_prints_in_the_station_zone(
    session: Session, network: dict[str, ChargePoint], scope: set[int]
) -> None:
    found = listing.fetch_page(ACTIVE_SESSION_LIST, ListQuery(), scope)
    assert found.total == 1  # only the running one of three sessions
    row = display_row(found.rows[0], NOW)
    assert row["identity"] == "CP-A" and row["energy_wh"] == "7.40 kWh"
    assert row["power_w"] == "11.0 kW" and row["start_time"] == "13:00:00 CEST"  # Oslo
    add_session(session, network["faulted"], 1, start=NOW, energy_wh=0)
    session.commit()
    assert listing.fetch_page(ACTIVE_SESSION_LIST, ListQuery(search="cp-b"), scope).total == 1


def test_last_seen_is_on_the_stations_clock_else_the_operators(
    network: dict[str, ChargePoint], scope: set[int]
) -> None:
    """CP-A stands at an Oslo station; the unregistered CP-NEW has no station yet: it is on
    the operator's clock (Chicago here), not on UTC."""
    page = live_list.load_page(ListQuery(), scope, NOW, "America/Chicago")
    seen = {row.identity: row.last_seen for row in page.rows}

    assert seen["CP-A"].endswith("CEST")  # NOW is 1 June 2025: summer in Oslo
    assert seen["CP-NEW"].endswith("CDT")
