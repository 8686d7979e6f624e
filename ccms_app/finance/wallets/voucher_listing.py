"""Vouchers and their redemptions as lists (`ListSpec`s): the Finance -> Vouchers page and
GET /api/v1/vouchers, /vouchers/{id}/redemptions read through them, scoped by organisation.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import case, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from ccms_app.core import listing
from ccms_app.core.i18n import N_, tr
from ccms_app.core.listing import ListColumn, ListPage, ListQuery, ListQueryError, ListSpec
from ccms_app.core.money import format_money
from ccms_app.core.types import utc_now
from ccms_app.drivers.models import Driver, UserGroup
from ccms_app.finance.rules.documents import local_text
from ccms_app.finance.wallets.holders import KIND_LABELS, unnamed_holder
from ccms_app.finance.wallets.models import (
    HolderKind,
    RedemptionState,
    Voucher,
    VoucherKind,
    VoucherRedemption,
)

STATE_LABELS: dict[str, str] = {
    RedemptionState.CREDITED: N_("credited"),
    RedemptionState.PENDING: N_("pending (next session)"),
    RedemptionState.USED: N_("used on a session"),
}


def _kind_filter(value: Any) -> ColumnElement[bool]:
    if value not in (VoucherKind.VALUE, VoucherKind.PERCENT):
        raise ListQueryError(f"Unknown voucher kind {value!r}: choose value or percent")
    return col(Voucher.kind) == value


VOUCHER_LIST = ListSpec(
    name="vouchers",
    base=lambda: select(Voucher),
    columns=(
        ListColumn("id", "Voucher", Voucher.id),
        ListColumn("code", "Code", Voucher.code, searchable=True),
        ListColumn("description", "Description", Voucher.description, searchable=True),
        ListColumn("kind", "Kind", Voucher.kind, filterable=True, filter=_kind_filter),
        ListColumn("value_minor", "Value (minor units)", Voucher.value_minor, sortable=False),
        ListColumn("percent", "Percent", Voucher.percent, sortable=False),
        ListColumn("currency", "Currency", Voucher.currency, sortable=False),
        ListColumn("redemption_count", "Redemptions", Voucher.redemption_count),
        ListColumn("max_redemptions", "Redemptions allowed", Voucher.max_redemptions),
        ListColumn("per_holder_limit", "Per holder", Voucher.per_holder_limit, sortable=False),
        ListColumn("valid_from", "Valid from (UTC)", Voucher.valid_from),
        ListColumn("valid_until", "Valid until (UTC)", Voucher.valid_until),
        ListColumn("active", "Active", Voucher.active, filterable=True),
        ListColumn(
            "organisation_id",
            "Organisation id",
            Voucher.organisation_id,
            filterable=True,
            sortable=False,
        ),
        ListColumn("created_at", "Created (UTC)", Voucher.created_at),
    ),
    organisation_column=Voucher.organisation_id,
    id_column=Voucher.id,
    default_sort="created_at",
)


def _holder_name() -> Any:
    driver = select(col(Driver.name)).where(col(Driver.id) == col(VoucherRedemption.holder_id))
    group = select(col(UserGroup.name)).where(col(UserGroup.id) == col(VoucherRedemption.holder_id))
    return case(
        (col(VoucherRedemption.holder_kind) == HolderKind.DRIVER, driver.scalar_subquery()),
        else_=group.scalar_subquery(),
    )


def _voucher_code() -> Any:
    return (
        select(col(Voucher.code))
        .where(col(Voucher.id) == col(VoucherRedemption.voucher_id))
        .scalar_subquery()
    )


REDEMPTION_LIST = ListSpec(
    name="voucher redemptions",
    base=lambda: select(VoucherRedemption),
    columns=(
        ListColumn("id", "Redemption", VoucherRedemption.id),
        ListColumn("voucher_id", "Voucher id", VoucherRedemption.voucher_id, filterable=True),
        ListColumn("code", "Code", _voucher_code(), sortable=False),
        ListColumn("holder_kind", "Holder kind", VoucherRedemption.holder_kind, filterable=True),
        ListColumn("holder_id", "Holder id", VoucherRedemption.holder_id, filterable=True),
        ListColumn("holder", "Holder", _holder_name(), sortable=False),
        ListColumn("holder_ordinal", "Holder's n-th", VoucherRedemption.holder_ordinal),
        ListColumn("state", "State", VoucherRedemption.state, filterable=True),
        ListColumn("amount_minor", "Amount (minor units)", VoucherRedemption.amount_minor),
        ListColumn("session_id", "Charging session", VoucherRedemption.session_id),
        ListColumn(
            "ledger_transaction_id",
            "Ledger transaction",
            VoucherRedemption.ledger_transaction_id,
            sortable=False,
        ),
        ListColumn("created_by", "Redeemed by", VoucherRedemption.created_by, sortable=False),
        ListColumn("created_at", "Redeemed (UTC)", VoucherRedemption.created_at),
    ),
    organisation_column=VoucherRedemption.organisation_id,
    id_column=VoucherRedemption.id,
    default_sort="created_at",
)


def redemptions_of(voucher_id: int) -> ListSpec:
    """The redemption list of one voucher."""
    base = REDEMPTION_LIST.base
    return dataclasses.replace(
        REDEMPTION_LIST,
        base=lambda: base().where(col(VoucherRedemption.voucher_id) == voucher_id),
    )


def fetch_redemptions(voucher_id: int, query: ListQuery, scope: Collection[int]) -> ListPage:
    return listing.fetch_page(redemptions_of(voucher_id), query, scope)


# --- rows as the page shows them ---------------------------------------------------------


def gives_text(kind: str, value_minor: int, percent: str, currency: str) -> str:
    """ "€5.00 bonus" or "15 % off the next session"."""
    if kind == VoucherKind.PERCENT:
        return tr("{percent} % off the next session", percent=percent)
    return tr("{amount} bonus", amount=format_money(value_minor, currency))


def used_text(count: int, limit: int | None) -> str:
    if limit is None:
        return tr("{count} / unlimited", count=count)
    return f"{count} / {limit}"


def _validity(row: Mapping[str, Any], zone: str, now: datetime) -> str:
    since, until = row.get("valid_from"), row.get("valid_until")
    if not row.get("active"):
        return tr("deactivated")
    if until is not None and now >= until:
        return tr("expired {when}", when=local_text(until, zone))
    if since is not None and now < since:
        return tr("from {when}", when=local_text(since, zone))
    if until is not None:
        return tr("until {when}", when=local_text(until, zone))
    return tr("valid")


def shown_voucher(row: Mapping[str, Any], zone: str, now: datetime | None = None) -> dict[str, str]:
    count, limit = int(row.get("redemption_count") or 0), row.get("max_redemptions")
    currency = str(row.get("currency") or "EUR")
    return {
        "id": str(row.get("id") or ""),
        "code": str(row.get("code") or ""),
        "description": str(row.get("description") or ""),
        "kind": str(row.get("kind") or ""),
        "gives": gives_text(
            str(row.get("kind") or ""),
            int(row.get("value_minor") or 0),
            str(row.get("percent") or ""),
            currency,
        ),
        "used": used_text(count, None if limit is None else int(limit)),
        "per_holder": str(row.get("per_holder_limit") or 1),
        "validity": _validity(row, zone, now or utc_now()),
        "active": "yes" if row.get("active") else "",
        "created_at": local_text(row.get("created_at"), zone),
    }


def shown_redemption(row: Mapping[str, Any], zone: str, currency: str) -> dict[str, str]:
    kind, state = str(row.get("holder_kind") or ""), str(row.get("state") or "")
    amount = int(row.get("amount_minor") or 0)
    return {
        "id": str(row.get("id") or ""),
        "holder": str(row.get("holder") or unnamed_holder(kind, row.get("holder_id"))),
        "holder_kind": KIND_LABELS.get(kind, kind),
        "holder_url": f"/finance/wallets/{kind}/{row.get('holder_id') or ''}",
        "state": STATE_LABELS.get(state, state),
        "amount": format_money(amount, currency) if amount else "",
        "session_id": str(row.get("session_id") or ""),
        "created_by": str(row.get("created_by") or ""),
        "created_at": local_text(row.get("created_at"), zone),
    }
