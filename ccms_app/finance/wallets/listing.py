"""Every wallet of the operator's network as one `ListSpec` (WALLET_LIST): the Finance ->
Wallets page, its CSV export and GET /api/v1/wallets read through it.

A row per holder (each driver and each group account, with or without ledger entries), its
payment method (`PaymentAccount`; "invoice" without a row) and its balance in the
organisation's billing currency: paid, bonus, total and the last movement are one aggregate
of the ledger joined by holder, so sorting and filtering by balance happen in SQL.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import String, and_, case, cast, func, literal, or_, select, union_all
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from ccms_app.accounts.models import Organisation
from ccms_app.core import listing
from ccms_app.core.i18n import N_
from ccms_app.core.listing import ListColumn, ListQuery, ListQueryError, ListSpec
from ccms_app.core.money import format_minor, format_money
from ccms_app.core.rows import table_of
from ccms_app.drivers.models import Driver, UserGroup
from ccms_app.finance.models import BillingProfile
from ccms_app.finance.payments.models import PaymentAccount, PaymentMethod
from ccms_app.finance.rules.documents import local_text
from ccms_app.finance.wallets.holders import KIND_LABELS
from ccms_app.finance.wallets.models import (
    AccountKind,
    Bucket,
    HolderKind,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
)

ACCOUNTS = table_of(LedgerAccount)
ENTRIES = table_of(LedgerEntry)
TRANSACTIONS = table_of(LedgerTransaction)
PROFILES = table_of(BillingProfile)
PAYMENT_ACCOUNTS = table_of(PaymentAccount)

BALANCE_FILTERS: dict[str, str] = {
    "negative": N_("below zero"),
    "positive": N_("credit left"),
    "zero": N_("zero"),
}
METHOD_LABELS: dict[str, str] = {
    PaymentMethod.WALLET: N_("prepaid wallet"),
    PaymentMethod.CARD: N_("card"),
    PaymentMethod.INVOICE: N_("invoice"),
    PaymentMethod.FREE: N_("free"),
}

_HOLDERS = union_all(
    select(
        literal(HolderKind.DRIVER.value, String).label("holder_kind"),
        col(Driver.id).label("holder_id"),
        col(Driver.organisation_id).label("organisation_id"),
        col(Driver.name).label("name"),
        col(Driver.email).label("detail"),
    ),
    select(
        literal(HolderKind.GROUP.value, String),
        col(UserGroup.id),
        col(UserGroup.organisation_id),
        case(
            (col(UserGroup.account_name) != "", col(UserGroup.account_name)), else_=UserGroup.name
        ),
        col(UserGroup.name),
    ),
).subquery("holder")


def _sum_of(bucket: str) -> Any:
    return func.sum(case((ENTRIES.c.bucket == bucket, ENTRIES.c.amount_minor), else_=0))


_BALANCES = (
    select(
        ACCOUNTS.c.holder_kind,
        ACCOUNTS.c.holder_id,
        ACCOUNTS.c.currency,
        _sum_of(Bucket.PAID).label("paid_minor"),
        _sum_of(Bucket.BONUS).label("bonus_minor"),
        func.max(TRANSACTIONS.c.created_at).label("last_movement"),
    )
    .join(ENTRIES, ENTRIES.c.account_id == ACCOUNTS.c.id)
    .join(TRANSACTIONS, TRANSACTIONS.c.id == ENTRIES.c.transaction_id)
    .where(ACCOUNTS.c.kind == AccountKind.WALLET)
    .group_by(ACCOUNTS.c.holder_kind, ACCOUNTS.c.holder_id, ACCOUNTS.c.currency)
    .subquery("wallet_balance")
)

_CURRENCY = func.upper(func.coalesce(PROFILES.c.currency, literal("EUR")))
_PAID = func.coalesce(_BALANCES.c.paid_minor, 0)
_BONUS = func.coalesce(_BALANCES.c.bonus_minor, 0)
_TOTAL = _PAID + _BONUS


def _method() -> Any:
    """The holder's payment method; "invoice" without a payment account row."""
    return func.coalesce(PAYMENT_ACCOUNTS.c.method, literal(PaymentMethod.INVOICE.value))


KEY = _HOLDERS.c.holder_kind + literal(":") + cast(_HOLDERS.c.holder_id, String)
# The row's number for ordering ties and keyset cursors (which take whole numbers): a
# driver's id doubled, a group's doubled plus one.
ROW_NUMBER = _HOLDERS.c.holder_id * 2 + case(
    (_HOLDERS.c.holder_kind == HolderKind.GROUP.value, 1), else_=0
)


def _base() -> Any:
    holder = _HOLDERS.c
    return (
        select(holder.holder_kind)
        .select_from(_HOLDERS)
        .outerjoin(PROFILES, PROFILES.c.organisation_id == holder.organisation_id)
        .outerjoin(
            PAYMENT_ACCOUNTS,
            and_(
                PAYMENT_ACCOUNTS.c.holder_kind == holder.holder_kind,
                PAYMENT_ACCOUNTS.c.holder_id == holder.holder_id,
            ),
        )
        .outerjoin(
            _BALANCES,
            and_(
                _BALANCES.c.holder_kind == holder.holder_kind,
                _BALANCES.c.holder_id == holder.holder_id,
                _BALANCES.c.currency == _CURRENCY,
            ),
        )
    )


def _kind_filter(value: Any) -> ColumnElement[bool]:
    if value not in KIND_LABELS:
        raise ListQueryError(f"Unknown holder kind {value!r}: choose driver or group")
    return _HOLDERS.c.holder_kind == value


def _method_filter(value: Any) -> ColumnElement[bool]:
    if value not in METHOD_LABELS:
        raise ListQueryError(
            f"Unknown payment method {value!r}: choose one of {', '.join(METHOD_LABELS)}"
        )
    expression: ColumnElement[bool] = _method() == value
    return expression


def _balance_state() -> Any:
    """ "negative" (a debt), "positive" (credit left) or "zero"."""
    return case(
        (or_(_PAID < 0, _TOTAL < 0), literal("negative")),
        (_TOTAL > 0, literal("positive")),
        else_=literal("zero"),
    )


def _balance_filter(value: Any) -> ColumnElement[bool]:
    if value not in BALANCE_FILTERS:
        choices = ", ".join(BALANCE_FILTERS)
        raise ListQueryError(f"Unknown balance filter {value!r}: choose one of {choices}")
    expression: ColumnElement[bool] = _balance_state() == value
    return expression


def _organisation_name() -> Any:
    return (
        select(col(Organisation.name))
        .where(col(Organisation.id) == _HOLDERS.c.organisation_id)
        .scalar_subquery()
    )


WALLET_LIST = ListSpec(
    name="wallets",
    base=_base,
    columns=(
        ListColumn("id", "Wallet", KEY, sortable=False),
        ListColumn(
            "holder_kind",
            "Holder kind",
            _HOLDERS.c.holder_kind,
            filterable=True,
            filter=_kind_filter,
        ),
        ListColumn("holder_id", "Holder id", _HOLDERS.c.holder_id, sortable=False),
        ListColumn("name", "Holder", _HOLDERS.c.name, searchable=True),
        ListColumn("detail", "E-mail / group", _HOLDERS.c.detail, searchable=True, sortable=False),
        ListColumn(
            "organisation_id",
            "Organisation id",
            _HOLDERS.c.organisation_id,
            filterable=True,
            sortable=False,
        ),
        ListColumn("organisation", "Organisation", _organisation_name(), sortable=False),
        ListColumn("method", "Payment method", _method(), filterable=True, filter=_method_filter),
        ListColumn("currency", "Currency", _CURRENCY, sortable=False),
        ListColumn("paid_minor", "Paid (minor units)", _PAID),
        ListColumn("bonus_minor", "Bonus (minor units)", _BONUS),
        ListColumn("total_minor", "Total (minor units)", _TOTAL),
        ListColumn(
            "balance",
            "Balance",
            _balance_state(),
            filterable=True,
            sortable=False,
            filter=_balance_filter,
        ),
        ListColumn("last_movement", "Last movement (UTC)", _BALANCES.c.last_movement),
    ),
    organisation_column=_HOLDERS.c.organisation_id,
    id_column=ROW_NUMBER,
    default_sort="name",
)


def shown_wallet(row: Mapping[str, Any], zone: str) -> dict[str, str]:
    """One wallet as the page shows it: money with its currency, the last movement in the
    operator's `zone`, the kind and method in words."""
    currency = str(row.get("currency") or "EUR")
    paid, bonus = int(row.get("paid_minor") or 0), int(row.get("bonus_minor") or 0)
    kind = str(row.get("holder_kind") or "")
    method = str(row.get("method") or PaymentMethod.INVOICE)
    return {
        "id": str(row.get("id") or ""),
        "holder_kind": kind,
        "holder_id": str(row.get("holder_id") or ""),
        "kind": KIND_LABELS.get(kind, kind),
        "name": str(row.get("name") or ""),
        "detail": str(row.get("detail") or ""),
        "organisation": str(row.get("organisation") or ""),
        "method": METHOD_LABELS.get(method, method),
        "method_key": method,
        "paid": format_money(paid, currency),
        "bonus": format_money(bonus, currency),
        "total": format_money(paid + bonus, currency),
        "total_value": format_minor(paid + bonus, currency, False),
        "paid_value": format_minor(paid, currency, False),
        "bonus_value": format_minor(bonus, currency, False),
        "currency": currency,
        "negative": "yes" if paid < 0 or paid + bonus < 0 else "",
        "last_movement": local_text(row.get("last_movement"), zone),
        "url": f"/finance/wallets/{kind}/{row.get('holder_id') or ''}",
    }


EXPORT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("name", "Holder"),
    ("kind", "Kind"),
    ("detail", "E-mail / group"),
    ("organisation", "Organisation"),
    ("method", "Payment method"),
    ("paid_value", "Paid"),
    ("bonus_value", "Bonus"),
    ("total_value", "Total"),
    ("currency", "Currency"),
    ("last_movement", "Last movement"),
)


def _export_rows(rows: Iterator[dict[str, Any]], zone: str) -> Iterator[dict[str, Any]]:
    """Rows as the page shows them, amounts as Decimals (a negative amount is a number, not
    text a spreadsheet would run)."""
    for row in rows:
        shown: dict[str, Any] = dict(shown_wallet(row, zone))
        for key in ("paid_value", "bonus_value", "total_value"):
            shown[key] = Decimal(shown[key])
        yield shown


def export_wallets_csv(query: ListQuery, scope: list[int], zone: str) -> str:
    """Every wallet the page's filters match (all pages, list order), as the page shows it."""
    return listing.to_csv(
        EXPORT_COLUMNS, _export_rows(listing.iter_rows(WALLET_LIST, query, scope), zone)
    )
