"""Plans and memberships as lists (`core.listing` specs): one spec each for the Finance ->
Memberships page, its CSV export and GET /api/v1/membership-plans, /memberships; how a row
is shown on the page.

A membership row carries the included energy its sessions used in its current period
(SessionPayment.included_wh of the sessions that started in it), so the page and the API
show "12.5 of 50 kWh" without a query per row.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from ccms_app.accounts.models import Organisation
from ccms_app.charging.models import ChargingSession
from ccms_app.core.i18n import tr
from ccms_app.core.listing import ListColumn, ListQueryError, ListSpec
from ccms_app.core.money import format_money
from ccms_app.drivers.models import Driver, UserGroup
from ccms_app.finance.memberships.common import HOLDER_KINDS, STATUS_LABELS
from ccms_app.finance.memberships.models import Membership, MembershipPlan, MembershipStatus
from ccms_app.finance.memberships.plans import FEE_COLLECTIONS
from ccms_app.finance.models import Tariff
from ccms_app.finance.payments.models import SessionPayment
from ccms_app.finance.rules.documents import local_text
from ccms_app.finance.rules.memberships import kwh_text, shown_decimal
from ccms_app.finance.wallets.models import HolderKind

# --- plans -----------------------------------------------------------------------------


def _members() -> Any:
    return (
        select(func.count(col(Membership.id)))
        .where(
            col(Membership.plan_id) == col(MembershipPlan.id),
            col(Membership.status).in_((MembershipStatus.ACTIVE, MembershipStatus.PAST_DUE)),
        )
        .scalar_subquery()
    )


def _choice_filter(column: Any, choices: Mapping[str, str], what: str) -> Any:
    def selects(value: Any) -> ColumnElement[bool]:
        if value not in choices:
            raise ListQueryError(f"Unknown {what} {value!r}: choose one of {', '.join(choices)}")
        expression: ColumnElement[bool] = column == value
        return expression

    return selects


PLAN_LIST = ListSpec(
    name="membership plans",
    base=lambda: (
        select(MembershipPlan)
        .join(Organisation, col(Organisation.id) == MembershipPlan.organisation_id)
        .outerjoin(Tariff, col(Tariff.id) == MembershipPlan.member_tariff_id)
    ),
    columns=(
        ListColumn("id", "Plan", MembershipPlan.id),
        ListColumn("name", "Name", MembershipPlan.name, searchable=True),
        ListColumn("description", "Description", MembershipPlan.description, sortable=False),
        ListColumn(
            "organisation_id",
            "Organisation id",
            MembershipPlan.organisation_id,
            filterable=True,
            sortable=False,
        ),
        ListColumn("organisation", "Organisation", Organisation.name),
        ListColumn(
            "monthly_fee_minor", "Monthly fee (minor units)", MembershipPlan.monthly_fee_minor
        ),
        ListColumn("currency", "Currency", MembershipPlan.currency, sortable=False),
        ListColumn(
            "fee_collection",
            "Fee collection",
            MembershipPlan.fee_collection,
            filterable=True,
            filter=_choice_filter(
                col(MembershipPlan.fee_collection), FEE_COLLECTIONS, "fee collection"
            ),
        ),
        ListColumn(
            "discount_percent",
            "Discount %",
            func.nullif(col(MembershipPlan.discount_percent), ""),
            sortable=False,
        ),
        ListColumn(
            "member_tariff_id", "Member tariff id", MembershipPlan.member_tariff_id, sortable=False
        ),
        ListColumn("member_tariff", "Member tariff", Tariff.name, sortable=False),
        ListColumn("included_wh", "Included Wh per period", MembershipPlan.included_wh),
        ListColumn("active", "Offered", MembershipPlan.active, filterable=True),
        ListColumn("members", "Members (active or past due)", _members()),
        ListColumn("created_at", "Created (UTC)", MembershipPlan.created_at),
    ),
    organisation_column=MembershipPlan.organisation_id,
    id_column=MembershipPlan.id,
    default_sort="name",
)


# --- memberships -----------------------------------------------------------------------


def _holder_name() -> Any:
    driver = select(col(Driver.name)).where(col(Driver.id) == col(Membership.holder_id))
    group = select(func.coalesce(func.nullif(col(UserGroup.account_name), ""), UserGroup.name))
    group = group.where(col(UserGroup.id) == col(Membership.holder_id))
    return case(
        (col(Membership.holder_kind) == HolderKind.GROUP, group.scalar_subquery()),
        else_=driver.scalar_subquery(),
    )


def _holder_search(pattern: str) -> ColumnElement[bool]:
    """Holders whose name matches: one search of each table, not a LIKE per row."""
    drivers = select(col(Driver.id)).where(func.lower(Driver.name).like(pattern, escape="\\"))
    groups = select(col(UserGroup.id)).where(
        or_(
            func.lower(UserGroup.name).like(pattern, escape="\\"),
            func.lower(UserGroup.account_name).like(pattern, escape="\\"),
        )
    )
    return or_(
        and_(
            col(Membership.holder_kind) == HolderKind.DRIVER, col(Membership.holder_id).in_(drivers)
        ),
        and_(
            col(Membership.holder_kind) == HolderKind.GROUP, col(Membership.holder_id).in_(groups)
        ),
    )


def _included_used() -> Any:
    """Wh of included energy used in the current period."""
    used = (
        select(func.coalesce(func.sum(SessionPayment.included_wh), 0))
        .join(ChargingSession, col(ChargingSession.id) == col(SessionPayment.session_id))
        .where(
            col(SessionPayment.membership_id) == col(Membership.id),
            col(ChargingSession.start_time) >= col(Membership.current_period_start),
            col(ChargingSession.start_time) < col(Membership.current_period_end),
        )
        .scalar_subquery()
    )
    return func.coalesce(used, literal(0))


def _ends_at_period_end() -> Any:
    return case(
        (
            and_(
                col(Membership.status) != MembershipStatus.CANCELLED,
                col(Membership.cancelled_at).is_not(None),
            ),
            literal(True),
        ),
        else_=literal(False),
    )


MEMBERSHIP_LIST = ListSpec(
    name="memberships",
    base=lambda: select(Membership).join(
        MembershipPlan, col(MembershipPlan.id) == Membership.plan_id
    ),
    columns=(
        ListColumn("id", "Membership", Membership.id),
        ListColumn(
            "organisation_id",
            "Organisation id",
            Membership.organisation_id,
            filterable=True,
            sortable=False,
        ),
        ListColumn(
            "holder_kind",
            "Holder kind",
            Membership.holder_kind,
            filterable=True,
            filter=_choice_filter(col(Membership.holder_kind), HOLDER_KINDS, "holder kind"),
        ),
        ListColumn("holder_id", "Holder id", Membership.holder_id, filterable=True, sortable=False),
        ListColumn("holder_name", "Holder", _holder_name(), searchable=True, search=_holder_search),
        ListColumn("plan_id", "Plan id", Membership.plan_id, filterable=True, sortable=False),
        ListColumn("plan_name", "Plan", MembershipPlan.name, searchable=True),
        ListColumn(
            "status",
            "Status",
            Membership.status,
            filterable=True,
            filter=_choice_filter(col(Membership.status), STATUS_LABELS, "status"),
        ),
        ListColumn(
            "fee_collection",
            "Fee collection",
            MembershipPlan.fee_collection,
            filterable=True,
            sortable=False,
            filter=_choice_filter(
                col(MembershipPlan.fee_collection), FEE_COLLECTIONS, "fee collection"
            ),
        ),
        ListColumn(
            "monthly_fee_minor",
            "Monthly fee (minor units)",
            MembershipPlan.monthly_fee_minor,
            sortable=False,
        ),
        ListColumn("currency", "Currency", MembershipPlan.currency, sortable=False),
        ListColumn("started_at", "Started (UTC)", Membership.started_at),
        ListColumn(
            "current_period_start",
            "Period start (UTC)",
            Membership.current_period_start,
            sortable=False,
        ),
        ListColumn(
            "current_period_end", "Period end (UTC, exclusive)", Membership.current_period_end
        ),
        ListColumn(
            "cancelled_at", "Cancelled / ends at (UTC)", Membership.cancelled_at, sortable=False
        ),
        ListColumn(
            "ends_at_period_end", "Ends at period end", _ends_at_period_end(), sortable=False
        ),
        ListColumn(
            "included_wh", "Included Wh per period", MembershipPlan.included_wh, sortable=False
        ),
        ListColumn(
            "included_used_wh", "Included Wh used this period", _included_used(), sortable=False
        ),
        ListColumn(
            "stripe_subscription_id",
            "Stripe subscription",
            Membership.stripe_subscription_id,
            sortable=False,
        ),
    ),
    organisation_column=Membership.organisation_id,
    id_column=Membership.id,
    default_sort="started_at",
)


# --- rows as the page shows them -------------------------------------------------------


def _money(minor: Any, currency: Any) -> str:
    return "" if minor is None or not currency else format_money(int(minor), str(currency))


def shown_plan(row: Mapping[str, Any]) -> dict[str, str]:
    percent = str(row.get("discount_percent") or "")
    included = int(row.get("included_wh") or 0)
    benefits = [tr("{percent} % off", percent=shown_decimal(percent))] if percent else []
    if row.get("member_tariff"):
        benefits.append(tr("tariff {tariff}", tariff=row["member_tariff"]))
    if included:
        benefits.append(tr("{kwh} kWh included", kwh=shown_decimal(kwh_text(included))))
    collection = str(row.get("fee_collection") or "")
    return {
        "id": str(row.get("id") or ""),
        "name": str(row.get("name") or ""),
        "organisation": str(row.get("organisation") or ""),
        "monthly_fee_minor": _money(row.get("monthly_fee_minor"), row.get("currency")),
        "fee_collection": FEE_COLLECTIONS.get(collection, collection),
        "fee_collection_key": collection,
        "benefits": ", ".join(benefits),
        "members": str(row.get("members") or 0),
        "active": tr("offered") if row.get("active") else tr("not offered"),
        "active_key": "yes" if row.get("active") else "",
    }


def _period(row: Mapping[str, Any], zone: str) -> str:
    start = local_text(row.get("current_period_start"), zone, with_time=False)
    end = local_text(row.get("current_period_end"), zone, with_time=False)
    return tr("{start} to {end}", start=start, end=end) if start and end else ""


def _included(row: Mapping[str, Any]) -> str:
    included = int(row.get("included_wh") or 0)
    if not included:
        return ""
    used = kwh_text(int(row.get("included_used_wh") or 0))
    return tr(
        "{used} of {included} kWh",
        used=shown_decimal(used),
        included=shown_decimal(kwh_text(included)),
    )


def _status(status: str, ends: bool) -> str:
    """ "active · ends at period end" """
    label = tr(STATUS_LABELS[status]) if status in STATUS_LABELS else status
    return tr("{status} · ends at period end", status=label) if ends else label


def shown_membership(row: Mapping[str, Any], zone: str) -> dict[str, str]:
    status = str(row.get("status") or "")
    collection = str(row.get("fee_collection") or "")
    ends = bool(row.get("ends_at_period_end"))
    kind = str(row.get("holder_kind") or "")
    return {
        "id": str(row.get("id") or ""),
        "holder_name": str(row.get("holder_name") or ""),
        "holder_kind": HOLDER_KINDS.get(kind, kind),
        "plan_name": str(row.get("plan_name") or ""),
        "status": _status(status, ends),
        "status_key": status,
        "started_at": local_text(row.get("started_at"), zone, with_time=False),
        "current_period_end": _period(row, zone),
        "fee_collection": FEE_COLLECTIONS.get(collection, collection),
        "fee": _money(row.get("monthly_fee_minor"), row.get("currency")),
        "included": _included(row),
        "cancellable": "" if status == MembershipStatus.CANCELLED else "yes",
        "ends_at_period_end": "yes" if ends else "",
    }
