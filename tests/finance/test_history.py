"""Finance -> Charging history use cases on a real migrated database: the list's columns
(vehicle, payment method, status in words, money with its currency, station times), each
filter, search, sort, paging, the CSV export, the organisation scope, and one session's
detail (cost breakdown, tariff version, the review note, the thinned power / energy curve).

`seed_history` is shared with the API and browser tests of the history.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, update
from sqlmodel import col

from ccms_app.accounts.models import Organisation
from ccms_app.charging.models import ChargingSession, MeterSample
from ccms_app.core import db
from ccms_app.core.listing import ListQuery, ListQueryError
from ccms_app.drivers.models import Driver, IdTag, UserGroup, Vehicle
from ccms_app.finance.history import detail as history_detail
from ccms_app.finance.history.detail import HistoryNotFound, session_detail, thin
from ccms_app.finance.history.queries import (
    Period,
    export_history_csv,
    fetch_history,
    filter_choices,
    history_query,
    period,
)
from ccms_app.finance.history.rows import shown_row
from ccms_app.finance.models import SessionCost, Tariff, TariffVersion
from ccms_app.network.models import Station
from ccms_app.network.provisioning import register_charge_point

NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
DAY = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
SAMPLES = 1_200  # meter samples per measurand of the priced session: more than a chart shows


@dataclass(frozen=True)
class Seeded:
    operator_id: int
    partner_id: int
    north_station_id: int
    group_id: int
    alice_id: int
    priced: int  # CP-HIST-1, Alice's card, final, 7.14 EUR, with a breakdown and samples
    review: int  # CP-HIST-2, the group's card, held for review
    refused: int  # CP-HIST-1, an unknown tag, no cost
    running: int  # CP-HIST-1, Bob's card (two vehicles), cost so far, paid by card
    partner: int  # the sub-operator's charge point, unpriced


def _people(operator_id: int) -> tuple[int, int]:
    """Alice (one vehicle), Bob (two), the Fleet Co group; their cards."""
    with db.session_scope() as s:
        alice = Driver(organisation_id=operator_id, name="Alice Driver", email="a@example.com")
        bob = Driver(organisation_id=operator_id, name="Bob Twocars", email="b@example.com")
        group = UserGroup(organisation_id=operator_id, name="Fleet Co", account_name="Fleet")
        s.add_all([alice, bob, group])
        s.flush()
        s.add_all(
            [
                IdTag(organisation_id=operator_id, id_tag="CARD-ALICE", driver_id=alice.id),
                IdTag(organisation_id=operator_id, id_tag="CARD-BOB", driver_id=bob.id),
                IdTag(organisation_id=operator_id, id_tag="CARD-FLEET", group_id=group.id),
                Vehicle(organisation_id=operator_id, driver_id=alice.id, make="Kia", model="EV6"),
                Vehicle(organisation_id=operator_id, driver_id=bob.id, make="VW", model="ID.3"),
                Vehicle(organisation_id=operator_id, driver_id=bob.id, make="VW", model="ID.4"),
            ]
        )
        return int(group.id or 0), int(alice.id or 0)


def _session(
    organisation_id: int,
    charge_point_id: int,
    id_tag: str,
    start: datetime,
    *,
    status: str = "completed",
    minutes: int = 90,
    energy_wh: int = 12_345,
) -> int:
    with db.session_scope() as s:
        row = ChargingSession(
            organisation_id=organisation_id,
            charge_point_id=charge_point_id,
            connector_id=1,
            id_tag=id_tag,
            status=status,
            start_time=start,
            stop_time=None if status == "active" else start + timedelta(minutes=minutes),
            meter_start_wh=1_000,
            meter_stop_wh=None if status == "active" else 1_000 + energy_wh,
            energy_wh=energy_wh,
        )
        s.add(row)
        s.flush()
        return int(row.id or 0)


def _breakdown(start: datetime) -> str:
    end = start + timedelta(minutes=90)
    return json.dumps(
        {
            "lines": [
                {
                    "start": start.isoformat(),
                    "end": end.isoformat(),
                    "dimension": "ENERGY",
                    "fee": "energy",
                    "element_index": 0,
                    "quantity": "12.345",
                    "billed_quantity": "12.345",
                    "unit_price": "0.40",
                    "vat": "19",
                    "amount_excl_vat": "4.938",
                },
                {
                    "start": start.isoformat(),
                    "end": end.isoformat(),
                    "dimension": "TIME",
                    "fee": "service",
                    "element_index": 0,
                    "quantity": "1.5",
                    "billed_quantity": "1.5",
                    "unit_price": "0.70",
                    "vat": "19",
                    "amount_excl_vat": "1.05",
                },
            ],
            "charging_periods": [],
        }
    )


def _cost(session_id: int, organisation_id: int, state: str, incl: int, **extra: object) -> None:
    with db.session_scope() as s:
        s.add(
            SessionCost(
                session_id=session_id,
                organisation_id=organisation_id,
                state=state,
                currency="EUR",
                total_excl_minor=incl * 100 // 119,
                vat_minor=incl - incl * 100 // 119,
                total_incl_minor=incl,
                **extra,  # type: ignore[arg-type]
            )
        )


def _tariff(organisation_id: int) -> tuple[int, int]:
    with db.session_scope() as s:
        tariff = Tariff(organisation_id=organisation_id, name="Standard AC")
        s.add(tariff)
        s.flush()
        version = TariffVersion(
            tariff_id=tariff.id or 0, number=2, valid_from=DAY - timedelta(days=30), definition="{}"
        )
        s.add(version)
        s.flush()
        return int(tariff.id or 0), int(version.id or 0)


def _samples(session_id: int, charge_point_id: int, start: datetime) -> None:
    """SAMPLES power and energy samples, one every 4.5 s: 7.4 kW, the register rising."""
    rows = []
    for i in range(SAMPLES):
        at = start + timedelta(seconds=4.5 * i)
        common = {"charge_point_id": charge_point_id, "connector_id": 1, "session_id": session_id}
        rows.append(
            {**common, "timestamp": at, "measurand": "Power.Active.Import", "value": 7400.0}
        )
        rows.append(
            {
                **common,
                "timestamp": at,
                "measurand": "Energy.Active.Import.Register",
                "value": 1000.0 + 10.0 * i,
            }
        )
    with db.session_scope() as s:
        s.execute(insert(MeterSample), rows)


def seed_history(operator_id: int) -> Seeded:
    """The sessions every history test reads (see Seeded)."""
    with db.session_scope() as s:
        partner = Organisation(name="Partner CPO", parent_id=operator_id)
        s.add(partner)
        s.flush()
        partner_id = int(partner.id or 0)
    north = register_charge_point("CP-HIST-1", "Depot North", operator_id)
    south = register_charge_point("CP-HIST-2", "Depot South", operator_id)
    theirs = register_charge_point("CP-PARTNER-1", "Partner Yard", partner_id)
    with db.session_scope() as s:
        s.execute(
            update(Station)
            .where(col(Station.id) == north.station_id)
            .values(timezone="Europe/Berlin")
        )
    group_id, alice_id = _people(operator_id)
    tariff_id, version_id = _tariff(operator_id)
    priced = _session(operator_id, north.charge_point_id, "CARD-ALICE", DAY)
    _cost(
        priced,
        operator_id,
        "final",
        714,
        tariff_id=tariff_id,
        tariff_version_id=version_id,
        tariff_reason="assigned to station Depot North",
        breakdown=_breakdown(DAY),
        energy_excl_minor=494,
        time_excl_minor=105,
    )
    _samples(priced, north.charge_point_id, DAY)
    review = _session(operator_id, south.charge_point_id, "CARD-FLEET", DAY + timedelta(days=1))
    _cost(review, operator_id, "review", 25_000, note="Above the review threshold of 200.00 EUR")
    refused = _session(
        operator_id, north.charge_point_id, "UNKNOWN-1", DAY + timedelta(days=2), status="refused"
    )
    running = _session(
        operator_id, north.charge_point_id, "CARD-BOB", DAY + timedelta(days=3), status="active"
    )
    _cost(running, operator_id, "running", 150, payment_method="card")
    partner_session = _session(
        partner_id, theirs.charge_point_id, "CARD-ALICE", DAY + timedelta(days=4)
    )
    _cost(partner_session, partner_id, "unpriced", 0)
    return Seeded(
        operator_id,
        partner_id,
        north.station_id,
        group_id,
        alice_id,
        priced,
        review,
        refused,
        running,
        partner_session,
    )


@pytest.fixture
def seeded(organisation: Organisation) -> Seeded:
    return seed_history(organisation.id or 0)


def _scope(seeded: Seeded) -> list[int]:
    return [seeded.operator_id, seeded.partner_id]


def _ids(seeded: Seeded, within: Period | None = None, **filters: str) -> list[int]:
    query = history_query(filters, page_size=50)
    page = fetch_history(query, _scope(seeded), within or Period())
    return [row["id"] for row in page.rows]


def test_rows_show_vehicle_payment_status_money_and_station_time(seeded: Seeded) -> None:
    page = fetch_history(history_query({}), _scope(seeded), Period())
    assert page.total == 5
    assert [r["id"] for r in page.rows] == [  # newest first
        seeded.partner,
        seeded.running,
        seeded.refused,
        seeded.review,
        seeded.priced,
    ]
    rows = {r["id"]: shown_row(r, NOW) for r in page.rows}
    priced = rows[seeded.priced]
    assert priced["station"] == "Depot North" and priced["charge_point"] == "CP-HIST-1"
    assert (priced["driver"], priced["vehicle"], priced["group"]) == ("Alice Driver", "Kia EV6", "")
    assert priced["start_time"] == "2026-01-05 09:00 CET"  # Berlin, not UTC
    assert (priced["duration"], priced["energy"]) == ("1 h 30 min", "12.35")
    assert priced["amount"] == "€7.14"
    assert (priced["payment_method"], priced["status"]) == ("driver account", "completed · priced")
    assert rows[seeded.running]["vehicle"] == ""  # Bob has two cars: no guess
    assert rows[seeded.running]["payment_method"] == "card"
    assert rows[seeded.running]["status"] == "running · cost so far"
    assert rows[seeded.review]["payment_method"] == "group account"
    assert rows[seeded.review]["group"] == "Fleet Co"
    assert rows[seeded.review]["status"] == "completed · held for review"
    assert rows[seeded.refused]["payment_method"] == "—"
    assert rows[seeded.refused]["status"] == "refused · not priced"
    assert rows[seeded.refused]["amount"] == ""


def test_every_filter_search_and_sort(seeded: Seeded) -> None:
    s = seeded
    assert _ids(s, station_id=str(s.north_station_id)) == [s.running, s.refused, s.priced]
    assert _ids(s, charge_point="CP-HIST-2") == [s.review]
    assert _ids(s, id_tag="CARD-ALICE") == [s.partner, s.priced]
    assert _ids(s, driver=str(s.alice_id)) == [s.partner, s.priced]
    assert _ids(s, driver="twoca") == [s.running]  # part of a name, as typed on the page
    assert _ids(s, group_id=str(s.group_id)) == [s.review]
    assert _ids(s, status="refused") == [s.refused]
    assert _ids(s, cost_state="review") == [s.review]
    assert _ids(s, cost_state="none") == [s.refused]
    assert _ids(s, payment_method="group account") == [s.review]
    assert _ids(s, payment_method="driver account") == [s.partner, s.priced]
    assert _ids(s, payment_method="card") == [s.running]
    berlin_day = period("2026-01-05", "2026-01-06", "Europe/Berlin")
    assert _ids(s, berlin_day) == [s.review, s.priced]
    with pytest.raises(ListQueryError, match="From date is after"):
        period("2026-01-06", "2026-01-05", "UTC")
    with pytest.raises(ListQueryError, match="cost state"):
        _ids(s, cost_state="free")

    def searched(term: str) -> list[int]:
        query = history_query({}, search=term)
        return [r["id"] for r in fetch_history(query, _scope(s), Period()).rows]

    assert searched("south") == [s.review]  # station name
    assert searched("partner-1") == [s.partner]  # charge point identity
    assert searched("alice") == [s.partner, s.priced]  # driver name and card
    assert searched("fleet") == [s.review]  # group
    by_amount = history_query({}, sort="total_incl_minor", descending=True)
    top = fetch_history(by_amount, _scope(s), Period()).rows[0]
    assert top["id"] == s.review


def test_paging_and_scope(seeded: Seeded) -> None:
    second = fetch_history(
        ListQuery(page=2, page_size=2, descending=True), _scope(seeded), Period()
    )
    assert (second.total, second.pages, [r["id"] for r in second.rows]) == (
        5,
        3,
        [seeded.refused, seeded.review],
    )
    partner_only = fetch_history(history_query({}), [seeded.partner_id], Period())
    assert [r["id"] for r in partner_only.rows] == [seeded.partner]


def test_the_csv_export_has_the_filters_and_the_shown_values(seeded: Seeded) -> None:
    query = history_query({"station_id": str(seeded.north_station_id)})
    text = export_history_csv(query, _scope(seeded), Period(), NOW)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [int(r["Session"]) for r in rows] == [seeded.running, seeded.refused, seeded.priced]
    assert (rows[-1]["Amount incl. VAT"], rows[-1]["Currency"]) == ("7.14", "EUR")
    assert rows[-1]["Started (station time)"] == "2026-01-05 09:00 CET"


def test_filter_choices(seeded: Seeded) -> None:
    choices = filter_choices(_scope(seeded))
    assert [name for _, name in choices["station_id"]] == [
        "Depot North",
        "Depot South",
        "Partner Yard",
    ]
    assert choices["group_id"] == [(str(seeded.group_id), "Fleet Co")]
    assert ("card", "card") in choices["payment_method"]
    assert ("group account", "group account") in choices["payment_method"]


def test_detail_with_breakdown_tariff_and_curve(seeded: Seeded) -> None:
    detail = session_detail(_scope(seeded), seeded.priced)
    assert detail.facts["station"] == "Depot North"
    cost = detail.cost
    assert cost is not None
    assert (cost.total_excl, cost.vat, cost.total_incl) == ("€6.00", "€1.14", "€7.14")
    assert cost.tariff.startswith("Standard AC (version 2, valid from 2025-12-06")
    assert cost.tariff_reason == "assigned to station Depot North"
    energy, time_line = cost.lines
    assert (energy.dimension, energy.fee, energy.quantity) == ("Energy", "energy", "12.345 kWh")
    assert (energy.unit_price, energy.vat, energy.amount) == ("0.40 EUR/kWh", "19 %", "€4.94")
    assert energy.period == "2026-01-05 09:00 CET - 2026-01-05 10:30 CET"
    assert (time_line.dimension, time_line.quantity, time_line.amount) == (
        "Charging time",
        "1.5 h",
        "€1.05",
    )
    curve = detail.curve
    assert 0 < len(curve.power_kw) <= history_detail.MAX_POINTS
    assert 0 < len(curve.energy_kwh) <= history_detail.MAX_POINTS
    assert set(curve.power_kw) == {7.4}
    assert curve.energy_kwh[0] < curve.energy_kwh[-1] <= (SAMPLES - 1) * 10 / 1000
    assert curve.power_times == sorted(curve.power_times)


def test_detail_of_a_held_session_and_of_another_organisation(seeded: Seeded) -> None:
    held = session_detail(_scope(seeded), seeded.review)
    assert held.cost is not None and held.cost.state_label == "Held for review"
    assert held.cost.note == "Above the review threshold of 200.00 EUR"
    assert held.cost.lines == () and held.curve.empty
    assert session_detail(_scope(seeded), seeded.refused).cost is None
    with pytest.raises(HistoryNotFound):
        session_detail([seeded.partner_id], seeded.priced)
    with pytest.raises(HistoryNotFound):
        session_detail(_scope(seeded), 987_654)


def test_thin_keeps_the_shape_within_the_limit() -> None:
    points = [(DAY + timedelta(seconds=i), float(i)) for i in range(1001)]
    thinned = thin(points, 500)
    assert len(thinned) <= 500
    assert thinned[-1][0] == points[-1][0]
    assert thin(points[:10], 500) == points[:10]
