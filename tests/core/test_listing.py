"""The shared list query on a real database: search, filter, sort, pages, scope, CSV."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select
from sqlmodel import Session

from ccms_app.accounts.models import Organisation
from ccms_app.core.listing import (
    ListColumn,
    ListQuery,
    ListQueryError,
    ListSpec,
    export_csv,
    fetch_page,
)
from ccms_app.network.models import ChargePoint, Station

SPEC = ListSpec(
    name="charge points",
    base=lambda: select(ChargePoint).outerjoin(Station, Station.id == ChargePoint.station_id),
    columns=(
        ListColumn("identity", "Identity", ChargePoint.identity, searchable=True),
        ListColumn("station", "Station", Station.name, searchable=True),
        ListColumn("vendor", "Vendor", ChargePoint.vendor, filterable=True),
        ListColumn("max_power_w", "Max power (W)", ChargePoint.max_power_w),
    ),
    organisation_column=ChargePoint.organisation_id,
    id_column=ChargePoint.id,
    default_sort="identity",
)


@pytest.fixture
def network(session: Session, organisation: Organisation) -> tuple[int, int]:
    partner = Organisation(name="Partner", parent_id=organisation.id)
    session.add(partner)
    session.flush()
    depot = Station(organisation_id=organisation.id, name="Depot, North")
    session.add(depot)
    session.flush()
    for i in range(30):
        session.add(
            ChargePoint(
                identity=f"CP-{i:03d}",
                organisation_id=organisation.id if i < 25 else partner.id,
                station_id=depot.id if i % 2 == 0 else None,
                vendor="ABB" if i % 3 == 0 else "Alfen",
                max_power_w=1000 * i,
            )
        )
    session.add(ChargePoint(identity="WEIRD_100%", organisation_id=organisation.id))
    session.commit()
    return organisation.id, partner.id


def test_pages_cover_every_row_once_in_order(network) -> None:
    operator, partner = network
    seen = []
    for page in (1, 2, 3, 4):
        result = fetch_page(SPEC, ListQuery(page=page, page_size=10), {operator, partner})
        seen += [r["identity"] for r in result.rows]
    assert result.total == 31 and result.pages == 4
    assert seen == sorted(seen) and len(set(seen)) == 31


def test_page_past_the_end_shows_the_last_page(network) -> None:
    result = fetch_page(SPEC, ListQuery(page=99, page_size=10), set(network))
    assert result.page == 4 and len(result.rows) == 1


def test_search_filter_sort_and_scope(network) -> None:
    operator, partner = network
    north = fetch_page(SPEC, ListQuery(search="north", page_size=100), {operator})
    assert {r["station"] for r in north.rows} == {"Depot, North"} and north.total == 13
    abb = fetch_page(
        SPEC, ListQuery(filters={"vendor": "ABB"}, sort="max_power_w", descending=True), {partner}
    )
    assert [r["identity"] for r in abb.rows] == ["CP-027"]
    # LIKE wildcards in the search are taken literally.
    weird = fetch_page(SPEC, ListQuery(search="_100%"), {operator})
    assert [r["identity"] for r in weird.rows] == ["WEIRD_100%"]


def test_unknown_filter_or_sort_is_a_clear_error(network) -> None:
    with pytest.raises(ListQueryError, match="cannot be filtered by Identity"):
        fetch_page(SPEC, ListQuery(filters={"identity": "x"}), None)
    with pytest.raises(ListQueryError, match="no column 'colour'"):
        fetch_page(SPEC, ListQuery(sort="colour"), None)


def test_csv_export_has_every_matching_row_with_quoting(network) -> None:
    operator, _ = network
    text = export_csv(SPEC, ListQuery(search="north"), {operator})
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Identity", "Station", "Vendor", "Max power (W)"]
    assert len(rows) == 14 and rows[1][1] == "Depot, North"
