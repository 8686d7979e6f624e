"""What an operator does to a wallet by hand: a manual adjustment and a paid-out refund, each
with a mandatory reason that is kept in the ledger and in the audit log.

- Adjustment: + or - an amount on the paid or the bonus bucket, against the organisation's
  ADJUSTMENTS account; it never takes a bucket below zero.
- Paid-out refund: paid money returned outside Stripe (e.g. a bank transfer), never bonus
  credit and never more than the paid balance. (Refunds of a Stripe payment are the payment
  module's: they go back through Stripe.)

Both take the caller's scope: a holder outside it is not found. Both lock the wallet before
reading its balance (ledger.locked_wallet), so two operators cannot both refund the same
money. `request_id` makes a retried request post nothing twice (the API passes the client's
idempotency key; the pages a fresh one per submit).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping

from sqlalchemy import select
from sqlmodel import Session, col

from ccms_app.accounts import audit
from ccms_app.core.db import session_scope
from ccms_app.core.i18n import tr
from ccms_app.core.money import MAX_MINOR, MoneyError, format_minor, parse_minor
from ccms_app.core.rows import stored_id
from ccms_app.finance.errors import FinanceConflict, FinanceError
from ccms_app.finance.rules import ledger as rules
from ccms_app.finance.wallets.holders import Holder, find_holder
from ccms_app.finance.wallets.ledger import (
    Posting,
    account_balance,
    already_posted,
    house_account,
    locked_wallet,
    post,
    refund_paid,
)
from ccms_app.finance.wallets.models import AccountKind, Bucket, LedgerKind, LedgerTransaction

MAX_REQUEST_ID = 80


def _signed_minor(text: str, currency: str) -> int:
    """ "-5.00" / "+5" / "5,50" as signed minor units (parse_minor takes no sign)."""
    cleaned = text.strip()
    sign = -1 if cleaned.startswith("-") else 1
    return sign * parse_minor(cleaned.lstrip("+-").strip(), currency)


def _reference(prefix: str, holder: Holder, request_id: str) -> str:
    """ "adjustment:driver:12:<request id>": the holder is part of it, so two networks'
    clients choosing the same idempotency key never meet."""
    key = request_id.strip() or uuid.uuid4().hex
    if len(key) > MAX_REQUEST_ID:
        raise FinanceError(
            tr(
                "The request id has at most {max_request_id} characters.",
                max_request_id=MAX_REQUEST_ID,
            )
        )
    return f"{prefix}:{holder.key}:{key}"


def _amount(form: Mapping[str, str], currency: str, errors: dict[str, str], signed: bool) -> int:
    """The form's `amount` as typed ("-2.50"), or `amount_minor` in minor units (the API)."""
    if "amount_minor" in form:
        try:
            minor = int(str(form["amount_minor"]).strip())
        except ValueError:
            errors["amount"] = tr("A whole number of minor units, e.g. 250 for 2.50.")
            return 0
        if abs(minor) > MAX_MINOR or (minor < 0 and not signed):
            errors["amount"] = tr("Out of range.")
            return 0
        return minor
    try:
        text = str(form.get("amount", ""))
        return _signed_minor(text, currency) if signed else parse_minor(text, currency)
    except MoneyError as exc:
        errors["amount"] = str(exc)
        return 0


def _reason(form: Mapping[str, str], errors: dict[str, str]) -> str:
    reason = str(form.get("reason", "")).strip()
    problem = rules.reason_problem(reason)
    if problem:
        errors["reason"] = problem
    return reason


def _refuse(errors: Mapping[str, str]) -> FinanceError:
    return FinanceError("; ".join(f"{k}: {v}" for k, v in errors.items()), errors)


def _posted_before(db: Session, reference: str, holder: Holder) -> LedgerTransaction:
    """The transaction a retried request posted the first time (of this holder's
    organisation: a request id never reaches another network's transaction)."""
    found = db.execute(
        select(LedgerTransaction).where(col(LedgerTransaction.reference) == reference)
    ).scalar_one_or_none()
    if found is None or found.organisation_id != holder.organisation_id:
        raise FinanceConflict(tr("This request id was used for another request."))
    return found


def _audit(who: audit.Actor, action: str, holder: Holder, detail: str) -> None:
    audit.record(who, action, object_type="wallet", object_id=holder.key, detail=detail)


def adjust_wallet(
    holder_kind: str,
    holder_id: int,
    form: Mapping[str, str],
    scope: Collection[int],
    who: audit.Actor,
    request_id: str = "",
) -> LedgerTransaction:
    """Post a manual adjustment: form `amount` (signed, e.g. "-2.50"), `bucket` (paid or
    bonus), `reason`. FinanceError naming the fields; FinanceNotFound outside scope."""
    with session_scope() as db:
        holder = find_holder(db, holder_kind, holder_id, scope)
        errors: dict[str, str] = {}
        amount = _amount(form, holder.currency, errors, signed=True)
        bucket = str(form.get("bucket", "")).strip().lower()
        reason = _reason(form, errors)
        if bucket not in rules.BUCKETS:
            errors["bucket"] = tr(
                "Choose the bucket: {buckets}.", buckets=" or ".join(rules.BUCKETS)
            )
        if errors:
            raise _refuse(errors)
        org = holder.organisation_id
        wallet = locked_wallet(db, org, holder.kind, holder.id, holder.currency)
        current = account_balance(db, stored_id(wallet.id)).get(bucket, 0)
        problem = rules.adjustment_problem(amount, bucket, current)
        if problem:
            raise _refuse({"amount": problem})
        counter = house_account(db, org, AccountKind.ADJUSTMENTS, holder.currency)
        reference = _reference("adjustment", holder, request_id)
        posted = post(
            db,
            organisation_id=org,
            kind=LedgerKind.ADJUSTMENT,
            reference=reference,
            postings=[
                Posting(wallet, amount, Bucket(bucket)),
                Posting(counter, -amount, Bucket(bucket)),
            ],
            reason=reason,
            created_by=who.email,
        )
        if posted is None:  # a retried request: the first one's transaction
            return _posted_before(db, reference, holder)
    money = format_minor(amount, holder.currency)
    _audit(who, "wallet.adjustment", holder, f"{money} {bucket}; reason: {reason}")
    return posted


def refund_paid_out(
    holder_kind: str,
    holder_id: int,
    form: Mapping[str, str],
    scope: Collection[int],
    who: audit.Actor,
    request_id: str = "",
) -> LedgerTransaction:
    """Record paid money returned to the holder outside Stripe: form `amount`, `reason`.
    FinanceError naming the fields (e.g. more than the paid balance)."""
    with session_scope() as db:
        holder = find_holder(db, holder_kind, holder_id, scope)
        errors: dict[str, str] = {}
        amount = _amount(form, holder.currency, errors, signed=False)
        reason = _reason(form, errors)
        if errors:
            raise _refuse(errors)
        reference = _reference("wallet_refund", holder, request_id)
        if already_posted(db, reference):
            return _posted_before(db, reference, holder)
        posted = refund_paid(
            db,
            organisation_id=holder.organisation_id,
            holder_kind=holder.kind,
            holder_id=holder.id,
            currency=holder.currency,
            amount_minor=amount,
            reference=reference,
            reason=reason,
            created_by=who.email,
            to=AccountKind.PAYOUTS,  # returned outside Stripe
        )
        if posted is None:
            return _posted_before(db, reference, holder)
    money = format_minor(amount, holder.currency)
    _audit(who, "wallet.refund", holder, f"{money} paid out; reason: {reason}")
    return posted
