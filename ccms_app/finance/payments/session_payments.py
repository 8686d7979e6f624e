"""How a charging session is paid, at the charger: the payment record at the start, the
refusal of payers who cannot pay, and CCMS's own RemoteStopTransaction when money runs out.

`install()` (runtime.py and tests/conftest.py call it once) registers:
- a session-open listener (charging.session_open): every accepted session gets its
  `SessionPayment` in the StartTransaction's own commit, with the payer's method
  (finance.payments.payment_accounts.payer_of_id_tag); a card session starts in
  HOLD_PENDING (the hold is placed off the OCPP path by finance.payments.jobs), the others
  OPEN;
- a session-close listener (finance.payments.session_settlement.settle_at_stop), after
  the pricing's own (installed first here, so the cost is final when settlement reads it);
- an id tag check (drivers.authorization_checks): a wallet payer below the network's
  minimum, or a card payer without a saved card or without Stripe configured, is answered
  "Blocked" at Authorize and StartTransaction (finance.rules.session_payment says why
  Blocked).

A stop CCMS asks for is claimed first (`claim_stop`: one conditional UPDATE, so a session
gets at most one RemoteStopTransaction from payments, whoever asks), then sent
(`send_stops`) through control.commands like an operator's command.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, update
from sqlmodel import Session, col, select

from ccms_app.charging.models import ChargingSession
from ccms_app.charging.session_close import on_session_closed
from ccms_app.charging.session_open import on_session_opened
from ccms_app.control.commands import CommandView, send_command
from ccms_app.control.models import CommandStatus
from ccms_app.core.db import session_scope
from ccms_app.core.rows import stored_id, table_of
from ccms_app.drivers.authorization_checks import add_check
from ccms_app.drivers.models import IdTag
from ccms_app.finance import session_pricing
from ccms_app.finance.memberships.benefits import tag_holder
from ccms_app.finance.models import BillingProfile
from ccms_app.finance.payments import stripe_gateway as gateway
from ccms_app.finance.payments.models import (
    PaymentAccount,
    PaymentMethod,
    PaymentSettings,
    SessionPayment,
    SessionPaymentState,
)
from ccms_app.finance.payments.payment_accounts import payer_of_id_tag
from ccms_app.finance.payments.session_settlement import settle_at_stop
from ccms_app.finance.rules.session_payment import BLOCKED, payer_refusal
from ccms_app.finance.wallets.ledger import balance
from ccms_app.network.models import ChargePoint

log = logging.getLogger(__name__)

STOP_BY = "payments"  # requested_by of the RemoteStopTransaction commands payments send
NO_PAYER = "the id tag belongs to no driver or group account: nobody to charge"
SESSION_PAYMENTS = table_of(SessionPayment)
# What an organisation that never saved its billing profile / payment settings has.
DEFAULT_CURRENCY = BillingProfile(organisation_id=0).currency
DEFAULT_MINIMUM = PaymentSettings(organisation_id=0).wallet_minimum_minor
# A payer's method, saved card and their organisation's minimum and currency in one indexed
# query, built once (building it per Authorize cost more than running it).
PAYER_TERMS = (
    select(
        PaymentAccount.method,
        PaymentAccount.card_payment_method_id,
        PaymentSettings.wallet_minimum_minor,
        BillingProfile.currency,
    )
    .select_from(PaymentAccount)
    .outerjoin(PaymentSettings, col(PaymentSettings.organisation_id) == bindparam("organisation"))
    .outerjoin(BillingProfile, col(BillingProfile.organisation_id) == bindparam("organisation"))
    .where(
        col(PaymentAccount.holder_kind) == bindparam("kind"),
        col(PaymentAccount.holder_id) == bindparam("holder"),
    )
)


def install() -> None:
    """Register the payment listeners and the id tag check (see the module doc). Pricing is
    installed first: a session is priced before it is settled."""
    session_pricing.install()
    on_session_opened(record_session_payment)
    on_session_closed(settle_at_stop)
    add_check(refuse_unpaid)


def record_session_payment(db: Session, cs: ChargingSession, cp: ChargePoint) -> None:
    """The payment record of an accepted session, in its StartTransaction's transaction."""
    session_id = stored_id(cs.id)  # a new session: it has no payment record yet
    payer = payer_of_id_tag(db, cs.id_tag)
    if payer is None:
        db.add(
            SessionPayment(
                session_id=session_id,
                organisation_id=cs.organisation_id,
                method=PaymentMethod.INVOICE,
                note=NO_PAYER,
            )
        )
        return
    card = payer.method == PaymentMethod.CARD
    db.add(
        SessionPayment(
            session_id=session_id,
            organisation_id=payer.organisation_id,
            method=payer.method,
            holder_kind=payer.holder_kind,
            holder_id=payer.holder_id,
            state=SessionPaymentState.HOLD_PENDING if card else SessionPaymentState.OPEN,
        )
    )


def refuse_unpaid(
    db: Session, tag: IdTag, charge_point: ChargePoint | None, now: datetime
) -> str | None:
    """The id tag check: "Blocked" for a payer who cannot pay now, None otherwise. Runs in
    the OCPP writer's transaction, so it reads little: one narrow indexed query for every
    payer (an invoice payer, the default, stops there), the wallet's sum for a wallet payer;
    never Stripe."""
    holder = tag_holder(tag)
    if holder is None:
        return None
    params = {"organisation": tag.organisation_id, "kind": holder[0], "holder": holder[1]}
    terms = db.execute(PAYER_TERMS, params).first()
    if terms is None or terms[0] not in (PaymentMethod.WALLET, PaymentMethod.CARD):
        return None
    method, card, minimum, currency = terms
    wallet_total = None
    if method == PaymentMethod.WALLET:
        currency = currency or DEFAULT_CURRENCY
        wallet_total = balance(db, holder[0], holder[1], currency).total_minor
    reason = payer_refusal(
        method=method,
        wallet_total_minor=wallet_total,
        wallet_minimum_minor=DEFAULT_MINIMUM if minimum is None else minimum,
        has_saved_card=bool(card),
        cards_configured=gateway.configured(),
    )
    if reason is None:
        return None
    log.info("id tag refused for payment", extra={"id_tag": tag.id_tag, "why": reason})
    return BLOCKED


# --- stops CCMS asks for ------------------------------------------------------------------


@dataclass(frozen=True)
class StopOrder:
    """A RemoteStopTransaction payments decided to send (claimed: sent once)."""

    session_id: int
    charge_point_id: int
    reason: str


def claim_stop(db: Session, cs: ChargingSession, reason: str, now: datetime) -> StopOrder | None:
    """Record that CCMS stops `cs` and why, unless a stop was already asked for: the
    conditional UPDATE lets exactly one caller win, so a session never gets two stops."""
    result = db.execute(
        update(SESSION_PAYMENTS)
        .where(
            SESSION_PAYMENTS.c.session_id == cs.id,
            SESSION_PAYMENTS.c.stop_requested_at.is_(None),
        )
        .values(stop_requested_at=now, stop_reason=reason[:200])
    )
    if int(getattr(result, "rowcount", 0) or 0) != 1:
        return None
    log.info("payments stop a session", extra={"transaction_id": cs.id, "why": reason})
    return StopOrder(stored_id(cs.id), cs.charge_point_id, reason)


async def send_stops(orders: Sequence[StopOrder], timeout: float | None = None) -> None:
    """Send the claimed stops (concurrently); one that the charger did not accept is noted
    on the session's payment for the operator (it is not sent again)."""
    if not orders:
        return
    views = await asyncio.gather(
        *(_send_stop(order, timeout) for order in orders), return_exceptions=True
    )
    for order, view in zip(orders, views, strict=True):
        if isinstance(view, BaseException):
            log.error("payment stop not sent", extra={"transaction_id": order.session_id})
            await asyncio.to_thread(_note_stop, order.session_id, f"stop not sent: {view!r}")
        elif view.status != CommandStatus.ACCEPTED:
            why = f"RemoteStopTransaction {view.status}: {view.error}"
            await asyncio.to_thread(_note_stop, order.session_id, why)


async def _send_stop(order: StopOrder, timeout: float | None) -> CommandView:
    params = {"transaction_id": order.session_id}
    return await send_command(
        order.charge_point_id, "RemoteStopTransaction", params, STOP_BY, timeout
    )


def _note_stop(session_id: int, note: str) -> None:
    with session_scope() as db:
        row = db.get(SessionPayment, session_id)
        if row is not None:
            row.note = note[:300]
            db.add(row)
