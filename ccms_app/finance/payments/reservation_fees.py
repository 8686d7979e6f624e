"""Billing a reservation that expired unused (OCPI RESERVATION_EXPIRES, else RESERVATION).

A reservation the charge point held and nobody used is priced when the expiry sweep closes
it (`charging.reservation_expiry`: registered by the composition root, run in the sweep's
transaction): the tariff that applied when it was made, the reservation alone from its start
to its expiry (`finance.reservation_pricing.expired_cost`). A wallet payer's wallet is
debited in that transaction, once: the ledger reference `reservation:<id>` makes a second run
post nothing. Like a session charge the debit may take the paid balance below zero: the
driver was told the fee before reserving.

Not billed (yet): card and invoice payers (there is no session to attach the fee to; the
page tells those drivers an unused reservation costs nothing), a fee in another currency
than the wallet's (logged). A used reservation is priced with its session
(`session_pricing._reserved_at`); a cancelled one costs nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlmodel import Session, col

from ccms_app.charging.models import Reservation
from ccms_app.charging.reservation_expiry import on_reservation_expired
from ccms_app.core.db import read_session
from ccms_app.core.rows import stored_id
from ccms_app.finance.payments.holders import organisation_currency
from ccms_app.finance.payments.models import PaymentMethod
from ccms_app.finance.payments.payment_accounts import payer_of_id_tag
from ccms_app.finance.reservation_pricing import expired_cost
from ccms_app.finance.wallets.ledger import charge_wallet
from ccms_app.finance.wallets.models import (
    AccountKind,
    LedgerAccount,
    LedgerEntry,
    LedgerKind,
    LedgerTransaction,
)

log = logging.getLogger(__name__)

BY = "reservation-expiry"


@dataclass(frozen=True)
class ChargedFee:
    amount_minor: int
    currency: str


def reference(reservation_id: int) -> str:
    """The ledger reference of a reservation's fee (unique: posted once)."""
    return f"reservation:{reservation_id}"


def install() -> None:
    """Bill unused reservations as they expire (the composition root calls this once)."""
    on_reservation_expired(bill_expired_reservation)


def bill_expired_reservation(session: Session, reservation: Reservation) -> None:
    """Debit the payer's wallet with the fee of this unused reservation (see module doc)."""
    payer = payer_of_id_tag(session, reservation.id_tag)
    if payer is None or payer.method != PaymentMethod.WALLET:
        return
    cost = expired_cost(session, reservation)
    if cost is None or cost.total.incl_vat_minor <= 0:
        return
    currency = organisation_currency(session, payer.organisation_id)
    if cost.currency.upper() != currency:
        log.warning(
            "reservation fee not billed: currency differs from the wallet's",
            extra={"reservation_id": reservation.id, "currency": cost.currency},
        )
        return
    reservation_id = stored_id(reservation.id)
    charge_wallet(
        session,
        organisation_id=payer.organisation_id,
        holder_kind=payer.holder_kind,
        holder_id=payer.holder_id,
        currency=currency,
        amount_minor=cost.total.incl_vat_minor,
        kind=LedgerKind.RESERVATION_FEE,
        to=AccountKind.CHARGING_REVENUE,
        reference=reference(reservation_id),
        reason=f"reservation {reservation_id} expired unused",
        created_by=BY,
    )
    log.info(
        "reservation fee billed",
        extra={"reservation_id": reservation_id, "amount_minor": cost.total.incl_vat_minor},
    )


def fees_charged(reservation_ids: Collection[int]) -> dict[int, ChargedFee]:
    """What each reservation's fee took from its wallet (only those billed)."""
    if not reservation_ids:
        return {}
    references = {reference(i): i for i in reservation_ids}
    with read_session() as session:
        rows = session.execute(
            select(
                col(LedgerTransaction.reference),
                col(LedgerAccount.currency),
                func.sum(col(LedgerEntry.amount_minor)),
            )
            .join(LedgerEntry, col(LedgerEntry.transaction_id) == col(LedgerTransaction.id))
            .join(LedgerAccount, col(LedgerAccount.id) == col(LedgerEntry.account_id))
            .where(
                col(LedgerTransaction.reference).in_(list(references)),
                col(LedgerAccount.kind) == AccountKind.WALLET,
            )
            .group_by(col(LedgerTransaction.reference), col(LedgerAccount.currency))
        ).all()
    return {references[ref]: ChargedFee(-int(total), str(cur)) for ref, cur, total in rows}
