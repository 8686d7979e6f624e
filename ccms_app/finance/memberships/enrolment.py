"""Memberships of drivers and group accounts: enrol, cancel, read.

- One live (active or past-due) membership per holder; a plan of the holder's organisation or
  of its parent operator; an active plan only.
- Periods run monthly from the enrolment moment (finance.rules.memberships): wallet plans on
  the operator's billing clock, card plans on Stripe's (UTC), as Stripe renews them.
- Wallet plans take the first period's fee at enrolment: a wallet that cannot pay it refuses
  the enrolment (field `holder_id` says how much is missing); later fees: finance.memberships
  .fees. Card plans need Stripe configured and a saved card: the membership is written first
  (past due, so nothing is given before the card is charged), then the subscription is created
  with the idempotency key "membership:<id>:subscription"; Stripe's answer makes it active.
- Cancel "at period end": the member keeps the benefits until the paid period ends, then the
  fees job ends it; no further fee is taken. Cancel "now": the benefits stop at once. Neither
  refunds the current period. A card plan's subscription is cancelled at Stripe right away
  either way (no further renewal), before anything changes here.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from ccms_app.accounts.models import Organisation
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.i18n import N_, tr
from ccms_app.core.money import format_minor
from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now
from ccms_app.drivers.models import Driver, UserGroup
from ccms_app.finance.errors import FinanceConflict, FinanceError, FinanceNotFound
from ccms_app.finance.memberships.common import (
    HOLDER_KINDS,
    LIVE_STATUSES,
    billing_zone,
    holder_in_scope,
    holder_label,
    holder_row,
)
from ccms_app.finance.memberships.fees import take_wallet_fee
from ccms_app.finance.memberships.models import (
    FeeCollection,
    Membership,
    MembershipPlan,
    MembershipStatus,
)
from ccms_app.finance.payments import stripe_gateway
from ccms_app.finance.payments.models import PaymentAccount
from ccms_app.finance.rules.memberships import add_months
from ccms_app.finance.wallets.ledger import balance
from ccms_app.finance.wallets.models import HolderKind

NOT_ENROLLED = N_("Not enrolled: check the fields marked.")
STRIPE_ZONE = ZoneInfo("UTC")


@dataclass(frozen=True)
class MembershipView:
    id: int
    organisation_id: int
    plan_id: int
    plan_name: str
    holder_kind: str
    holder_id: int
    holder_name: str
    status: str
    fee_collection: str
    started_at: datetime
    current_period_start: datetime
    current_period_end: datetime
    cancelled_at: datetime | None
    stripe_subscription_id: str
    included_wh: int

    @property
    def ends_at_period_end(self) -> bool:
        """Cancelled for the end of its period, still running until then."""
        return self.status != MembershipStatus.CANCELLED and self.cancelled_at is not None


def _view(db: Session, membership: Membership) -> MembershipView:
    plan = db.get(MembershipPlan, membership.plan_id)
    holder = holder_row(db, membership.holder_kind, membership.holder_id)
    return MembershipView(
        id=stored_id(membership.id),
        organisation_id=membership.organisation_id,
        plan_id=membership.plan_id,
        plan_name=plan.name if plan is not None else "",
        holder_kind=membership.holder_kind,
        holder_id=membership.holder_id,
        holder_name=holder_label(holder) if holder is not None else f"#{membership.holder_id}",
        status=membership.status,
        fee_collection=plan.fee_collection if plan is not None else "",
        started_at=membership.started_at,
        current_period_start=membership.current_period_start,
        current_period_end=membership.current_period_end,
        cancelled_at=membership.cancelled_at,
        stripe_subscription_id=membership.stripe_subscription_id,
        included_wh=plan.included_wh if plan is not None else 0,
    )


def _in_scope(db: Session, scope: Collection[int], membership_id: int) -> Membership:
    membership = db.get(Membership, membership_id)
    if membership is None or membership.organisation_id not in scope:
        raise FinanceNotFound(
            tr("Membership {membership_id} does not exist", membership_id=membership_id)
        )
    return membership


def get_membership(scope: Collection[int], membership_id: int) -> MembershipView:
    with read_session() as db:
        return _view(db, _in_scope(db, scope, membership_id))


def live_membership(db: Session, holder_kind: str, holder_id: int) -> Membership | None:
    """The holder's active or past-due membership, if any."""
    return db.exec(
        select(Membership)
        .where(
            Membership.holder_kind == holder_kind,
            Membership.holder_id == holder_id,
            col(Membership.status).in_(LIVE_STATUSES),
        )
        .order_by(col(Membership.started_at).desc())
    ).first()


def membership_of_holder(
    scope: Collection[int], holder_kind: str, holder_id: int
) -> MembershipView | None:
    """The holder's live membership (for the driver page); None without one or outside scope."""
    with read_session() as db:
        if holder_in_scope(db, holder_kind, holder_id, scope) is None:
            return None
        membership = live_membership(db, holder_kind, holder_id)
        return _view(db, membership) if membership is not None else None


def holder_choices(
    scope: Collection[int], holder_kind: str, search: str = "", limit: int = 20
) -> list[tuple[int, str]]:
    """(id, label) of drivers or group accounts matching `search`, for the enrol form."""
    term = search.strip().lower()
    with read_session() as db:
        if holder_kind == HolderKind.GROUP:
            groups = select(UserGroup).where(col(UserGroup.organisation_id).in_(list(scope)))
            if term:
                groups = groups.where(
                    func.lower(UserGroup.name).contains(term)
                    | func.lower(UserGroup.account_name).contains(term)
                )
            found: list[Driver | UserGroup] = list(
                db.exec(groups.order_by(col(UserGroup.name)).limit(limit)).all()
            )
        else:
            drivers = select(Driver).where(col(Driver.organisation_id).in_(list(scope)))
            if term:
                drivers = drivers.where(
                    func.lower(Driver.name).contains(term) | func.lower(Driver.email).contains(term)
                )
            found = list(db.exec(drivers.order_by(col(Driver.name)).limit(limit)).all())
        return [(stored_id(row.id), holder_label(row)) for row in found]


# --- enrolment -------------------------------------------------------------------------


def _owners(db: Session, organisation_id: int) -> list[int]:
    organisation = db.get(Organisation, organisation_id)
    parent = organisation.parent_id if organisation is not None else None
    return [organisation_id] if parent is None else [organisation_id, parent]


def _plan_for(db: Session, scope: Collection[int], plan_id: int) -> MembershipPlan:
    plan = db.get(MembershipPlan, plan_id)
    if plan is None or plan.organisation_id not in scope:
        raise FinanceError(tr(NOT_ENROLLED), {"plan_id": tr("Choose a plan")})
    if not plan.active:
        message = tr("{plan} takes no new members", plan=plan.name)
        raise FinanceError(tr(NOT_ENROLLED), {"plan_id": message})
    return plan


def _lock_holder(db: Session, holder_kind: str, holder_id: int) -> None:
    """Two enrolments of one holder at once: the second waits, then sees the first."""
    model = Driver if holder_kind == HolderKind.DRIVER else UserGroup
    db.exec(select(model.id).where(model.id == holder_id).with_for_update())


def _card(db: Session, holder_kind: str, holder_id: int, label: str) -> PaymentAccount:
    if not stripe_gateway.configured():
        raise stripe_gateway.PaymentsNotConfigured(stripe_gateway.NOT_CONFIGURED)
    account = db.exec(
        select(PaymentAccount).where(
            PaymentAccount.holder_kind == holder_kind, PaymentAccount.holder_id == holder_id
        )
    ).first()
    if account is None or not account.card_payment_method_id or not account.stripe_customer_id:
        message = tr("{holder} has no saved card: save one first", holder=label)
        raise FinanceError(tr(NOT_ENROLLED), {"holder_id": message})
    return account


def _checked_holder(
    db: Session, scope: Collection[int], plan: MembershipPlan, holder_kind: str, holder_id: int
) -> Driver | UserGroup:
    if holder_kind not in HOLDER_KINDS:
        raise FinanceError(tr(NOT_ENROLLED), {"holder_kind": tr("Choose driver or group")})
    holder = holder_in_scope(db, holder_kind, holder_id, scope)
    if holder is None:
        message = (
            tr("Choose a driver")
            if holder_kind == HolderKind.DRIVER
            else tr("Choose a group account")
        )
        raise FinanceError(tr(NOT_ENROLLED), {"holder_id": message})
    if plan.organisation_id not in _owners(db, holder.organisation_id):
        message = tr(
            "{holder} belongs to another organisation than {plan}",
            holder=holder_label(holder),
            plan=plan.name,
        )
        raise FinanceError(tr(NOT_ENROLLED), {"holder_id": message})
    _lock_holder(db, holder_kind, holder_id)
    current = live_membership(db, holder_kind, holder_id)
    if current is not None:
        current_plan = db.get(MembershipPlan, current.plan_id)
        if current_plan is not None:
            message = tr(
                "{holder} is a member of {plan} already: cancel that first",
                holder=holder_label(holder),
                plan=current_plan.name,
            )
        else:
            message = tr(
                "{holder} is a member of a plan already: cancel that first",
                holder=holder_label(holder),
            )
        raise FinanceConflict(message, {"holder_id": message})
    return holder


def enrol(
    scope: Collection[int],
    plan_id: int,
    holder_kind: str,
    holder_id: int,
    actor: str,
    now: datetime | None = None,
) -> MembershipView:
    """Make the driver or group account a member of the plan (see the module doc)."""
    now = now or utc_now()
    with session_scope() as db:
        plan = _plan_for(db, scope, plan_id)
        holder = _checked_holder(db, scope, plan, holder_kind, holder_id)
        by_card = plan.fee_collection == FeeCollection.STRIPE
        card = _card(db, holder_kind, holder_id, holder_label(holder)) if by_card else None
        zone = STRIPE_ZONE if by_card else billing_zone(db, plan.organisation_id)
        membership = Membership(
            organisation_id=holder.organisation_id,
            plan_id=stored_id(plan.id),
            holder_kind=holder_kind,
            holder_id=holder_id,
            status=MembershipStatus.PAST_DUE if by_card else MembershipStatus.ACTIVE,
            started_at=now,
            current_period_start=now,
            current_period_end=add_months(now, 1, zone),
            created_by=actor[:320],
        )
        db.add(membership)
        db.flush()
        if not by_card and not take_wallet_fee(db, membership, plan, actor):
            message = _short_wallet(db, membership, plan)
            raise FinanceError(tr(NOT_ENROLLED), {"holder_id": message})
        if card is None:
            return _view(db, membership)
        membership_id = stored_id(membership.id)
        subscription = _subscription_request(membership_id, plan, card, holder_kind, holder_id)
    return _subscribe(scope, membership_id, subscription)


def _short_wallet(db: Session, membership: Membership, plan: MembershipPlan) -> str:
    held = balance(db, membership.holder_kind, membership.holder_id, plan.currency)
    return tr(
        "The wallet holds {balance}, less than the fee of {fee}: top it up first",
        balance=format_minor(held.total_minor, plan.currency),
        fee=format_minor(plan.monthly_fee_minor, plan.currency),
    )


@dataclass(frozen=True)
class _SubscriptionRequest:
    customer_id: str
    payment_method_id: str
    product_name: str
    amount_minor: int
    currency: str
    idempotency_key: str
    metadata: dict[str, str]


def _subscription_request(
    membership_id: int, plan: MembershipPlan, card: PaymentAccount, kind: str, holder_id: int
) -> _SubscriptionRequest:
    return _SubscriptionRequest(
        customer_id=card.stripe_customer_id,
        payment_method_id=card.card_payment_method_id,
        product_name=f"Membership {plan.name}",
        amount_minor=plan.monthly_fee_minor,
        currency=plan.currency,
        idempotency_key=f"membership:{membership_id}:subscription",
        metadata={
            "membership_id": str(membership_id),
            "plan_id": str(plan.id),
            "holder": f"{kind}:{holder_id}",
        },
    )


def _subscribe(
    scope: Collection[int], membership_id: int, request: _SubscriptionRequest
) -> MembershipView:
    """Create the subscription (outside any transaction: Stripe may take seconds), then
    record it; a refused card cancels the membership written for it."""
    try:
        subscription_id, status = stripe_gateway.create_subscription(**request.__dict__)
    except stripe_gateway.StripeFailure as exc:
        with session_scope() as db:
            membership = _in_scope(db, scope, membership_id)
            membership.status, membership.cancelled_at = MembershipStatus.CANCELLED, utc_now()
            db.add(membership)
        message = tr("The card subscription was refused: {exc}", exc=exc)
        raise FinanceError(
            tr("Not enrolled: {message}", message=message), {"holder_id": message}
        ) from exc
    with session_scope() as db:
        membership = _in_scope(db, scope, membership_id)
        membership.stripe_subscription_id = subscription_id
        if status in ("active", "trialing"):
            membership.status = MembershipStatus.ACTIVE
        db.add(membership)
        return _view(db, membership)


# --- cancelling ------------------------------------------------------------------------


def cancel(
    scope: Collection[int],
    membership_id: int,
    at_period_end: bool,
    actor: str,
    now: datetime | None = None,
) -> MembershipView:
    """End a membership now or when its paid period ends (see the module doc). A past-due
    membership has no paid period left: it ends now either way."""
    del actor  # the audit log records who; the membership keeps when
    now = now or utc_now()
    with read_session() as db:
        membership = _in_scope(db, scope, membership_id)
        if membership.status == MembershipStatus.CANCELLED:
            raise FinanceConflict(
                tr("Membership {membership_id} is cancelled already", membership_id=membership_id)
            )
        subscription_id = membership.stripe_subscription_id
    if subscription_id:
        _cancel_subscription(subscription_id)
    with session_scope() as db:
        membership = _in_scope(db, scope, membership_id)
        later = at_period_end and membership.status == MembershipStatus.ACTIVE
        if later and membership.current_period_end > now:
            membership.cancelled_at = membership.current_period_end
        else:
            membership.status, membership.cancelled_at = MembershipStatus.CANCELLED, now
        db.add(membership)
        return _view(db, membership)


def _cancel_subscription(subscription_id: str) -> None:
    try:
        stripe_gateway.cancel_subscription(subscription_id=subscription_id)
    except stripe_gateway.StripeFailure as exc:
        if exc.code != "resource_missing":  # gone at Stripe already: nothing to stop
            raise FinanceError(tr("Not cancelled: Stripe refused it ({exc})", exc=exc)) from exc
