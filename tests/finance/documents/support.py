"""A small billed network: a seller with a billing profile (Europe/Berlin), a station, a
driver card, a group card and a driver's card charging on the group account, and a helper
that records a charged session with its SessionCost as the pricing would leave it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import Session

from ccms_app.accounts.models import Organisation
from ccms_app.charging.models import ChargingSession
from ccms_app.core import db
from ccms_app.core.rows import stored_id
from ccms_app.drivers.models import Driver, IdTag, UserGroup
from ccms_app.finance.models import BillingProfile, CostState, SessionCost
from ccms_app.finance.rules.cost_json import cost_to_json
from ccms_app.finance.rules.tariff_types import CostLine, Dimension, DimensionCost
from ccms_app.finance.rules.tariff_types import SessionCost as EngineCost
from ccms_app.network.models import ChargePoint, Station

SELLER = "Łódź Charging Sp. z o.o."
DRIVER = "Zoë Müller"
GROUP_ACCOUNT = "Müller Fleet GmbH"


@dataclass(frozen=True)
class World:
    organisation_id: int
    charge_point_id: int
    driver_id: int
    group_id: int


def energy_breakdown() -> dict[str, Any]:
    """10 kWh at 0.30 (two lines: a restriction split them), 0.5 h idle at 6.00/h and a
    start fee of 1.00, all at 19 % VAT: 7.00 excl., 1.33 VAT, 8.33 incl.; written by the
    engine's own cost_json, as the pricing stores it."""
    at = datetime(2026, 2, 10, 9, 0, tzinfo=UTC)

    def line(dimension: Dimension, fee: str, quantity: str, price: str) -> CostLine:
        amount = Decimal(quantity) * Decimal(price)
        q = Decimal(quantity)
        return CostLine(at, at, dimension, 0, fee, q, q, Decimal(price), Decimal(19), amount)

    def money(excl: int) -> DimensionCost:
        return DimensionCost(excl, excl * 119 // 100)

    cost = EngineCost(
        currency="EUR",
        total=DimensionCost(700, 833),
        energy=money(300),
        time=money(0),
        parking=money(300),
        fixed=money(100),
        vat_by_rate=((Decimal(19), 133),),
        total_energy_kwh=Decimal(10),
        total_time_hours=Decimal(1),
        total_parking_hours=Decimal("0.5"),
        lines=(
            line(Dimension.FLAT, "start", "1", "1.00"),
            line(Dimension.ENERGY, "energy", "6", "0.30"),
            line(Dimension.ENERGY, "energy", "4", "0.30"),
            line(Dimension.PARKING_TIME, "idle", "0.5", "6.00"),
        ),
    )
    return cost_to_json(cost)


@pytest.fixture
def world(engine, organisation: Organisation) -> World:
    org_id = stored_id(organisation.id)
    with db.session_scope() as s:
        organisation_row = s.get(Organisation, org_id)
        assert organisation_row is not None
        organisation_row.name = "Operator Ltd"
        s.add(
            BillingProfile(
                organisation_id=org_id,
                currency="EUR",
                vat_percent="19",
                time_zone="Europe/Berlin",
                seller_name=SELLER,
                seller_address="ul. Piotrkowska 1\n90-001 Łódź",
                seller_vat_id="PL1234567890",
                seller_email="billing@lodz.example",
            )
        )
        station = Station(organisation_id=org_id, name="Müller Platz", timezone="Europe/Berlin")
        s.add(station)
        s.flush()
        cp = ChargePoint(organisation_id=org_id, station_id=station.id, identity="CP-1")
        driver = Driver(organisation_id=org_id, name=DRIVER, email="zoe@example.com")
        jan = Driver(organisation_id=org_id, name="Jan Kowalski", email="jan@example.com")
        group = UserGroup(
            organisation_id=org_id,
            name="Fleet",
            account_name=GROUP_ACCOUNT,
            billing_email="fleet@example.com",
        )
        s.add_all([cp, driver, jan, group])
        s.flush()
        s.add_all(
            [
                IdTag(organisation_id=org_id, id_tag="CARD-ZOE", driver_id=driver.id),
                IdTag(organisation_id=org_id, id_tag="CARD-FLEET", group_id=group.id),
                IdTag(
                    organisation_id=org_id,
                    id_tag="CARD-JAN-FLEET",
                    driver_id=jan.id,
                    group_id=group.id,
                ),
                IdTag(organisation_id=org_id, id_tag="CARD-NOBODY"),
            ]
        )
        return World(org_id, stored_id(cp.id), stored_id(driver.id), stored_id(group.id))


def charge(
    world: World,
    id_tag: str,
    stop: datetime,
    *,
    state: str = CostState.FINAL,
    energy_wh: int = 10_000,
    totals: tuple[int, int, int] = (700, 133, 833),
    breakdown: dict[str, Any] | None = None,
    note: str = "",
) -> int:
    """A stopped session of `id_tag` and its cost; the session's id."""
    with db.session_scope() as s:
        charging = ChargingSession(
            organisation_id=world.organisation_id,
            charge_point_id=world.charge_point_id,
            connector_id=1,
            id_tag=id_tag,
            status="completed",
            start_time=stop - timedelta(hours=1),
            stop_time=stop,
            meter_start_wh=0,
            meter_stop_wh=energy_wh,
            energy_wh=energy_wh,
        )
        s.add(charging)
        s.flush()
        excl, vat, incl = totals
        s.add(
            SessionCost(
                session_id=stored_id(charging.id),
                organisation_id=world.organisation_id,
                state=state,
                currency="EUR",
                total_excl_minor=excl,
                total_incl_minor=incl,
                vat_minor=vat,
                note=note,
                breakdown=json.dumps(breakdown if breakdown is not None else energy_breakdown()),
            )
        )
        return stored_id(charging.id)


def cost_of(session: Session, session_id: int) -> SessionCost:
    session.rollback()
    cost = session.get(SessionCost, session_id)
    assert cost is not None
    session.refresh(cost)
    return cost
