"""Membership fees from wallets, and the renewal of wallet memberships at each period start.

The fee of a period is one ledger transaction, reference
"membership:<id>:<period start YYYY-MM-DD>" (kind MEMBERSHIP_FEE, wallet -> MEMBERSHIP_FEES):
taking it twice posts nothing the second time. A wallet that cannot pay (its balance, bonus
included, is below the fee) is never overdrawn: the membership becomes PAST_DUE (benefits
paused) and each later run tries the same period's fee again, so a top-up brings it back
within one run. A period that ends unpaid is left unpaid: the next run moves on to the period
containing now (a membership whose renewal was missed, e.g. while CCMS was down, pays for the
current period only, not for the months it could not use).

`renew(db, id, now)` also ends memberships cancelled "at period end" once that moment passes.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Session, col, select

from ccms_app.core.rows import stored_id
from ccms_app.finance.memberships.common import billing_zone
from ccms_app.finance.memberships.models import (
    FeeCollection,
    Membership,
    MembershipPlan,
    MembershipStatus,
)
from ccms_app.finance.rules.memberships import period_at
from ccms_app.finance.wallets.ledger import already_posted, balance, charge_wallet, wallet_account
from ccms_app.finance.wallets.models import AccountKind, LedgerAccount, LedgerKind


class Renewal(StrEnum):
    NOTHING = "nothing"
    CHARGED = "charged"
    PAST_DUE = "past_due"
    CANCELLED = "cancelled"


def fee_reference(membership: Membership) -> str:
    return f"membership:{membership.id}:{membership.current_period_start:%Y-%m-%d}"


def take_wallet_fee(db: Session, membership: Membership, plan: MembershipPlan, actor: str) -> bool:
    """Take the current period's fee from the holder's wallet; False (nothing taken) when the
    wallet cannot pay it. True when it is paid (now or before) or there is nothing to pay."""
    reference = fee_reference(membership)
    fee = plan.monthly_fee_minor
    if fee <= 0 or already_posted(db, reference):
        return True
    wallet = wallet_account(
        db, membership.organisation_id, membership.holder_kind, membership.holder_id, plan.currency
    )
    db.exec(select(LedgerAccount.id).where(LedgerAccount.id == wallet.id).with_for_update())
    held = balance(db, membership.holder_kind, membership.holder_id, plan.currency)
    if held.total_minor < fee:
        return False
    charge_wallet(
        db,
        organisation_id=membership.organisation_id,
        holder_kind=membership.holder_kind,
        holder_id=membership.holder_id,
        currency=plan.currency,
        amount_minor=fee,
        kind=LedgerKind.MEMBERSHIP_FEE,
        to=AccountKind.MEMBERSHIP_FEES,
        reference=reference,
        reason=f"Membership {plan.name}, period from {membership.current_period_start:%Y-%m-%d}",
        created_by=actor,
    )
    return True


def renewal_candidates(db: Session, now: datetime) -> list[int]:
    """Memberships a run must look at: a live one whose period is over, a past-due one (to
    retry its fee), one cancelled for a moment that has come."""
    rows = db.exec(
        select(Membership.id).where(
            col(Membership.status).in_((MembershipStatus.ACTIVE, MembershipStatus.PAST_DUE)),
            (col(Membership.current_period_end) <= now)
            | (col(Membership.status) == MembershipStatus.PAST_DUE)
            | (col(Membership.cancelled_at) <= now),
        )
    ).all()
    return [stored_id(row) for row in rows]


def renew(db: Session, membership_id: int, now: datetime) -> Renewal:
    """One membership's renewal step (in the caller's transaction; the row is locked)."""
    membership = db.exec(
        select(Membership).where(Membership.id == membership_id).with_for_update()
    ).first()
    if membership is None or membership.status == MembershipStatus.CANCELLED:
        return Renewal.NOTHING
    if membership.cancelled_at is not None and membership.cancelled_at <= now:
        membership.status = MembershipStatus.CANCELLED
        db.add(membership)
        return Renewal.CANCELLED
    plan = db.get(MembershipPlan, membership.plan_id)
    if plan is None or plan.fee_collection != FeeCollection.WALLET:
        return Renewal.NOTHING  # Stripe renews card plans (invoice.paid)
    over = membership.current_period_end <= now
    if membership.status == MembershipStatus.ACTIVE and not over:
        return Renewal.NOTHING
    if over:
        zone = billing_zone(db, plan.organisation_id)
        start, end = period_at(membership.started_at, now, zone)
        membership.current_period_start, membership.current_period_end = start, end
    paid = take_wallet_fee(db, membership, plan, "membership fees job")
    membership.status = MembershipStatus.ACTIVE if paid else MembershipStatus.PAST_DUE
    db.add(membership)
    return Renewal.CHARGED if paid else Renewal.PAST_DUE
