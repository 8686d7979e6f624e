"""Payers who cannot pay are refused at the charger with idTagInfo "Blocked" (Authorize and
StartTransaction over real OCPP), and every accepted session records how it is paid."""

from __future__ import annotations

from datetime import timedelta

from ocpp.v16 import call
from sqlmodel import Session

from ccms_app.accounts.models import Organisation
from ccms_app.core import db
from ccms_app.core.types import utc_now
from ccms_app.finance.payments.models import PaymentAccount, SessionPayment
from ccms_app.finance.payments.payment_accounts import set_method
from ccms_app.finance.payments.session_payments import NO_PAYER
from tests.finance.payments.test_session_payments import (
    CP,
    MINIMUM,
    PayNetwork,
    add_driver,
    an_hour_ago,
    boot,
    cost_of,
    pay_network,
    payment_of,
    save_card,
    start,
    stop,
    top_up,
)
from tests.fixtures.fake_stripe import FakeStripe
from tests.fixtures.ocpp import connect_charge_point
from tests.ocpp_server.test_integration import add_tag

__all__ = ["pay_network"]  # the fixture, used by name


async def _authorize(ocpp_url: str, id_tag: str) -> str:
    async with connect_charge_point(ocpp_url, CP) as cp:
        await boot(cp)
        reply = await cp.call(call.Authorize(id_tag=id_tag))
        return str(reply.id_tag_info["status"])


async def _start(ocpp_url: str, id_tag: str) -> tuple[int, str]:
    async with connect_charge_point(ocpp_url, CP) as cp:
        await boot(cp)
        reply = await start(cp, id_tag, 0, an_hour_ago())
        return reply.transaction_id, str(reply.id_tag_info["status"])


def _card_method_without_card(network: PayNetwork, driver_id: int) -> None:
    """A card payer whose saved card is gone (set_method would refuse "card" now)."""
    with db.session_scope() as s:
        s.add(
            PaymentAccount(
                organisation_id=network.organisation_id,
                holder_kind="driver",
                holder_id=driver_id,
                method="card",
            )
        )


async def test_a_wallet_below_the_minimum_is_blocked_until_topped_up(
    pay_network: PayNetwork, ocpp_url: str
) -> None:
    driver = add_driver(pay_network, "WALLET-LOW")
    set_method(pay_network.scope, "driver", driver, "wallet", "ops@example.com")
    top_up(pay_network, driver, MINIMUM - 100, "top_up:low-1")

    assert await _authorize(ocpp_url, "WALLET-LOW") == "Blocked"
    assert await _authorize(ocpp_url, "wallet-low") == "Blocked"  # id tags: any case
    refused, status = await _start(ocpp_url, "WALLET-LOW")
    assert status == "Blocked"
    with db.read_session() as s:
        assert s.get(SessionPayment, refused) is None  # a refused start is not paid for

    top_up(pay_network, driver, 100, "top_up:low-2")  # exactly the minimum now
    assert await _authorize(ocpp_url, "WALLET-LOW") == "Accepted"
    # The refused session is still open on the connector; this start closes it.
    tx, status = await _start(ocpp_url, "WALLET-LOW")
    assert status == "Accepted"
    paid = payment_of(tx)
    assert (paid.method, paid.state, paid.holder_id) == ("wallet", "open", driver)


async def test_the_stop_answer_does_not_block_the_wallet_it_emptied(
    pay_network: PayNetwork, ocpp_url: str
) -> None:
    driver = add_driver(pay_network, "WALLET-END")
    set_method(pay_network.scope, "driver", driver, "wallet", "ops@example.com")
    top_up(pay_network, driver, 600, "top_up:end-1")
    t0 = an_hour_ago()
    async with connect_charge_point(ocpp_url, CP) as cp:
        await boot(cp)
        tx = (await start(cp, "WALLET-END", 0, t0)).transaction_id
        stopped = await stop(cp, tx, 10_000, t0 + timedelta(minutes=30), id_tag="WALLET-END")
        assert stopped.id_tag_info["status"] == "Accepted"
        # 3.57 EUR charged at the stop: 2.43 left, below the minimum for the next start.
        assert (await cp.call(call.Authorize(id_tag="WALLET-END"))).id_tag_info[
            "status"
        ] == "Blocked"
    assert payment_of(tx).charged_minor == cost_of(tx).total_incl_minor == 357


async def test_a_card_payer_needs_a_saved_card_and_stripe(
    pay_network: PayNetwork, ocpp_url: str, fake_stripe: FakeStripe
) -> None:
    no_card = add_driver(pay_network, "CARD-NONE")
    _card_method_without_card(pay_network, no_card)
    assert await _authorize(ocpp_url, "CARD-NONE") == "Blocked"
    assert (await _start(ocpp_url, "CARD-NONE"))[1] == "Blocked"

    carded = add_driver(pay_network, "CARD-OK")
    save_card(pay_network, fake_stripe, carded)
    assert await _authorize(ocpp_url, "CARD-OK") == "Accepted"
    tx, status = await _start(ocpp_url, "CARD-OK")
    assert status == "Accepted" and payment_of(tx).state == "hold_pending"


async def test_without_stripe_card_payers_are_blocked(
    pay_network: PayNetwork, ocpp_url: str, stripe_not_configured: None
) -> None:
    driver = add_driver(pay_network, "CARD-NOSTRIPE")
    with db.session_scope() as s:
        s.add(
            PaymentAccount(
                organisation_id=pay_network.organisation_id,
                holder_kind="driver",
                holder_id=driver,
                method="card",
                stripe_customer_id="cus_x",
                card_payment_method_id="pm_card_visa",
            )
        )
    assert await _authorize(ocpp_url, "CARD-NOSTRIPE") == "Blocked"
    # Everything else works: an invoice payer charges as before.
    add_driver(pay_network, "INVOICE-1")
    assert await _authorize(ocpp_url, "INVOICE-1") == "Accepted"


async def test_every_accepted_session_records_its_payment_method(
    pay_network: PayNetwork, ocpp_url: str
) -> None:
    add_driver(pay_network, "INVOICE-2")
    free = add_driver(pay_network, "STAFF-1")
    set_method(pay_network.scope, "driver", free, "free", "ops@example.com")
    t0 = utc_now() - timedelta(hours=2)
    results = {}
    for id_tag in ("INVOICE-2", "STAFF-1"):
        async with connect_charge_point(ocpp_url, CP) as cp:
            await boot(cp)
            tx = (await start(cp, id_tag, 0, t0)).transaction_id
            await stop(cp, tx, 2_000, t0 + timedelta(minutes=10))
        results[id_tag] = tx
    invoice, staff = payment_of(results["INVOICE-2"]), payment_of(results["STAFF-1"])
    assert (invoice.method, invoice.state, invoice.charged_minor) == ("invoice", "settled", 0)
    assert (staff.method, staff.state, staff.charged_minor) == ("free", "settled", 0)
    assert cost_of(results["STAFF-1"]).payment_method == "free"
    assert cost_of(results["STAFF-1"]).total_incl_minor == 71  # priced all the same


async def test_a_card_without_driver_or_group_charges_nobody(
    pay_network: PayNetwork, ocpp_url: str, session: Session, organisation: Organisation
) -> None:
    add_tag(session, organisation, "LOOSE-1")
    tx, status = await _start(ocpp_url, "LOOSE-1")
    assert status == "Accepted"
    paid = payment_of(tx)
    assert (paid.method, paid.holder_kind, paid.note) == ("invoice", "", NO_PAYER)
