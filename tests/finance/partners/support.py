"""A small partner network: the operator (billing zone Europe/Berlin, EUR) with two partners
(sub-operators). Partner Süd has two stations (Marktplatz: CP-SUED-1, Bahnhof: CP-SUED-2),
partner Nord one (Hafen: CP-NORD-1). An employee (Zoë) of the operator with her cards, and
helpers that record a charged session with its SessionCost as pricing leaves it, and an
agreement through the use case."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from ccms_app.accounts.models import Organisation
from ccms_app.charging.models import ChargingSession
from ccms_app.core import db
from ccms_app.core.rows import stored_id
from ccms_app.drivers.models import Driver, IdTag
from ccms_app.finance.models import BillingProfile, CostState, SessionCost
from ccms_app.finance.partners.agreements import AgreementInput, create_agreement
from ccms_app.finance.partners.models import RevenueShareAgreement
from ccms_app.network.models import ChargePoint, Station

ZONE = "Europe/Berlin"
OPERATOR = "Netz Betreiber GmbH"
SUED = "Stadtwerke Süd"
NORD = "Nord Laden AG"
EMPLOYEE = "Zoë Müller"


@dataclass(frozen=True)
class Network:
    operator_id: int
    sued_id: int
    nord_id: int
    marktplatz_id: int  # Süd's station
    bahnhof_id: int  # Süd's station
    hafen_id: int  # Nord's station
    cp_markt: int
    cp_bahnhof: int
    cp_hafen: int
    cp_home: int  # the operator's charge point at Zoë's home
    employee_id: int
    colleague_id: int

    @property
    def scope(self) -> frozenset[int]:
        return frozenset({self.operator_id, self.sued_id, self.nord_id})


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


@pytest.fixture
def network(engine, organisation: Organisation) -> Network:
    operator_id = stored_id(organisation.id)
    with db.session_scope() as s:
        operator = s.get(Organisation, operator_id)
        assert operator is not None
        operator.name = OPERATOR
        sued = Organisation(name=SUED, parent_id=operator_id)
        nord = Organisation(name=NORD, parent_id=operator_id)
        s.add_all([sued, nord])
        s.flush()
        s.add(
            BillingProfile(
                organisation_id=operator_id,
                currency="EUR",
                vat_percent="19",
                time_zone=ZONE,
                seller_name=OPERATOR,
                seller_address="Hauptstraße 1, 10115 Berlin",
                seller_email="abrechnung@netz.example",
            )
        )
        stations = [
            Station(organisation_id=stored_id(sued.id), name="Marktplatz", timezone=ZONE),
            Station(organisation_id=stored_id(sued.id), name="Bahnhof", timezone=ZONE),
            Station(organisation_id=stored_id(nord.id), name="Hafen", timezone=ZONE),
        ]
        s.add_all(stations)
        s.flush()
        points = [
            ChargePoint(organisation_id=sued.id, station_id=stations[0].id, identity="CP-SUED-1"),
            ChargePoint(organisation_id=sued.id, station_id=stations[1].id, identity="CP-SUED-2"),
            ChargePoint(organisation_id=nord.id, station_id=stations[2].id, identity="CP-NORD-1"),
            ChargePoint(organisation_id=operator_id, identity="CP-HOME-ZOE"),
        ]
        employee = Driver(organisation_id=operator_id, name=EMPLOYEE, email="zoe@netz.example")
        colleague = Driver(organisation_id=operator_id, name="Jan Kowalski", email="jan@x.example")
        s.add_all([*points, employee, colleague])
        s.flush()
        s.add_all(
            [
                IdTag(organisation_id=operator_id, id_tag="ZOE-CARD", driver_id=employee.id),
                IdTag(organisation_id=operator_id, id_tag="ZOE-FLEET", driver_id=employee.id),
                IdTag(organisation_id=operator_id, id_tag="JAN-CARD", driver_id=colleague.id),
                IdTag(organisation_id=operator_id, id_tag="GUEST-CARD"),
            ]
        )
        return Network(
            operator_id,
            stored_id(sued.id),
            stored_id(nord.id),
            *(stored_id(st.id) for st in stations),
            *(stored_id(cp.id) for cp in points),
            stored_id(employee.id),
            stored_id(colleague.id),
        )


def charge(
    organisation_id: int,
    charge_point_id: int,
    stop: datetime,
    totals: tuple[int, int, int] = (0, 0, 0),
    energy_wh: int = 10_000,
    *,
    id_tag: str = "CARD-1",
    state: str | None = CostState.FINAL,
    currency: str = "EUR",
) -> int:
    """A session that stopped at `stop` and its cost (excl., VAT, incl.; None: no cost row)."""
    with db.session_scope() as s:
        charging = ChargingSession(
            organisation_id=organisation_id,
            charge_point_id=charge_point_id,
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
        if state is not None:
            excl, vat, incl = totals
            s.add(
                SessionCost(
                    session_id=stored_id(charging.id),
                    organisation_id=organisation_id,
                    state=state,
                    currency=currency,
                    total_excl_minor=excl,
                    total_incl_minor=incl,
                    vat_minor=vat,
                    breakdown=json.dumps({}),
                )
            )
        return stored_id(charging.id)


def agree(
    network: Network,
    name: str,
    percent: str,
    fee: str,
    platform: str,
    valid_from: datetime,
    valid_until: datetime | None = None,
    *,
    partner_id: int | None = None,
    station_id: int | None = None,
    currency: str = "EUR",
) -> RevenueShareAgreement:
    data = AgreementInput(
        partner_organisation_id=partner_id or network.sued_id,
        station_id=station_id,
        name=name,
        operator_percent=percent,
        fee_per_session=fee,
        platform_fee=platform,
        currency=currency,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    return create_agreement(network.operator_id, network.scope, data, "ops@netz.example")


# The hand-computed month (March 2026, Europe/Berlin: 743 hours, DST from 29 March):
# Standard (partner-wide, 10 %, 0.50 per session, 20.00 a month) covers Marktplatz:
#   s1 10.00 / 1.90 / 11.90, 10 kWh; s2 3.35 / 0.64 / 3.99, 3.35 kWh
#   -> income 13.35, commission exactly 1.335
# Bahnhof deal (Bahnhof only, 12.5 %, 0.25 per session, 5.00 a month):
#   s3 20.01 / 3.80 / 23.81, 20.01 kWh; s4 10.03 / 1.91 / 11.94, 9.99 kWh
#   -> income 30.04, commission exactly 3.755
# Commission 1.335 + 3.755 = 5.09 (rounded once: 5.09; per agreement it would be 1.34 +
# 3.76 = 5.10), shared 1.34 / 3.75 by largest remainder (a tie: the first agreement).
# Session fees 1.00 / 0.50; platform fees 20.00 / 5.00.
# Due: 13.35 - 1.34 - 1.00 - 20.00 = -8.99 (Süd owes on Standard); 30.04 - 3.75 - 0.50 -
# 5.00 = 20.79; total 11.80.
MARCH = "2026-03"
MARCH_START = utc(2026, 2, 28, 23)  # 1 March 00:00 CET
MARCH_END = utc(2026, 3, 31, 22)  # 1 April 00:00 CEST
