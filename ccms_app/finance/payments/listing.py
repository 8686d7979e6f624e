"""Payments and top-ups as lists (`core.listing` specs): the Finance -> Payments and
Finance -> Top-ups pages, their CSV exports and GET /api/v1/payments, /top-ups read them.

The reconciliation list is the payments list filtered on `mismatch`. Amounts are integer
minor units of `currency`; `shown_*` turn a row into the page's words (times in the
operator's zone, money with its symbol).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import case, literal, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from ccms_app.accounts.models import Organisation
from ccms_app.core.i18n import N_, tr
from ccms_app.core.listing import ListColumn, ListQueryError, ListSpec
from ccms_app.core.money import format_money
from ccms_app.drivers.models import Driver, UserGroup
from ccms_app.finance.payments.models import (
    Payment,
    PaymentKind,
    PaymentStatus,
    TopUp,
    TopUpPackage,
    TopUpState,
)
from ccms_app.finance.rules.documents import local_text
from ccms_app.finance.rules.payments import mismatch_text
from ccms_app.finance.wallets.models import HolderKind

KIND_LABELS: dict[str, str] = {
    PaymentKind.CARD_HOLD: N_("card (hold)"),
    PaymentKind.CARD_EXCESS: N_("card (excess)"),
    PaymentKind.TOP_UP: N_("top-up"),
    PaymentKind.MEMBERSHIP_FEE: N_("membership fee"),
    PaymentKind.REFUND: N_("refund"),
}
STATUS_LABELS: dict[str, str] = {
    PaymentStatus.SUCCEEDED: N_("succeeded"),
    PaymentStatus.AUTHORIZED: N_("authorized"),
    PaymentStatus.PENDING: N_("pending"),
    PaymentStatus.REQUIRES_ACTION: N_("requires action"),
    PaymentStatus.CANCELED: N_("canceled"),
    PaymentStatus.FAILED: N_("failed"),
    PaymentStatus.REFUNDED: N_("refunded"),
}
TOP_UP_STATES: tuple[str, ...] = tuple(state.value for state in TopUpState)
HOLDER_KINDS: tuple[str, ...] = tuple(kind.value for kind in HolderKind)


def _holder_name(kind_column: Any, id_column: Any) -> Any:
    driver = select(col(Driver.name)).where(col(Driver.id) == id_column).scalar_subquery()
    group = select(col(UserGroup.name)).where(col(UserGroup.id) == id_column).scalar_subquery()
    return case(
        (kind_column == HolderKind.DRIVER, driver),
        (kind_column == HolderKind.GROUP, group),
        else_=literal(""),
    )


def _choice(name: str, column: Any, allowed: Mapping[str, str] | tuple[str, ...]) -> Any:
    def select_value(value: Any) -> ColumnElement[bool]:
        if value not in allowed:
            raise ListQueryError(
                tr(
                    "Unknown {name} {value}: choose one of {choices}",
                    name=name,
                    value=repr(value),
                    choices=", ".join(allowed),
                )
            )
        expression: ColumnElement[bool] = column == value
        return expression

    return select_value


def _organisation_name(org_column: Any) -> Any:
    return (
        select(col(Organisation.name)).where(col(Organisation.id) == org_column).scalar_subquery()
    )


PAYMENT_LIST = ListSpec(
    name="payments",
    base=lambda: select(Payment),
    columns=(
        ListColumn("id", "Payment", Payment.id),
        ListColumn("created_at", "Created (UTC)", Payment.created_at),
        ListColumn(
            "kind",
            "Kind",
            Payment.kind,
            filterable=True,
            filter=_choice("kind", col(Payment.kind), KIND_LABELS),
        ),
        ListColumn(
            "status",
            "Status",
            Payment.status,
            filterable=True,
            filter=_choice("status", col(Payment.status), STATUS_LABELS),
        ),
        ListColumn(
            "mismatch", "Differs from Stripe", Payment.mismatch, filterable=True, sortable=False
        ),
        ListColumn(
            "organisation_id",
            "Organisation id",
            Payment.organisation_id,
            filterable=True,
            sortable=False,
        ),
        ListColumn(
            "organisation",
            "Organisation",
            _organisation_name(col(Payment.organisation_id)),
            sortable=False,
        ),
        ListColumn(
            "holder_kind",
            "Holder kind",
            Payment.holder_kind,
            filterable=True,
            sortable=False,
            filter=_choice("holder_kind", col(Payment.holder_kind), HOLDER_KINDS),
        ),
        ListColumn("holder_id", "Holder id", Payment.holder_id, filterable=True, sortable=False),
        ListColumn(
            "holder",
            "Holder",
            _holder_name(col(Payment.holder_kind), col(Payment.holder_id)),
            searchable=True,
            sortable=False,
        ),
        ListColumn(
            "session_id", "Charging session", Payment.session_id, filterable=True, sortable=False
        ),
        ListColumn("top_up_id", "Top-up", Payment.top_up_id, filterable=True, sortable=False),
        ListColumn("membership_id", "Membership", Payment.membership_id, sortable=False),
        ListColumn(
            "refund_of_id",
            "Refund of payment",
            Payment.refund_of_id,
            filterable=True,
            sortable=False,
        ),
        ListColumn("currency", "Currency", Payment.currency, sortable=False),
        ListColumn("amount_minor", "Amount (minor units)", Payment.amount_minor),
        ListColumn(
            "captured_minor", "Captured (minor units)", Payment.captured_minor, sortable=False
        ),
        ListColumn(
            "refunded_minor", "Refunded (minor units)", Payment.refunded_minor, sortable=False
        ),
        ListColumn("stripe_id", "Stripe id", Payment.stripe_id, searchable=True, sortable=False),
        ListColumn("stripe_status", "Stripe status", Payment.stripe_status, sortable=False),
        ListColumn(
            "stripe_amount_minor",
            "Stripe amount (minor units)",
            Payment.stripe_amount_minor,
            sortable=False,
        ),
        ListColumn("mismatch_note", "Reconciliation", Payment.mismatch_note, sortable=False),
        ListColumn("error", "Error", Payment.error, sortable=False),
        ListColumn("idempotency_key", "Idempotency key", Payment.idempotency_key, sortable=False),
        ListColumn("updated_at", "Updated (UTC)", Payment.updated_at, sortable=False),
    ),
    organisation_column=Payment.organisation_id,
    id_column=Payment.id,
    default_sort="created_at",
)


def _package_name() -> Any:
    return (
        select(col(TopUpPackage.name))
        .where(col(TopUpPackage.id) == col(TopUp.package_id))
        .scalar_subquery()
    )


TOP_UP_LIST = ListSpec(
    name="top-ups",
    base=lambda: select(TopUp),
    columns=(
        ListColumn("id", "Top-up", TopUp.id),
        ListColumn("created_at", "Started (UTC)", TopUp.created_at),
        ListColumn(
            "state",
            "State",
            TopUp.state,
            filterable=True,
            filter=_choice("state", col(TopUp.state), TOP_UP_STATES),
        ),
        ListColumn(
            "organisation_id",
            "Organisation id",
            TopUp.organisation_id,
            filterable=True,
            sortable=False,
        ),
        ListColumn(
            "holder_kind",
            "Holder kind",
            TopUp.holder_kind,
            filterable=True,
            sortable=False,
            filter=_choice("holder_kind", col(TopUp.holder_kind), HOLDER_KINDS),
        ),
        ListColumn("holder_id", "Holder id", TopUp.holder_id, filterable=True, sortable=False),
        ListColumn(
            "holder",
            "Holder",
            _holder_name(col(TopUp.holder_kind), col(TopUp.holder_id)),
            searchable=True,
            sortable=False,
        ),
        ListColumn("package_id", "Package id", TopUp.package_id, filterable=True, sortable=False),
        ListColumn("package", "Package", _package_name(), sortable=False),
        ListColumn("currency", "Currency", TopUp.currency, sortable=False),
        ListColumn("pay_minor", "Paid (minor units)", TopUp.pay_minor),
        ListColumn("bonus_minor", "Bonus (minor units)", TopUp.bonus_minor, sortable=False),
        ListColumn("checkout_url", "Checkout page", TopUp.checkout_url, sortable=False),
        ListColumn("paid_at", "Paid (UTC)", TopUp.paid_at, sortable=False),
        ListColumn("created_by", "Started by", TopUp.created_by, sortable=False),
    ),
    organisation_column=TopUp.organisation_id,
    id_column=TopUp.id,
    default_sort="created_at",
)


def _money(minor: Any, currency: Any) -> str:
    return "" if minor is None or not currency else format_money(int(minor), str(currency))


# A holder without a name (deleted), by its kind and id, in the reader's language.
HOLDER_FALLBACK: dict[str, str] = {
    HolderKind.DRIVER.value: N_("driver {id}"),
    HolderKind.GROUP.value: N_("group {id}"),
}


def holder_text(row: Mapping[str, Any]) -> str:
    """The holder's name; "driver 12" when it has none any more."""
    name = str(row.get("holder") or "")
    if name:
        return name
    kind, holder_id = str(row.get("holder_kind") or ""), row.get("holder_id") or ""
    if kind in HOLDER_FALLBACK:
        return tr(HOLDER_FALLBACK[kind], id=holder_id)
    return f"{kind} {holder_id}".strip()


def shown_payment(row: Mapping[str, Any], zone: str) -> dict[str, str]:
    """One payment as the page shows it (strings only: Reflex rows)."""
    kind, status = str(row.get("kind") or ""), str(row.get("status") or "")
    currency = str(row.get("currency") or "")
    captured, refunded = int(row.get("captured_minor") or 0), int(row.get("refunded_minor") or 0)
    refundable = (
        kind not in (PaymentKind.REFUND, "")
        and status in (PaymentStatus.SUCCEEDED, PaymentStatus.REFUNDED)
        and captured > refunded
        and str(row.get("stripe_id") or "").startswith("pi_")
    )
    return {
        "id": str(row.get("id") or ""),
        "created_at": local_text(row.get("created_at"), zone),
        "kind": KIND_LABELS.get(kind, kind),
        "kind_key": kind,
        "status": STATUS_LABELS.get(status, status),
        "status_key": status,
        "holder": holder_text(row),
        "session_id": str(row.get("session_id") or ""),
        "amount": _money(row.get("amount_minor"), currency),
        "captured": _money(captured, currency) if captured else "",
        "refunded": _money(refunded, currency) if refunded else "",
        "stripe_id": str(row.get("stripe_id") or ""),
        "stripe": " ".join(
            part
            for part in (
                str(row.get("stripe_status") or ""),
                _money(row.get("stripe_amount_minor"), currency),
            )
            if part
        ),
        "mismatch": "yes" if row.get("mismatch") else "",
        "mismatch_note": mismatch_text(str(row.get("mismatch_note") or "")),
        "error": str(row.get("error") or ""),
        "refundable": "yes" if refundable else "",
        "left": _money(captured - refunded, currency) if refundable else "",
    }


def shown_top_up(row: Mapping[str, Any], zone: str) -> dict[str, str]:
    currency = str(row.get("currency") or "")
    bonus = int(row.get("bonus_minor") or 0)
    return {
        "id": str(row.get("id") or ""),
        "created_at": local_text(row.get("created_at"), zone),
        "holder": holder_text(row),
        "package": str(row.get("package") or ""),
        "paid": _money(row.get("pay_minor"), currency),
        "bonus": _money(bonus, currency) if bonus else "",
        "state": str(row.get("state") or ""),
        "paid_at": local_text(row.get("paid_at"), zone) if row.get("paid_at") else "",
        "checkout_url": str(row.get("checkout_url") or "")
        if row.get("state") == TopUpState.OPEN
        else "",
    }


PAYMENT_EXPORT: tuple[tuple[str, str], ...] = (
    ("id", "Payment"),
    ("created_at", "Created"),
    ("kind", "Kind"),
    ("holder", "Holder"),
    ("session_id", "Charging session"),
    ("amount", "Amount"),
    ("captured", "Captured"),
    ("refunded", "Refunded"),
    ("status", "Status"),
    ("stripe_id", "Stripe id"),
    ("stripe", "Stripe says"),
    ("mismatch_note", "Reconciliation"),
    ("error", "Error"),
)
TOP_UP_EXPORT: tuple[tuple[str, str], ...] = (
    ("id", "Top-up"),
    ("created_at", "Started"),
    ("holder", "Holder"),
    ("package", "Package"),
    ("paid", "Paid"),
    ("bonus", "Bonus"),
    ("state", "State"),
    ("paid_at", "Paid at"),
)
