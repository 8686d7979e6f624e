"""How a session is paid: the rules, and the network the end-to-end payment tests share.

The network (`pay_network`): an operator with a EUR billing profile, a registered charge
point, an energy tariff of 0.30 EUR/kWh + 19 % VAT (0.357 EUR/kWh incl.) as network default,
a card hold of 10.00 EUR and a wallet minimum of 5.00 EUR. `payments` runs the real payment
worker on the test's event bus with the real OCPP server as command port. Drivers are added
per test with `add_driver` and pay as `save_card` / `top_up` / `set_method` make them.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from ocpp.v16 import call
from sqlmodel import select

from ccms_app.accounts.models import Organisation
from ccms_app.charging.models import ChargingSession
from ccms_app.control.commands import set_command_port
from ccms_app.core import db
from ccms_app.core.events import EventBus
from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now
from ccms_app.drivers.models import Driver, IdTag
from ccms_app.finance.memberships.models import Membership, MembershipPlan
from ccms_app.finance.models import AssignmentTarget, BillingProfile, SessionCost
from ccms_app.finance.payments.jobs import PaymentWorker, payment_worker_running
from ccms_app.finance.payments.models import (
    Payment,
    PaymentSettings,
    SessionPayment,
)
from ccms_app.finance.payments.payment_accounts import save_card as store_card
from ccms_app.finance.payments.payment_accounts import set_method, start_card_setup
from ccms_app.finance.payments.session_settlement import (
    WAITING,
    settle_ended,
    settle_ended_sessions,
)
from ccms_app.finance.rules.session_payment import (
    CardPlan,
    amount_due,
    capped_discount,
    card_plan,
    decline_reason,
    is_decline,
    payer_refusal,
    wallet_exhausted,
)
from ccms_app.finance.session_pricing import release
from ccms_app.finance.tariff_assignments import assign
from ccms_app.finance.tariffs import create_tariff
from ccms_app.finance.wallets.ledger import balance, credit_wallet
from ccms_app.finance.wallets.models import LedgerKind, RedemptionState, Voucher, VoucherRedemption
from ccms_app.network.models import ChargePoint, Station
from ocpp_server.server import OcppServer
from tests.fixtures.fake_stripe import FakeStripe
from tests.fixtures.ocpp import connect_charge_point

CP = "CP-PAY-1"
HOLD = 1000
MINIMUM = 500
ENERGY_TARIFF = {
    "currency": "EUR",
    "elements": [
        {
            "fee": "energy",
            "price_components": [{"type": "ENERGY", "price": "0.30", "vat": "19", "step_size": 1}],
        }
    ],
}


def iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def incl_cost(wh: int) -> int:
    """The tariff's price incl. VAT of `wh`, rounded as the engine rounds (half-up)."""
    excl = (wh * 30 + 500) // 1000  # 0.30 per kWh in cents
    vat = (excl * 19 + 50) // 100
    return excl + vat


@dataclass(frozen=True)
class PayNetwork:
    organisation_id: int
    charge_point_id: int

    @property
    def scope(self) -> frozenset[int]:
        return frozenset({self.organisation_id})


@pytest.fixture
def pay_network(engine: Any, organisation: Organisation) -> PayNetwork:
    org_id = stored_id(organisation.id)
    with db.session_scope() as s:
        s.add(BillingProfile(organisation_id=org_id, currency="EUR", time_zone="UTC"))
        s.add(
            PaymentSettings(
                organisation_id=org_id, card_hold_minor=HOLD, wallet_minimum_minor=MINIMUM
            )
        )
        station = Station(name="Pay Street", organisation_id=org_id, timezone="UTC")
        s.add(station)
        s.flush()
        cp = ChargePoint(
            identity=CP,
            organisation_id=org_id,
            station_id=station.id,
            registration_state="registered",
        )
        s.add(cp)
        s.flush()
        cp_id = stored_id(cp.id)
    scope = frozenset({org_id})
    tariff = create_tariff(
        scope, org_id, "Energy", ENERGY_TARIFF, valid_from=datetime(2020, 1, 1, tzinfo=UTC)
    )
    assign(scope, tariff.id, AssignmentTarget.NETWORK, org_id, "test")
    return PayNetwork(org_id, cp_id)


def add_driver(network: PayNetwork, id_tag: str, name: str = "Driver") -> int:
    with db.session_scope() as s:
        driver = Driver(organisation_id=network.organisation_id, name=name, email="d@example.com")
        s.add(driver)
        s.flush()
        s.add(IdTag(organisation_id=network.organisation_id, id_tag=id_tag, driver_id=driver.id))
        return stored_id(driver.id)


def save_card(
    network: PayNetwork, fake: FakeStripe, driver_id: int, card: str = "pm_card_visa"
) -> None:
    """A card saved as a driver saves it (SetupIntent, confirmed in Stripe.js), then chosen."""
    setup_id, _secret = start_card_setup(network.scope, "driver", driver_id, "ops@example.com")
    intent = fake.confirm_setup_intent(setup_id, card)
    with db.session_scope() as s:
        store_card(
            s,
            setup_intent_id=setup_id,
            customer_id=intent["customer"],
            payment_method_id=card,
            label=card,
        )
    set_method(network.scope, "driver", driver_id, "card", "ops@example.com")


def top_up(network: PayNetwork, driver_id: int, amount: int, reference: str) -> None:
    with db.session_scope() as s:
        credit_wallet(
            s,
            organisation_id=network.organisation_id,
            holder_kind="driver",
            holder_id=driver_id,
            currency="EUR",
            paid_minor=amount,
            bonus_minor=0,
            kind=LedgerKind.TOP_UP,
            reference=reference,
        )


def wallet_total(driver_id: int) -> int:
    with db.read_session() as s:
        return balance(s, "driver", driver_id, "EUR").total_minor


def payment_of(session_id: int) -> SessionPayment:
    with db.read_session() as s:
        row = s.get(SessionPayment, session_id)
    assert row is not None
    return row


def cost_of(session_id: int) -> SessionCost:
    with db.read_session() as s:
        row = s.get(SessionCost, session_id)
    assert row is not None
    return row


def payments_of(session_id: int) -> dict[str, Payment]:
    with db.read_session() as s:
        rows = s.exec(select(Payment).where(Payment.session_id == session_id)).all()
    return {row.kind: row for row in rows}


@pytest.fixture
async def payments(event_bus: EventBus, ocpp_server: OcppServer) -> AsyncIterator[PaymentWorker]:
    """The payment worker on this test's bus, sending commands through the real server."""
    set_command_port(ocpp_server)
    try:
        async with payment_worker_running(event_bus) as worker:
            yield worker
    finally:
        set_command_port(None)


async def boot(cp: Any) -> None:
    await cp.call(call.BootNotification(charge_point_model="M", charge_point_vendor="V"))


async def start(cp: Any, id_tag: str, meter_start: int, at: datetime) -> Any:
    return await cp.call(
        call.StartTransaction(
            connector_id=1, id_tag=id_tag, meter_start=meter_start, timestamp=iso(at)
        )
    )


async def meter(cp: Any, transaction_id: int, wh: int, at: datetime) -> None:
    sampled = [{"value": str(wh), "measurand": "Energy.Active.Import.Register", "unit": "Wh"}]
    await cp.call(
        call.MeterValues(
            connector_id=1,
            transaction_id=transaction_id,
            meter_value=[{"timestamp": iso(at), "sampled_value": sampled}],
        )
    )


async def stop(cp: Any, transaction_id: int, wh: int, at: datetime, **kw: Any) -> Any:
    return await cp.call(
        call.StopTransaction(transaction_id=transaction_id, meter_stop=wh, timestamp=iso(at), **kw)
    )


def an_hour_ago() -> datetime:
    return utc_now() - timedelta(hours=1)


def stripe_keys(fake: FakeStripe, path: str) -> list[str]:
    """The Idempotency-Key of every POST to `path...` the fake received, in order."""
    return [r["headers"].get("idempotency-key", "") for r in fake.calls("POST", path)]


def snapshot(*session_ids: int, without: tuple[str, ...] = ()) -> str:
    """Every payment row of these sessions (less the fields `without`), for 'nothing
    changed' assertions."""
    rows: list[Any] = []
    with db.read_session() as s:
        for session_id in session_ids:
            rows.append(s.get(SessionPayment, session_id))
            rows += s.exec(
                select(Payment).where(Payment.session_id == session_id).order_by(Payment.id)
            ).all()
    dumped = [row.model_dump(mode="json", exclude=set(without)) for row in rows if row]
    return json.dumps(dumped, sort_keys=True)


# --- the rules --------------------------------------------------------------------------


def test_who_may_start_charging() -> None:
    def refusal(method: str, wallet: int | None = None, card: bool = True) -> str | None:
        return payer_refusal(
            method=method,
            wallet_total_minor=wallet,
            wallet_minimum_minor=500,
            has_saved_card=card,
            cards_configured=True,
        )

    assert refusal("wallet", 499) == "wallet balance 499 is below the minimum 500"
    assert refusal("wallet", 500) is None
    assert refusal("wallet", None) is not None  # no wallet yet: 0
    assert refusal("card", card=False) == "no saved card"
    assert refusal("card") is None
    assert refusal("invoice") is None and refusal("free") is None
    not_configured = payer_refusal(
        method="card",
        wallet_total_minor=None,
        wallet_minimum_minor=500,
        has_saved_card=True,
        cards_configured=False,
    )
    assert not_configured == "card payments are not configured"


def test_card_plan_capture_excess_release() -> None:
    assert card_plan(700, 1000) == CardPlan(700, 0, False)
    assert card_plan(1000, 1000) == CardPlan(1000, 0, False)
    assert card_plan(1428, 1000) == CardPlan(1000, 428, False)
    assert card_plan(0, 1000) == CardPlan(0, 0, True)
    assert card_plan(300, None) == CardPlan(0, 300, False)  # no hold: all off-session
    assert card_plan(0, None) == CardPlan(0, 0, False)


def test_amount_due_and_discounts() -> None:
    assert amount_due(1000, 150) == 850
    assert amount_due(100, 150) == 0
    assert capped_discount(1000, 200, 900) == 1000
    assert capped_discount(1000, 100, 50) == 150
    assert capped_discount(0, 100) == 0


def test_declines_and_wallet_exhaustion() -> None:
    assert is_decline("card_declined", "insufficient_funds")
    assert is_decline("expired_card", "")
    assert not is_decline("", "")  # Stripe not reached: retried
    assert not is_decline("rate_limit", "")
    assert decline_reason("card_declined", "insufficient_funds") == (
        "card declined: insufficient_funds"
    )
    assert not wallet_exhausted(600, [300, 299])
    assert wallet_exhausted(600, [300, 300])
    assert wallet_exhausted(0, [])


# --- settlement of wallet sessions (real OCPP start and stop) ------------------------------


async def _charge(ocpp_url: str, id_tag: str, meter_start: int, meter_stop: int) -> int:
    t0 = an_hour_ago()
    async with connect_charge_point(ocpp_url, CP) as cp:
        await boot(cp)
        tx = (await start(cp, id_tag, meter_start, t0)).transaction_id
        await stop(cp, tx, meter_stop, t0 + timedelta(minutes=30))
    return int(tx)


def _wallet_driver(network: PayNetwork, id_tag: str, credit: int) -> int:
    driver = add_driver(network, id_tag)
    set_method(network.scope, "driver", driver, "wallet", "ops@example.com")
    top_up(network, driver, credit, f"top_up:{id_tag}")
    return driver


async def test_a_wallet_session_pays_its_cost_less_member_and_voucher_discounts(
    pay_network: PayNetwork, ocpp_url: str
) -> None:
    driver = _wallet_driver(pay_network, "WALLET-MEMBER", 2000)
    now = utc_now()
    with db.session_scope() as s:
        plan = MembershipPlan(
            organisation_id=pay_network.organisation_id, name="Gold", discount_percent="10"
        )
        voucher = Voucher(
            organisation_id=pay_network.organisation_id, code="HALF", kind="percent", percent="50"
        )
        s.add_all([plan, voucher])
        s.flush()
        s.add(
            Membership(
                organisation_id=pay_network.organisation_id,
                plan_id=stored_id(plan.id),
                holder_kind="driver",
                holder_id=driver,
                started_at=now - timedelta(days=3),
                current_period_start=now - timedelta(days=3),
                current_period_end=now + timedelta(days=27),
            )
        )
        s.add(
            VoucherRedemption(
                organisation_id=pay_network.organisation_id,
                voucher_id=stored_id(voucher.id),
                holder_kind="driver",
                holder_id=driver,
                state=RedemptionState.PENDING,
            )
        )

    tx = await _charge(ocpp_url, "WALLET-MEMBER", 0, 10_000)  # 3.57 EUR

    paid = payment_of(tx)
    # 10 % of 3.57 (0.36), then 50 % of the 3.21 left (1.605, half-up 1.61).
    assert (paid.state, paid.discount_minor) == ("settled", 36 + 161)
    assert paid.charged_minor == 357 - 197 == 160
    assert paid.membership_id is not None and "membership Gold" in paid.note
    assert wallet_total(driver) == 2000 - 160
    with db.read_session() as s:
        redemption = s.exec(select(VoucherRedemption)).one()
    assert (redemption.state, redemption.session_id, redemption.amount_minor) == (
        RedemptionState.USED,
        tx,
        161,
    )
    # Settling again takes nothing more: not the voucher, not the wallet.
    assert settle_ended_sessions() == 0
    with db.session_scope() as s:
        row, cs = s.get(SessionPayment, tx), s.get(ChargingSession, tx)
        assert row is not None and cs is not None
        settle_ended(s, row, cs, s.get(SessionCost, tx), utc_now())
    assert wallet_total(driver) == 2000 - 160
    assert payment_of(tx).discount_minor == 197


async def test_a_cost_held_for_review_is_charged_once_released(
    pay_network: PayNetwork, ocpp_url: str
) -> None:
    driver = _wallet_driver(pay_network, "WALLET-ODD", 2000)
    tx = await _charge(ocpp_url, "WALLET-ODD", 5_000, 4_000)  # meterStop below meterStart

    assert cost_of(tx).state == "review"
    paid = payment_of(tx)
    assert (paid.state, paid.note, paid.charged_minor) == ("open", WAITING, 0)
    assert settle_ended_sessions() == 0  # still held: nothing to settle
    assert cost_of(tx).payment_method == "wallet"

    release(pay_network.scope, tx, "ops@example.com")
    assert settle_ended_sessions() == 1
    assert payment_of(tx).state == "settled"
    assert wallet_total(driver) == 2000 - cost_of(tx).total_incl_minor


async def test_a_failed_wallet_charge_is_kept_and_retried(
    pay_network: PayNetwork, ocpp_url: str
) -> None:
    driver = _wallet_driver(pay_network, "WALLET-PLN", 2000)
    t0 = an_hour_ago()
    async with connect_charge_point(ocpp_url, CP) as cp:
        await boot(cp)
        tx = (await start(cp, "WALLET-PLN", 0, t0)).transaction_id
        with db.session_scope() as s:  # the operator switches the billing currency meanwhile
            profile = s.get(BillingProfile, pay_network.organisation_id)
            assert profile is not None
            profile.currency = "PLN"
        await stop(cp, tx, 10_000, t0 + timedelta(minutes=30))

    paid = payment_of(tx)
    assert paid.state == "failed" and "the session costs EUR, the wallet is in PLN" in paid.note
    with db.session_scope() as s:
        profile = s.get(BillingProfile, pay_network.organisation_id)
        assert profile is not None
        profile.currency = "EUR"
    assert settle_ended_sessions() == 1
    assert (payment_of(tx).state, payment_of(tx).note) == ("settled", "paid on a retry")
    assert wallet_total(driver) == 2000 - 357
