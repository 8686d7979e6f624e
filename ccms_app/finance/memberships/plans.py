"""Membership plans: create, edit, deactivate (Finance -> Memberships and /membership-plans).

A plan belongs to an organisation (operator or sub-operator) and charges its monthly fee in
that organisation's billing currency, from the member's wallet or as a Stripe subscription on
the member's saved card. It gives at least one benefit: a discount percent off each session,
a member tariff (a tariff of the same organisation, not archived), included kWh per period.

Forms arrive as strings (the page's inputs, the API's body turned into the same strings);
every wrong field is named at once (FinanceError.errors). A deactivated plan takes no new
members; its members keep it until they cancel. A changed fee applies from each wallet
member's next period; a Stripe subscription keeps the price it was created with. How the fee
is collected cannot change while the plan has members (their subscriptions or wallet
charges would no longer match it).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ccms_app.accounts.models import Organisation
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.i18n import N_, tr
from ccms_app.core.money import MoneyError, format_minor, parse_minor
from ccms_app.core.rows import stored_id
from ccms_app.finance.errors import FinanceError, FinanceNotFound
from ccms_app.finance.memberships.common import LIVE_STATUSES, billing_currency
from ccms_app.finance.memberships.models import FeeCollection, Membership, MembershipPlan
from ccms_app.finance.models import Tariff
from ccms_app.finance.rules.memberships import (
    MembershipRuleError,
    has_benefit,
    kwh_text,
    parse_included_wh,
    parse_percent,
    percent_text,
    stored_percent,
)

NAME_MAX = 100
DESCRIPTION_MAX = 500
FEE_COLLECTIONS: dict[str, str] = {
    FeeCollection.WALLET: N_("from the wallet"),
    FeeCollection.STRIPE: N_("card subscription (Stripe)"),
}
FORM_FIELDS = (
    "name",
    "description",
    "monthly_fee",
    "fee_collection",
    "discount_percent",
    "member_tariff_id",
    "included_kwh",
)
BENEFITS = "benefits"  # the form's error for "no benefit at all"
NOT_SAVED = N_("Not saved: check the fields marked.")


@dataclass(frozen=True)
class PlanView:
    id: int
    organisation_id: int
    name: str
    description: str
    monthly_fee_minor: int
    currency: str
    fee_collection: str
    discount_percent: Decimal | None
    member_tariff_id: int | None
    member_tariff_name: str
    included_wh: int
    active: bool
    members: int  # active and past-due memberships
    created_at: datetime

    @property
    def fee_text(self) -> str:
        return format_minor(self.monthly_fee_minor, self.currency)


def plan_form(view: PlanView | None = None) -> dict[str, str]:
    """The plan as the form's strings (empty for a new plan)."""
    if view is None:
        return {name: "" for name in FORM_FIELDS} | {"fee_collection": FeeCollection.WALLET}
    return {
        "name": view.name,
        "description": view.description,
        "monthly_fee": format_minor(view.monthly_fee_minor, view.currency, with_code=False),
        "fee_collection": view.fee_collection,
        "discount_percent": percent_text(view.discount_percent),
        "member_tariff_id": str(view.member_tariff_id or ""),
        "included_kwh": kwh_text(view.included_wh) if view.included_wh else "",
    }


# --- reading ---------------------------------------------------------------------------


def _members(db: Session, plan_id: int) -> int:
    return int(
        db.exec(
            select(func.count(col(Membership.id))).where(
                Membership.plan_id == plan_id, col(Membership.status).in_(LIVE_STATUSES)
            )
        ).one()
    )


def _view(db: Session, plan: MembershipPlan) -> PlanView:
    tariff = db.get(Tariff, plan.member_tariff_id) if plan.member_tariff_id else None
    return PlanView(
        id=stored_id(plan.id),
        organisation_id=plan.organisation_id,
        name=plan.name,
        description=plan.description,
        monthly_fee_minor=plan.monthly_fee_minor,
        currency=plan.currency,
        fee_collection=plan.fee_collection,
        discount_percent=stored_percent(plan.discount_percent),
        member_tariff_id=plan.member_tariff_id,
        member_tariff_name=tariff.name if tariff is not None else "",
        included_wh=plan.included_wh,
        active=plan.active,
        members=_members(db, stored_id(plan.id)),
        created_at=plan.created_at,
    )


def _plan_in_scope(db: Session, scope: Collection[int], plan_id: int) -> MembershipPlan:
    plan = db.get(MembershipPlan, plan_id)
    if plan is None or plan.organisation_id not in scope:
        raise FinanceNotFound(tr("Membership plan {plan_id} does not exist", plan_id=plan_id))
    return plan


def get_plan(scope: Collection[int], plan_id: int) -> PlanView:
    with read_session() as db:
        return _view(db, _plan_in_scope(db, scope, plan_id))


def plan_choices(scope: Collection[int], offered_only: bool = True) -> list[tuple[int, str]]:
    """(id, "Gold · 9.90 EUR / month") of the plans in scope (those offered: for the enrol
    form; all: for the members list's filter)."""
    query = select(MembershipPlan).where(col(MembershipPlan.organisation_id).in_(list(scope)))
    if offered_only:
        query = query.where(col(MembershipPlan.active))
    with read_session() as db:
        plans = db.exec(query.order_by(col(MembershipPlan.name))).all()
        return [
            (
                stored_id(p.id),
                tr(
                    "{plan} · {fee} / month",
                    plan=p.name,
                    fee=format_minor(p.monthly_fee_minor, p.currency),
                ),
            )
            for p in plans
        ]


def tariff_choices(scope: Collection[int]) -> list[tuple[int, str]]:
    """(id, name) of the tariffs a plan may give as member tariff (not archived)."""
    with read_session() as db:
        rows = db.exec(
            select(Tariff.id, Tariff.name)
            .where(col(Tariff.organisation_id).in_(list(scope)), col(Tariff.archived).is_(False))
            .order_by(col(Tariff.name))
        ).all()
    return [(stored_id(i), name) for i, name in rows]


def organisation_choices(scope: Collection[int]) -> list[tuple[int, str]]:
    with read_session() as db:
        rows = db.exec(
            select(Organisation.id, Organisation.name)
            .where(col(Organisation.id).in_(list(scope)))
            .order_by(col(Organisation.name))
        ).all()
    return [(stored_id(i), name) for i, name in rows]


# --- checking --------------------------------------------------------------------------


def _fee(form: Mapping[str, str], currency: str, errors: dict[str, str]) -> int:
    """The fee as typed ("9.90") or, from the API, already in minor units."""
    if "monthly_fee_minor" in form:
        raw = form["monthly_fee_minor"].strip()
        if not raw.isdigit():
            errors["monthly_fee_minor"] = tr("The fee is a whole number of minor units, 0 or more")
            return 0
        return int(raw)
    try:
        return parse_minor(form.get("monthly_fee", "").strip() or "0", currency)
    except MoneyError as exc:
        errors["monthly_fee"] = tr("{exc} (in {currency})", exc=exc, currency=currency)
        return 0


def _tariff_id(
    db: Session, form: Mapping[str, str], organisation_id: int, errors: dict[str, str]
) -> int | None:
    raw = form.get("member_tariff_id", "").strip()
    if not raw:
        return None
    tariff = db.get(Tariff, int(raw)) if raw.isdigit() else None
    if tariff is None or tariff.organisation_id != organisation_id:
        errors["member_tariff_id"] = tr("Choose a tariff of the plan's organisation")
        return None
    if tariff.archived:
        errors["member_tariff_id"] = tr("{tariff} is archived", tariff=tariff.name)
        return None
    return stored_id(tariff.id)


def _name(
    db: Session,
    form: Mapping[str, str],
    organisation_id: int,
    plan_id: int | None,
    errors: dict[str, str],
) -> str:
    name = " ".join(form.get("name", "").split())
    if not name:
        errors["name"] = tr("Give the plan a name")
    elif len(name) > NAME_MAX:
        errors["name"] = tr("At most {name_max} characters", name_max=NAME_MAX)
    else:
        same = db.exec(
            select(MembershipPlan.id).where(
                MembershipPlan.organisation_id == organisation_id,
                func.lower(MembershipPlan.name) == name.lower(),
            )
        ).first()
        if same is not None and same != plan_id:
            errors["name"] = tr("A plan named {name} exists already", name=name)
    return name


def _checked(
    db: Session,
    form: Mapping[str, str],
    organisation_id: int,
    currency: str,
    plan: MembershipPlan | None,
) -> dict[str, Any]:
    """The clean plan values, or FinanceError naming every wrong field."""
    errors: dict[str, str] = {}
    plan_id = plan.id if plan is not None else None
    values: dict[str, Any] = {
        "name": _name(db, form, organisation_id, plan_id, errors),
        "description": form.get("description", "").strip(),
        "monthly_fee_minor": _fee(form, currency, errors),
        "member_tariff_id": _tariff_id(db, form, organisation_id, errors),
    }
    if len(values["description"]) > DESCRIPTION_MAX:
        errors["description"] = tr(
            "At most {description_max} characters", description_max=DESCRIPTION_MAX
        )
    collection = form.get("fee_collection", "").strip().lower()
    if collection not in FEE_COLLECTIONS:
        errors["fee_collection"] = tr("Choose wallet or stripe")
    elif plan is not None and collection != plan.fee_collection and _members(db, plan_id or 0):
        errors["fee_collection"] = tr("The plan has members: cancel them first to change this")
    values["fee_collection"] = collection
    fee_field = "monthly_fee_minor" if "monthly_fee_minor" in form else "monthly_fee"
    if collection == FeeCollection.STRIPE and not values["monthly_fee_minor"]:
        errors.setdefault(fee_field, tr("A card subscription needs a fee above 0"))
    percent: Decimal | None = None
    try:
        percent = parse_percent(form.get("discount_percent", ""))
    except MembershipRuleError as exc:
        errors["discount_percent"] = str(exc)
    values["discount_percent"] = percent_text(percent)
    try:
        values["included_wh"] = parse_included_wh(form.get("included_kwh", ""))
    except MembershipRuleError as exc:
        errors["included_kwh"], values["included_wh"] = str(exc), 0
    if not has_benefit(percent, values["member_tariff_id"], values["included_wh"]) and not (
        {"discount_percent", "member_tariff_id", "included_kwh"} & errors.keys()
    ):
        errors[BENEFITS] = tr(
            "Give at least one benefit: a discount, a member tariff or included kWh"
        )
    if errors:
        raise FinanceError(tr(NOT_SAVED), errors)
    return values


# --- changes ---------------------------------------------------------------------------


def create_plan(
    scope: Collection[int], organisation_id: int, form: Mapping[str, str], actor: str
) -> PlanView:
    """A new plan of `organisation_id` (in scope), in its billing currency."""
    del actor  # plans carry no author; the audit log records who (API / page)
    with session_scope() as db:
        if organisation_id not in scope or db.get(Organisation, organisation_id) is None:
            raise FinanceError(tr(NOT_SAVED), {"organisation_id": tr("No such organisation")})
        currency = billing_currency(db, organisation_id)
        values = _checked(db, form, organisation_id, currency, None)
        plan = MembershipPlan(organisation_id=organisation_id, currency=currency, **values)
        db.add(plan)
        _flush(db)
        return _view(db, plan)


def update_plan(scope: Collection[int], plan_id: int, form: Mapping[str, str]) -> PlanView:
    """Change a plan (every field of the form; `active` "true" / "false" if given)."""
    with session_scope() as db:
        plan = _plan_in_scope(db, scope, plan_id)
        values = _checked(db, form, plan.organisation_id, plan.currency, plan)
        for name, value in values.items():
            setattr(plan, name, value)
        if "active" in form:
            plan.active = form["active"].strip().lower() in ("true", "1", "yes")
        db.add(plan)
        _flush(db)
        return _view(db, plan)


def set_plan_active(scope: Collection[int], plan_id: int, active: bool) -> PlanView:
    """Deactivate (no new members; members keep it) or offer it again."""
    with session_scope() as db:
        plan = _plan_in_scope(db, scope, plan_id)
        plan.active = active
        db.add(plan)
        db.flush()
        return _view(db, plan)


def _flush(db: Session) -> None:
    try:
        db.flush()
    except IntegrityError as exc:  # the same name saved meanwhile
        message = tr("A plan with this name exists already")
        raise FinanceError(tr(NOT_SAVED), {"name": message}) from exc
