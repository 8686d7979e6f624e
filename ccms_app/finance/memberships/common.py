"""What the membership use cases share: holders, the billing zone periods are read in, the
messages for the operator, and the period a moment falls in."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from ccms_app.core.display import time_zone
from ccms_app.core.i18n import N_
from ccms_app.drivers.models import Driver, UserGroup
from ccms_app.finance.memberships.models import Membership, MembershipStatus
from ccms_app.finance.models import BillingProfile
from ccms_app.finance.rules.memberships import period_at
from ccms_app.finance.wallets.models import HolderKind

HOLDER_KINDS: dict[str, str] = {
    HolderKind.DRIVER: N_("driver"),
    HolderKind.GROUP: N_("group account"),
}
LIVE_STATUSES = (MembershipStatus.ACTIVE, MembershipStatus.PAST_DUE)  # one per holder
STATUS_LABELS: dict[str, str] = {
    MembershipStatus.ACTIVE: N_("active"),
    MembershipStatus.PAST_DUE: N_("past due"),
    MembershipStatus.CANCELLED: N_("cancelled"),
}


def billing_zone(db: Session, organisation_id: int) -> ZoneInfo:
    """The organisation's billing time zone (Finance -> Billing settings; UTC without one)."""
    profile = db.get(BillingProfile, organisation_id)
    return time_zone(profile.time_zone if profile is not None else "UTC")


def billing_currency(db: Session, organisation_id: int) -> str:
    profile = db.get(BillingProfile, organisation_id)
    return profile.currency if profile is not None else "EUR"


def holder_row(db: Session, holder_kind: str, holder_id: int) -> Driver | UserGroup | None:
    if holder_kind == HolderKind.DRIVER:
        return db.get(Driver, holder_id)
    if holder_kind == HolderKind.GROUP:
        return db.get(UserGroup, holder_id)
    return None


def holder_in_scope(
    db: Session, holder_kind: str, holder_id: int, scope: Collection[int]
) -> Driver | UserGroup | None:
    """The driver or group account, None when it does not exist for this caller."""
    row = holder_row(db, holder_kind, holder_id)
    return row if row is not None and row.organisation_id in scope else None


def holder_label(row: Driver | UserGroup) -> str:
    if isinstance(row, UserGroup):
        return row.account_name or row.name
    return row.name


def period_of(db: Session, membership: Membership, at: datetime) -> tuple[datetime, datetime]:
    """The membership's period containing `at`: the stored current one when `at` is in it
    (Stripe's periods for card plans), else counted monthly from its start."""
    if membership.current_period_start <= at < membership.current_period_end:
        return membership.current_period_start, membership.current_period_end
    zone = billing_zone(db, membership.organisation_id)
    return period_at(membership.started_at, at, zone)
