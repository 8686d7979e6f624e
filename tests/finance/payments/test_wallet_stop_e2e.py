"""A wallet driver whose balance runs out mid-session is stopped by RemoteStopTransaction
(issue 13's definition of done).

Real websocket charge point (it answers the CSMS's commands) -> real OCPP server -> real
SQLite; the real payment worker hears the meter events on the bus and checks the wallet.
Tariff: 0.357 EUR/kWh incl. VAT; the charger reports every 5 kWh, so one meter interval
costs 1.79 EUR; the wallet holds 6.00 EUR. The cost so far reaches the balance with the 4th
report (20 kWh: 7.14 EUR); the charger takes another 100 Wh to react: the wallet ends at
-1.18 EUR, within the bound (one interval, 1.79, plus the reaction, 0.04).
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from ccms_app.control.models import ChargePointCommand
from ccms_app.core import db
from ccms_app.finance.models import AssignmentTarget
from ccms_app.finance.payments.jobs import PaymentWorker
from ccms_app.finance.payments.models import SessionPaymentState
from ccms_app.finance.payments.payment_accounts import set_method
from ccms_app.finance.tariff_assignments import assign
from ccms_app.finance.tariffs import create_tariff
from ccms_app.finance.wallets.models import LedgerTransaction
from tests.finance.payments.test_session_payments import (
    CP,
    PayNetwork,
    add_driver,
    an_hour_ago,
    boot,
    cost_of,
    incl_cost,
    meter,
    pay_network,
    payment_of,
    payments,
    start,
    stop,
    top_up,
    wallet_total,
)
from tests.fixtures.ocpp import ScriptedChargePoint, connect_charge_point, eventually

__all__ = ["pay_network", "payments"]  # fixtures, used by name

STEP_WH = 5_000
REACTION_WH = 100
BALANCE = 600
REMOTE_STOP = "RemoteStopTransaction"
START_FEE = {
    "currency": "EUR",
    "elements": [
        {
            "fee": "start",
            "price_components": [{"type": "FLAT", "price": "5.00", "vat": "19", "step_size": 1}],
        }
    ],
}


async def _stop_asked(cp: ScriptedChargePoint, seconds: float) -> bool:
    with contextlib.suppress(TimeoutError):
        await eventually(lambda: any(a == REMOTE_STOP for a, _ in cp.received), seconds)
        return True
    return False


async def test_a_wallet_that_runs_out_stops_the_session(
    pay_network: PayNetwork, payments: PaymentWorker, ocpp_url: str
) -> None:
    driver = add_driver(pay_network, "WALLET-1", "Wanda Wallet")
    set_method(pay_network.scope, "driver", driver, "wallet", "ops@example.com")
    top_up(pay_network, driver, BALANCE, "top_up:test-1")
    t0 = an_hour_ago()
    async with connect_charge_point(ocpp_url, CP, ScriptedChargePoint) as cp:
        await boot(cp)
        started = await start(cp, "WALLET-1", 0, t0)
        assert started.id_tag_info["status"] == "Accepted"
        tx = started.transaction_id
        energy = 0
        for report in range(1, 10):
            energy = report * STEP_WH
            await meter(cp, tx, energy, t0 + timedelta(minutes=report))
            if await _stop_asked(cp, 1.5):
                break
        assert energy == 4 * STEP_WH  # the first report whose cost reached the balance
        assert cp.received == [(REMOTE_STOP, {"transaction_id": tx})]
        paid = payment_of(tx)
        assert (paid.stop_reason, paid.state) == ("wallet balance used up", "open")
        assert paid.stop_requested_at is not None

        # The charger reports once more while it reacts: no second stop.
        await meter(cp, tx, energy + REACTION_WH, t0 + timedelta(minutes=5))
        await asyncio.sleep(1.0)
        assert [a for a, _ in cp.received] == [REMOTE_STOP]
        await stop(cp, tx, energy + REACTION_WH, t0 + timedelta(minutes=5), reason="Remote")

    await eventually(lambda: payment_of(tx).state == SessionPaymentState.SETTLED)
    cost = cost_of(tx).total_incl_minor
    assert cost == incl_cost(energy + REACTION_WH) == 718
    assert payment_of(tx).charged_minor == cost
    final = wallet_total(driver)
    assert final == BALANCE - cost == -118
    # The documented bound: one meter interval's cost plus what the reaction took.
    assert final >= -(incl_cost(STEP_WH) + incl_cost(REACTION_WH))
    with db.read_session() as s:
        stops = s.exec(
            select(ChargePointCommand).where(ChargePointCommand.action == REMOTE_STOP)
        ).all()
        charge = s.exec(
            select(LedgerTransaction).where(LedgerTransaction.reference == f"session:{tx}")
        ).one()
    assert [(c.status, c.requested_by) for c in stops] == [("accepted", "payments")]
    assert charge.session_id == tx


async def test_a_session_without_meter_values_is_checked_by_the_payment_job(
    pay_network: PayNetwork, payments: PaymentWorker, ocpp_url: str
) -> None:
    """A start fee of 5.95 EUR incl. VAT on the driver's own tariff, a wallet of 5.00: the
    cost so far reaches the balance with no meter value at all; the scheduled pass (run
    here) stops it."""
    driver = add_driver(pay_network, "WALLET-FLAT")
    set_method(pay_network.scope, "driver", driver, "wallet", "ops@example.com")
    top_up(pay_network, driver, 500, "top_up:flat-1")
    tariff = create_tariff(
        pay_network.scope,
        pay_network.organisation_id,
        "Start fee",
        START_FEE,
        valid_from=datetime(2020, 1, 1, tzinfo=UTC),
    )
    assign(pay_network.scope, tariff.id, AssignmentTarget.DRIVER, driver, "test")
    async with connect_charge_point(ocpp_url, CP, ScriptedChargePoint) as cp:
        await boot(cp)
        started = await start(cp, "WALLET-FLAT", 0, an_hour_ago())
        assert started.id_tag_info["status"] == "Accepted"
        tx = started.transaction_id
        assert not await _stop_asked(cp, 1.0)  # no meter values: nothing heard yet

        run = await payments.run_once()

        assert run.stops == 1
        assert cp.received == [(REMOTE_STOP, {"transaction_id": tx})]
        assert payment_of(tx).stop_reason == "wallet balance used up"
        await payments.run_once()  # and never a second stop
        assert len(cp.received) == 1
