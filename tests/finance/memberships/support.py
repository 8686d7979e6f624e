"""A small network for membership tests: an operator (EUR, Europe/Berlin) with a charge point,
a driver with a card, a fleet group with a fleet card, a sub-operator's driver elsewhere, two
tariffs; helpers to fill a wallet, save a card, make plans and priced sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from ccms_app.accounts.models import Organisation
from ccms_app.charging.models import ChargingSession
from ccms_app.core import db
from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now
from ccms_app.drivers.models import Driver, IdTag, UserGroup, UserGroupMember
from ccms_app.finance import tariffs
from ccms_app.finance.memberships import plans
from ccms_app.finance.models import BillingProfile, CostState, SessionCost
from ccms_app.finance.payments.models import PaymentAccount, PaymentMethod, SessionPayment
from ccms_app.finance.wallets.ledger import balance, credit_wallet
from ccms_app.finance.wallets.models import HolderKind, LedgerKind
from ccms_app.network.models import ChargePoint, Connector, Station

ACTOR = "ops@example.com"


@dataclass(frozen=True)
class Club:
    org: int
    scope: frozenset[int]
    other_org: int  # another operator: outside `scope`
    charge_point: int
    connector: int
    driver: int
    group: int
    stranger: int  # a driver of the other operator
    standard_tariff: int
    member_tariff: int


def energy(price: str) -> dict[str, Any]:
    component = {"type": "ENERGY", "price": Decimal(price), "vat": Decimal(19), "step_size": 1}
    return {"currency": "EUR", "elements": [{"price_components": [component]}]}


@pytest.fixture
def club(organisation: Organisation) -> Club:
    org = stored_id(organisation.id)
    with db.session_scope() as s:
        s.add(BillingProfile(organisation_id=org, currency="EUR", time_zone="Europe/Berlin"))
        other = Organisation(name="Elsewhere")
        station = Station(organisation_id=org, name="Depot", timezone="Europe/Berlin")
        s.add_all([other, station])
        s.flush()
        cp = ChargePoint(organisation_id=org, station_id=station.id, identity="CP-CLUB")
        driver = Driver(organisation_id=org, name="Ada Lovelace", email="ada@example.com")
        group = UserGroup(organisation_id=org, name="Fleet", account_name="Fleet GmbH")
        stranger = Driver(organisation_id=stored_id(other.id), name="Stranger")
        s.add_all([cp, driver, group, stranger])
        s.flush()
        connector = Connector(organisation_id=org, charge_point_id=stored_id(cp.id), connector_id=1)
        s.add_all(
            [
                connector,
                IdTag(organisation_id=org, id_tag="TAG-ADA", driver_id=driver.id),
                IdTag(organisation_id=org, id_tag="FLEET-1", group_id=group.id),
                UserGroupMember(group_id=stored_id(group.id), driver_id=stored_id(driver.id)),
            ]
        )
        s.flush()
        ids = (stored_id(cp.id), stored_id(connector.id), stored_id(driver.id))
        rest = (stored_id(group.id), stored_id(stranger.id), stored_id(other.id))
    scope = frozenset({org})
    hour_ago = utc_now() - timedelta(hours=1)
    standard = tariffs.create_tariff(scope, org, "Standard", energy("0.40"), valid_from=hour_ago)
    member = tariffs.create_tariff(scope, org, "Members", energy("0.25"), valid_from=hour_ago)
    return Club(
        org, scope, rest[2], ids[0], ids[1], ids[2], rest[0], rest[1], standard.id, member.id
    )


def plan(club: Club, name: str = "Gold", **form: str) -> plans.PlanView:
    values = {"name": name, "monthly_fee": "9.90", "fee_collection": "wallet"}
    values |= {"discount_percent": "10"} if not form else {}
    return plans.create_plan(club.scope, club.org, values | form, ACTOR)


def fill_wallet(club: Club, holder_kind: str, holder_id: int, minor: int, ref: str = "t1") -> None:
    with db.session_scope() as s:
        credit_wallet(
            s,
            organisation_id=club.org,
            holder_kind=holder_kind,
            holder_id=holder_id,
            currency="EUR",
            paid_minor=minor,
            bonus_minor=0,
            kind=LedgerKind.TOP_UP,
            reference=f"test-top-up:{holder_kind}:{holder_id}:{ref}",
        )


def wallet_minor(holder_kind: str, holder_id: int) -> int:
    with db.read_session() as s:
        return balance(s, holder_kind, holder_id, "EUR").total_minor


def save_card(club: Club, customer: str, holder_id: int, kind: str = HolderKind.DRIVER) -> None:
    """A holder paying by card with a saved card (what the card setup leaves)."""
    with db.session_scope() as s:
        s.add(
            PaymentAccount(
                organisation_id=club.org,
                holder_kind=kind,
                holder_id=holder_id,
                method=PaymentMethod.CARD,
                stripe_customer_id=customer,
                card_payment_method_id="pm_card_visa",
                card_label="visa •••• 4242, 12/2030",
            )
        )


def priced_session(
    club: Club,
    start: datetime,
    *,
    id_tag: str = "TAG-ADA",
    energy_wh: int = 10_000,
    totals: tuple[int, int, int] = (700, 133, 833),  # excl, VAT, incl
    energy_excl: int = 300,
) -> tuple[int, SessionCost]:
    """A stopped session and its final cost (detached), as the pricing leaves them."""
    with db.session_scope() as s:
        charging = ChargingSession(
            organisation_id=club.org,
            charge_point_id=club.charge_point,
            connector_id=1,
            id_tag=id_tag,
            status="completed",
            start_time=start,
            stop_time=start + timedelta(hours=1),
            meter_start_wh=0,
            meter_stop_wh=energy_wh,
            energy_wh=energy_wh,
        )
        s.add(charging)
        s.flush()
        excl, vat, incl = totals
        cost = SessionCost(
            session_id=stored_id(charging.id),
            organisation_id=club.org,
            state=CostState.FINAL,
            currency="EUR",
            total_excl_minor=excl,
            vat_minor=vat,
            total_incl_minor=incl,
            energy_excl_minor=energy_excl,
        )
        s.add(cost)
        s.flush()
        s.expunge(cost)
        return stored_id(charging.id), cost


def record_payment(
    club: Club, session_id: int, holder: tuple[str, int], membership_id: int | None, wh: int
) -> None:
    """What the settlement stores after taking a benefit (the included Wh it used)."""
    with db.session_scope() as s:
        s.add(
            SessionPayment(
                session_id=session_id,
                organisation_id=club.org,
                method=PaymentMethod.WALLET,
                holder_kind=holder[0],
                holder_id=holder[1],
                membership_id=membership_id,
                included_wh=wh,
            )
        )
