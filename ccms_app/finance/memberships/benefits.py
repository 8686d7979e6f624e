"""What a membership gives a session: its discount and included energy when a session is
settled (`benefit_for_session`, called by finance.payments.session_settlement), and its member
tariff when the tariff is resolved (`member_tariff`, called by finance.tariff_assignments).

A membership counts for a session when it is ACTIVE (PAST_DUE pauses the benefits until the
fee is collected), had started when the session started, was not cancelled before, and its
paid period has not run out by more than RENEWAL_GRACE (the fee job and Stripe renew at each
period's start; the grace covers a renewal a few hours late, not a lapsed membership).

Included energy is counted per period: the Wh the membership's settled sessions took
(`SessionPayment.included_wh` of sessions that started in the period). The membership row is
locked while a session's share is decided (PostgreSQL; SQLite serialises writers), so two
sessions settling at once cannot both take the same free energy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from ccms_app.charging.models import ChargingSession
from ccms_app.core.money import format_minor
from ccms_app.core.rows import stored_id
from ccms_app.drivers.models import IdTag
from ccms_app.finance.memberships.common import period_of
from ccms_app.finance.memberships.models import Membership, MembershipPlan, MembershipStatus
from ccms_app.finance.models import SessionCost, Tariff
from ccms_app.finance.payments.models import SessionPayment
from ccms_app.finance.rules.memberships import (
    CostShares,
    kwh_text,
    percent_text,
    session_benefit,
    stored_percent,
)
from ccms_app.finance.wallets.models import HolderKind

RENEWAL_GRACE = timedelta(days=2)


@dataclass(frozen=True)
class Benefit:
    """A membership's benefit on one session (`membership_id` None: no membership)."""

    membership_id: int | None
    discount_minor: int
    included_wh: int
    note: str


NO_BENEFIT = Benefit(None, 0, 0, "")


def counts_at(membership: Membership, at: datetime) -> bool:
    """Whether the membership's benefits apply to a session started at `at`."""
    return (
        membership.status == MembershipStatus.ACTIVE
        and membership.started_at <= at
        and (membership.cancelled_at is None or at < membership.cancelled_at)
        and at < membership.current_period_end + RENEWAL_GRACE
    )


def active_membership(
    db: Session, holder_kind: str, holder_id: int, at: datetime, lock: bool = False
) -> Membership | None:
    """The holder's membership whose benefits apply at `at` (None: none does). `lock`: hold
    the row until the transaction ends (PostgreSQL)."""
    query = select(Membership).where(
        Membership.holder_kind == holder_kind,
        Membership.holder_id == holder_id,
        Membership.status == MembershipStatus.ACTIVE,
    )
    if lock:
        query = query.with_for_update()
    found = [
        m for m in db.exec(query.order_by(col(Membership.started_at).desc())) if counts_at(m, at)
    ]
    return found[0] if found else None


def included_used(
    db: Session, membership_id: int, start: datetime, end: datetime, besides: int | None = None
) -> int:
    """Wh of included energy the membership's sessions started in [start, end) took
    (`besides`: leave that session out, e.g. the one being settled again)."""
    query = (
        select(func.coalesce(func.sum(SessionPayment.included_wh), 0))
        .join(ChargingSession, col(ChargingSession.id) == SessionPayment.session_id)
        .where(
            SessionPayment.membership_id == membership_id,
            col(ChargingSession.start_time) >= start,
            col(ChargingSession.start_time) < end,
        )
    )
    if besides is not None:
        query = query.where(SessionPayment.session_id != besides)
    return int(db.exec(query).one() or 0)


def benefit_for_session(
    db: Session,
    *,
    holder_kind: str,
    holder_id: int,
    session_id: int,
    cost: SessionCost,
    energy_wh: int,
    started_at: datetime,
) -> Benefit:
    """The holder's membership benefit on a priced session (see the module doc); the caller
    stores `membership_id` and `included_wh` on the session's payment in this transaction."""
    membership = active_membership(db, holder_kind, holder_id, started_at, lock=True)
    if membership is None:
        return NO_BENEFIT
    plan = db.get(MembershipPlan, membership.plan_id)
    if plan is None:
        return NO_BENEFIT
    membership_id = stored_id(membership.id)
    start, end = period_of(db, membership, started_at)
    left = max(plan.included_wh - included_used(db, membership_id, start, end, session_id), 0)
    shares = CostShares(cost.total_incl_minor, cost.total_excl_minor, cost.energy_excl_minor)
    percent = stored_percent(plan.discount_percent)
    amounts = session_benefit(shares, max(energy_wh, 0), left, percent)
    note = _note(plan, amounts.discount_minor, amounts.included_wh, cost.currency)
    return Benefit(membership_id, amounts.discount_minor, amounts.included_wh, note)


def _note(plan: MembershipPlan, discount_minor: int, included_wh: int, currency: str) -> str:
    """ "membership Gold: 10 % off, 5 kWh included: 3.20 EUR off" """
    parts = []
    if stored_percent(plan.discount_percent):
        parts.append(f"{percent_text(stored_percent(plan.discount_percent))} % off")
    if included_wh:
        parts.append(f"{kwh_text(included_wh)} kWh included")
    said = f": {', '.join(parts)}" if parts else ""
    saved = f" ({format_minor(discount_minor, currency)} off)" if discount_minor else ""
    return f"membership {plan.name}{said}{saved}"[:300]


# --- the member tariff (tariff resolution) ------------------------------------------------


def tag_holder(tag: IdTag | None) -> tuple[str, int] | None:
    """Who pays for a card's sessions: its group account for a group card, else its driver."""
    if tag is None:
        return None
    if tag.group_id is not None:
        return HolderKind.GROUP, tag.group_id
    if tag.driver_id is not None:
        return HolderKind.DRIVER, tag.driver_id
    return None


@dataclass(frozen=True)
class MemberTariff:
    membership_id: int
    plan_name: str
    tariff: Tariff


def member_tariff(
    db: Session, tag: IdTag | None, owners: list[int], at: datetime
) -> MemberTariff | None:
    """The member tariff of the card holder's membership at `at`, when its plan belongs to
    one of `owners` (the charge point's organisation or its parent operator) and the tariff
    is not archived."""
    holder = tag_holder(tag)
    if holder is None:
        return None
    membership = active_membership(db, holder[0], holder[1], at)
    if membership is None:
        return None
    plan = db.get(MembershipPlan, membership.plan_id)
    if plan is None or plan.member_tariff_id is None or plan.organisation_id not in owners:
        return None
    tariff = db.get(Tariff, plan.member_tariff_id)
    if tariff is None or tariff.archived:
        return None
    return MemberTariff(stored_id(membership.id), plan.name, tariff)
