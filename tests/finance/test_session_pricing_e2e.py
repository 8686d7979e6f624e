"""A priced session end to end (issue 12's definition of done).

Real websocket client -> real OCPP server -> real ChargerEventService -> real SQLite: a tariff
with a peak/off-peak switch at 18:00 (station time, Europe/Berlin) and an idle fee; a session
that starts at 17:30, crosses the switch, then sits idle (SuspendedEV) for 20 minutes before
its StopTransaction. The cost stored in the stop's commit equals the engine's answer for the
same periods, and the receipt PDF shows the same total.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from ocpp.v16 import call
from pypdf import PdfReader
from sqlmodel import Session, select

from ccms_app.accounts.models import Organisation
from ccms_app.charging.models import ChargingSession
from ccms_app.core import db
from ccms_app.core.rows import stored_id
from ccms_app.finance import session_pricing
from ccms_app.finance.documents.pdf import render_pdf
from ccms_app.finance.documents.receipts import issue_receipt
from ccms_app.finance.live_costs import refresh_running_costs
from ccms_app.finance.models import AssignmentTarget, CostState, SessionCost, TariffVersion
from ccms_app.finance.rules.cost_json import cost_from_json
from ccms_app.finance.rules.tariff_engine import price_session
from ccms_app.finance.rules.tariff_types import PeriodKind, SessionTimeline, TimelinePeriod
from ccms_app.finance.tariff_assignments import assign
from ccms_app.finance.tariffs import create_tariff, load_definition
from ccms_app.network.models import ChargePoint, Station
from tests.fixtures.ocpp import connect_charge_point
from tests.ocpp_server.test_integration import add_tag

CP = "CP-PRICE-1"
ZONE = "Europe/Berlin"
# Monday 2 November 2026, 17:30 in Berlin (CET, UTC+1) = 16:30 UTC.
T0 = datetime(2026, 11, 2, 16, 30, tzinfo=UTC)
PEAK_AND_IDLE = {
    "currency": "EUR",
    "elements": [
        {
            "fee": "energy",
            "price_components": [{"type": "ENERGY", "price": "0.40", "vat": "19", "step_size": 1}],
            "restrictions": {"start_time": "18:00", "end_time": "22:00"},
        },
        {
            "fee": "energy",
            "price_components": [{"type": "ENERGY", "price": "0.30", "vat": "19", "step_size": 1}],
        },
        {
            "fee": "idle",
            "price_components": [
                {"type": "PARKING_TIME", "price": "6.00", "vat": "19", "step_size": 60}
            ],
        },
    ],
}


def iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def minutes(n: int) -> datetime:
    return T0 + timedelta(minutes=n)


@pytest.fixture
def priced_network(session: Session, organisation: Organisation) -> int:
    """A Berlin station with one charge point, a card, and the tariff as network default."""
    station = Station(name="Berlin Mitte", organisation_id=organisation.id, timezone=ZONE)
    session.add(station)
    session.flush()
    session.add(
        ChargePoint(
            identity=CP,
            organisation_id=organisation.id,
            station_id=station.id,
            registration_state="registered",
        )
    )
    session.commit()
    add_tag(session, organisation, "CARD-PRICE")
    org_id = organisation.id
    assert org_id is not None
    scope = frozenset({org_id})
    tariff = create_tariff(
        scope, org_id, "Peak and idle", PEAK_AND_IDLE, valid_from=datetime(2026, 1, 1, tzinfo=UTC)
    )
    assign(scope, tariff.id, AssignmentTarget.NETWORK, org_id, "test")
    return tariff.id


async def _status(cp: Any, status: str, at: datetime) -> None:
    await cp.call(
        call.StatusNotification(
            connector_id=1, error_code="NoError", status=status, timestamp=iso(at)
        )
    )


async def _meter(cp: Any, transaction_id: int, wh: int, watts: int, at: datetime) -> None:
    sampled = [
        {"value": str(wh), "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
        {"value": str(watts), "measurand": "Power.Active.Import", "unit": "W"},
    ]
    await cp.call(
        call.MeterValues(
            connector_id=1,
            transaction_id=transaction_id,
            meter_value=[{"timestamp": iso(at), "sampled_value": sampled}],
        )
    )


async def start_and_meter(cp: Any, identity: str) -> int:
    """A session on `identity` at T0 with its card (CP-X charges CARD-X) from 0 Wh, and
    10 kWh metered by minute 20; its transaction id."""
    started = await cp.call(
        call.StartTransaction(
            connector_id=1, id_tag=identity.replace("CP", "CARD"), meter_start=0, timestamp=iso(T0)
        )
    )
    await _meter(cp, started.transaction_id, 10000, 11000, minutes(20))
    return int(started.transaction_id)


async def _charge(ocpp_url: str) -> int:
    """17:30 start, 11 kWh across the 18:00 switch, idle from 18:30, stop at 18:50 (Berlin)."""
    async with connect_charge_point(ocpp_url, CP) as cp:
        await cp.call(call.BootNotification(charge_point_model="M", charge_point_vendor="V"))
        await _status(cp, "Preparing", minutes(-1))
        started = await cp.call(
            call.StartTransaction(
                connector_id=1, id_tag="CARD-PRICE", meter_start=1000, timestamp=iso(T0)
            )
        )
        tx = started.transaction_id
        await _status(cp, "Charging", T0)
        await _meter(cp, tx, 4000, 12000, minutes(15))
        await _meter(cp, tx, 7000, 12000, minutes(30))  # 18:00 in Berlin: the peak starts
        await _meter(cp, tx, 10000, 12000, minutes(45))
        await _meter(cp, tx, 12000, 8000, minutes(60))
        await _status(cp, "SuspendedEV", minutes(60))  # the car is full and stays
        await _meter(cp, tx, 12000, 0, minutes(70))
        await cp.call(
            call.StopTransaction(
                transaction_id=tx,
                meter_stop=12000,
                timestamp=iso(minutes(80)),
                reason="EVDisconnected",
            )
        )
        return tx


def _expected_timeline() -> SessionTimeline:
    """The same session written by hand: 6 kWh off-peak, 5 kWh peak, 20 idle minutes."""
    return SessionTimeline(
        periods=(
            TimelinePeriod(T0, PeriodKind.CHARGING, Decimal(3)),
            TimelinePeriod(minutes(15), PeriodKind.CHARGING, Decimal(3)),
            TimelinePeriod(minutes(30), PeriodKind.CHARGING, Decimal(3)),
            TimelinePeriod(minutes(45), PeriodKind.CHARGING, Decimal(2)),
            TimelinePeriod(minutes(60), PeriodKind.PARKING),
        ),
        end=minutes(80),
    )


async def test_a_session_across_the_peak_switch_then_idle_is_priced_at_its_stop(
    priced_network: int, ocpp_url: str
) -> None:
    tx = await _charge(ocpp_url)
    with db.read_session() as s:
        cost = s.get(SessionCost, tx)
        stopped = s.get(ChargingSession, tx)
        assert cost is not None and stopped is not None
        version = s.exec(select(TariffVersion)).one()
    assert stopped.energy_wh == 11000
    assert cost.state == CostState.FINAL, cost.note
    assert cost.tariff_id == priced_network
    assert "network default" in cost.tariff_reason
    # 6 kWh x 0.30 + 5 kWh x 0.40 + 20 min x 6.00/h = 1.80 + 2.00 + 2.00 = 5.80 excl. VAT;
    # 19 % VAT = 1.102 -> 1.10; 6.90 incl.
    assert (cost.energy_excl_minor, cost.parking_excl_minor) == (380, 200)
    assert (cost.total_excl_minor, cost.vat_minor, cost.total_incl_minor) == (580, 110, 690)
    engine = price_session(load_definition(version.definition, ZONE), _expected_timeline())
    assert engine.total.excl_vat_minor == cost.total_excl_minor
    assert engine.total.incl_vat_minor == cost.total_incl_minor
    breakdown = cost_from_json(json.loads(cost.breakdown))
    assert breakdown.total == engine.total
    assert {line.dimension.value for line in breakdown.lines} == {"ENERGY", "PARKING_TIME"}

    receipt = issue_receipt(tx)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(render_pdf(receipt))).pages)
    assert receipt.total_incl_minor == 690
    assert "6.90" in text
    assert receipt.number in text


async def test_a_running_session_shows_its_cost_so_far(priced_network: int, ocpp_url: str) -> None:
    async with connect_charge_point(ocpp_url, CP) as cp:
        await cp.call(call.BootNotification(charge_point_model="M", charge_point_vendor="V"))
        started = await cp.call(
            call.StartTransaction(
                connector_id=1, id_tag="CARD-PRICE", meter_start=0, timestamp=iso(T0)
            )
        )
        await _meter(cp, started.transaction_id, 10000, 11000, minutes(20))
    events = refresh_running_costs(now=minutes(20))
    assert [event.data["transaction_id"] for event in events] == [started.transaction_id]
    assert refresh_running_costs(now=minutes(20)) == []  # nothing new: nothing written
    with db.read_session() as s:
        cost = s.get(SessionCost, started.transaction_id)
    assert cost is not None and cost.state == CostState.RUNNING
    # 10 kWh off-peak at 0.30 = 3.00 excl., 3.57 incl.
    assert (cost.total_excl_minor, cost.total_incl_minor) == (300, 357)


ENERGY_ONLY = {**PEAK_AND_IDLE, "elements": PEAK_AND_IDLE["elements"][:2]}


async def test_an_energy_only_cost_is_priced_again_only_when_energy_arrives(
    session: Session, organisation: Organisation, ocpp_url: str, monkeypatch: Any
) -> None:
    """Live costs re-price a session whose tariff prices energy alone only after new meter
    values: 5,000 running sessions would otherwise have every sample read again every 30 s.
    A tariff with an idle fee is priced on every refresh (the clock alone raises it)."""
    reads: list[int] = []
    real_meter_points = session_pricing.meter_points
    monkeypatch.setattr(
        session_pricing,
        "meter_points",
        lambda s, cs: reads.append(stored_id(cs.id)) or real_meter_points(s, cs),
    )
    org_id = organisation.id
    assert org_id is not None
    for identity in ("CP-ENERGY", "CP-IDLE"):
        session.add(
            ChargePoint(identity=identity, organisation_id=org_id, registration_state="registered")
        )
    session.commit()
    charge_point_ids = {
        cp.identity: stored_id(cp.id) for cp in session.exec(select(ChargePoint)).all()
    }
    for card in ("CARD-ENERGY", "CARD-IDLE"):  # one card cannot charge twice at once
        add_tag(session, organisation, card)
    scope = frozenset({org_id})
    for identity, name, definition in (
        ("CP-ENERGY", "Energy", ENERGY_ONLY),
        ("CP-IDLE", "Idle fee", PEAK_AND_IDLE),
    ):
        tariff = create_tariff(
            scope, org_id, name, definition, valid_from=datetime(2026, 1, 1, tzinfo=UTC)
        )
        assign(scope, tariff.id, AssignmentTarget.CHARGE_POINT, charge_point_ids[identity], "t")
    transactions = {}
    chargers = {}
    async with (
        connect_charge_point(ocpp_url, "CP-ENERGY") as chargers["CP-ENERGY"],
        connect_charge_point(ocpp_url, "CP-IDLE") as chargers["CP-IDLE"],
    ):
        for identity, cp in chargers.items():
            transactions[identity] = await start_and_meter(cp, identity)
        energy_tx, idle_tx = transactions["CP-ENERGY"], transactions["CP-IDLE"]

        first = refresh_running_costs(now=minutes(20))
        assert sorted(e.data["transaction_id"] for e in first) == sorted([energy_tx, idle_tx])
        reads.clear()
        later = refresh_running_costs(now=minutes(40))
        assert reads == [idle_tx]  # the energy-only session's samples were not read again
        assert [e.data["transaction_id"] for e in later] == [idle_tx]  # the idle fee grew

        await _meter(chargers["CP-ENERGY"], energy_tx, 15000, 11000, minutes(45))
        reads.clear()
        after_energy = refresh_running_costs(now=minutes(45))
        assert energy_tx in reads
        assert energy_tx in [e.data["transaction_id"] for e in after_energy]
    with db.read_session() as s:
        stored = s.get(SessionCost, energy_tx)
        cs = s.get(ChargingSession, energy_tx)
        assert cs is not None and stored is not None
        charge_point = s.get(ChargePoint, cs.charge_point_id)
        assert charge_point is not None
        fresh = session_pricing.compute(s, cs, charge_point, minutes(45))
    # what the refresh stored is what pricing the whole session afresh gives
    assert fresh.cost is not None and stored.total_incl_minor == fresh.cost.total.incl_vat_minor
    assert stored.total_incl_minor > 357  # 10 kWh were 3.57; 15 kWh cost more
