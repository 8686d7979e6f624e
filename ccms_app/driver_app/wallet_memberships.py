"""Memberships in the driver app: the plans of the driver's operator the driver may join (fee
and benefits in words), the driver's current membership, joining and leaving.

Joining and leaving are finance's (`memberships.enrolment`): a wallet plan takes the first
fee from the wallet at once (a wallet that cannot pay refuses it), a card plan needs a saved
card and becomes a Stripe subscription. Leaving ends the membership when the paid period
ends; no fee is refunded.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select

from ccms_app.core.db import read_session
from ccms_app.core.display import format_time
from ccms_app.core.i18n import tr
from ccms_app.core.money import format_money
from ccms_app.core.types import utc_now
from ccms_app.driver_app.driver_accounts import DriverPrincipal, require_verified
from ccms_app.driver_app.errors import DriverAppError, DriverAppNotFound
from ccms_app.driver_app.rules import wallet as rules
from ccms_app.driver_app.wallet import (
    DRIVER,
    actor_of,
    not_configured,
    refusal,
    scope_of,
    stripe_refused,
)
from ccms_app.finance.errors import FinanceError, FinanceNotFound
from ccms_app.finance.memberships import enrolment, plans
from ccms_app.finance.memberships.models import FeeCollection, MembershipPlan, MembershipStatus
from ccms_app.finance.payments import stripe_gateway as gateway
from ccms_app.finance.rules.memberships import kwh_text
from ccms_app.finance.wallets.holders import organisation_zone


@dataclass(frozen=True)
class PlanOffer:
    id: int
    name: str
    description: str
    fee: str  # "€9.90 / month"
    paid_how: str  # "from your wallet" / "by card"
    benefits: tuple[str, ...]


@dataclass(frozen=True)
class CurrentMembership:
    id: int
    plan: str
    status: str  # in words, with the date that matters
    past_due: bool
    ending: bool  # left already: runs until the paid period ends


@dataclass(frozen=True)
class MembershipOffer:
    current: CurrentMembership | None
    plans: tuple[PlanOffer, ...]


def _offer(view: plans.PlanView) -> PlanOffer:
    by_card = view.fee_collection == FeeCollection.STRIPE
    return PlanOffer(
        id=view.id,
        name=view.name,
        description=view.description,
        fee=tr("{fee} / month", fee=format_money(view.monthly_fee_minor, view.currency)),
        paid_how=tr("paid by card") if by_card else tr("paid from your wallet"),
        benefits=tuple(
            rules.benefit_lines(
                view.discount_percent,
                kwh_text(view.included_wh) if view.included_wh else "",
                view.member_tariff_name,
            )
        ),
    )


def _joinable(driver: DriverPrincipal) -> list[plans.PlanView]:
    """The active plans of the driver's own organisation (those finance lets the driver
    join in the driver's scope)."""
    with read_session() as db:
        ids = db.exec(
            select(MembershipPlan.id)
            .where(
                col(MembershipPlan.organisation_id) == driver.organisation_id,
                col(MembershipPlan.active),
            )
            .order_by(col(MembershipPlan.monthly_fee_minor), col(MembershipPlan.name))
        ).all()
    scope = scope_of(driver)
    return [plans.get_plan(scope, int(plan_id or 0)) for plan_id in ids]


def _current(driver: DriverPrincipal) -> CurrentMembership | None:
    view = enrolment.membership_of_holder(scope_of(driver), DRIVER, driver.driver_id)
    if view is None:
        return None
    with read_session() as db:
        zone = organisation_zone(db, driver.organisation_id)
    day = format_time(view.current_period_end, zone, utc_now())
    past_due = view.status == MembershipStatus.PAST_DUE
    if past_due:
        status = tr("Fee not paid yet: benefits are paused until it is.")
    elif view.ends_at_period_end:
        status = tr("Ends on {day}.", day=day)
    else:
        status = tr("Renews on {day}.", day=day)
    return CurrentMembership(view.id, view.plan_name, status, past_due, view.ends_at_period_end)


def membership_offer(driver: DriverPrincipal) -> MembershipOffer:
    return MembershipOffer(_current(driver), tuple(_offer(p) for p in _joinable(driver)))


def join(driver: DriverPrincipal, plan_id: int) -> str:
    """Become a member of the plan; the plan's name. DriverAppError says why not (no card
    for a card plan, a wallet short of the first fee, a membership already)."""
    require_verified(driver)
    if plan_id not in {p.id for p in _joinable(driver)}:
        raise DriverAppNotFound(tr("That plan is not offered."))
    try:
        joined = enrolment.enrol(
            scope_of(driver), plan_id, DRIVER, driver.driver_id, actor_of(driver)
        )
    except gateway.PaymentsNotConfigured:
        raise not_configured() from None
    except gateway.StripeFailure as exc:
        raise stripe_refused(exc) from exc
    except FinanceError as exc:
        raise refusal(exc) from exc
    except FinanceNotFound:
        raise DriverAppNotFound(tr("That plan is not offered.")) from None
    return joined.plan_name


def leave(driver: DriverPrincipal) -> str:
    """End the driver's membership when its paid period ends (now, if the fee is unpaid)."""
    current = _current(driver)
    if current is None:
        raise DriverAppError(tr("You are not a member of a plan."))
    if current.ending:
        raise DriverAppError(tr("You have left this plan already. {status}", status=current.status))
    try:
        enrolment.cancel(scope_of(driver), current.id, True, actor_of(driver))
    except FinanceError as exc:
        raise refusal(exc) from exc
    except FinanceNotFound:
        raise DriverAppError(tr("You are not a member of a plan.")) from None
    left = _current(driver)
    return left.status if left is not None else tr("Your membership has ended.")
