"""Redeeming vouchers, and the percent discount a pending redemption gives a session.

A code is never redeemed more often than allowed, however many redeem at once:
- the per-holder limit holds by the unique key (voucher, holder, holder_ordinal): the n-th
  redemption of a holder takes ordinal n, and two racing for the same ordinal cannot both
  insert it (the loser tries the next ordinal while the limit allows);
- the code's limit holds by ONE guarded UPDATE, `redemption_count = redemption_count + 1
  WHERE id = :id AND (max_redemptions IS NULL OR redemption_count < max_redemptions)`: the
  database decides; a rowcount of 0 means used up. On PostgreSQL the row lock makes the
  second UPDATE wait and re-check the condition on the committed count; on SQLite writing
  transactions run one at a time (BEGIN IMMEDIATE).
Both happen in a savepoint, so a refusal leaves the caller's transaction as it was.

A value voucher credits its value to the wallet as bonus (ledger kind VOUCHER, reference
"voucher_redemption:<id>"); a percent voucher waits as a PENDING redemption until the
holder's next charged session takes it (`take_pending_discount`, called by the settlement).
The voucher of a code is the one of the holder's own organisation.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from ccms_app.accounts import audit
from ccms_app.core.db import session_scope
from ccms_app.core.i18n import tr
from ccms_app.core.money import format_minor
from ccms_app.core.rows import stored_id, table_of
from ccms_app.core.types import utc_now
from ccms_app.drivers.models import UserGroupMember
from ccms_app.finance.errors import FinanceError, FinanceNotFound
from ccms_app.finance.rules import vouchers as rules
from ccms_app.finance.rules.documents import local_text
from ccms_app.finance.wallets.holders import (
    find_holder,
    organisation_currency,
    organisation_zone,
)
from ccms_app.finance.wallets.ledger import credit_wallet, holder_organisation
from ccms_app.finance.wallets.models import (
    AccountKind,
    HolderKind,
    LedgerKind,
    RedemptionState,
    Voucher,
    VoucherEligibility,
    VoucherKind,
    VoucherRedemption,
)

VOUCHERS = table_of(Voucher)
REDEMPTIONS = table_of(VoucherRedemption)


class VoucherRefused(FinanceError):
    """The code cannot be redeemed by this holder now; `reason` is a rules.vouchers key."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message, {"code": message})
        self.reason = reason


def eligible(db: Session, voucher_id: int, holder_kind: str, holder_id: int) -> bool:
    """No eligibility rows: anyone of the organisation. Else the holder is listed, or is a
    driver who is an authorised member of a listed group."""
    rows = db.execute(
        select(col(VoucherEligibility.holder_kind), col(VoucherEligibility.holder_id)).where(
            col(VoucherEligibility.voucher_id) == voucher_id
        )
    ).all()
    if not rows or (holder_kind, holder_id) in {(str(k), int(i)) for k, i in rows}:
        return True
    groups = [int(i) for k, i in rows if k == HolderKind.GROUP]
    if holder_kind != HolderKind.DRIVER or not groups:
        return False
    member = db.execute(
        select(col(UserGroupMember.id)).where(
            col(UserGroupMember.driver_id) == holder_id,
            col(UserGroupMember.group_id).in_(groups),
            col(UserGroupMember.authorised).is_(True),
        )
    ).first()
    return member is not None


def holder_redemptions(db: Session, voucher_id: int, holder_kind: str, holder_id: int) -> int:
    return int(
        db.execute(
            select(func.count())
            .select_from(REDEMPTIONS)
            .where(
                REDEMPTIONS.c.voucher_id == voucher_id,
                REDEMPTIONS.c.holder_kind == holder_kind,
                REDEMPTIONS.c.holder_id == holder_id,
            )
        ).scalar_one()
    )


def _find_voucher(db: Session, organisation_id: int, code: str) -> Voucher:
    normal = rules.normalise_code(code)
    found = db.execute(
        select(Voucher).where(
            col(Voucher.organisation_id) == organisation_id, col(Voucher.code) == normal
        )
    ).scalar_one_or_none()
    if found is None:
        raise VoucherRefused(rules.UNKNOWN, rules.refusal_message(rules.UNKNOWN, normal or "''"))
    return found


def _check(db: Session, voucher: Voucher, holder_kind: str, holder_id: int, now: datetime) -> int:
    """The holder's redemptions so far; VoucherRefused with the first reason it may not."""
    voucher_id = stored_id(voucher.id)
    taken = holder_redemptions(db, voucher_id, holder_kind, holder_id)
    facts = rules.RedeemFacts(
        active=voucher.active,
        valid_from=voucher.valid_from,
        valid_until=voucher.valid_until,
        redemption_count=voucher.redemption_count,
        max_redemptions=voucher.max_redemptions,
        eligible=eligible(db, voucher_id, holder_kind, holder_id),
        holder_redemptions=taken,
        per_holder_limit=voucher.per_holder_limit,
    )
    reason = rules.refusal(facts, now)
    if reason is not None:
        zone = organisation_zone(db, voucher.organisation_id)
        when = voucher.valid_from if reason == rules.NOT_YET_VALID else voucher.valid_until
        message = rules.refusal_message(
            reason, voucher.code, local_text(when, zone), voucher.per_holder_limit
        )
        raise VoucherRefused(reason, message)
    return taken


def _holder_slot(
    db: Session, fields: dict[str, Any], taken: int, limit: int, code: str
) -> VoucherRedemption:
    """The redemption inserted under the holder's next free ordinal (the unique key decides
    between racing redemptions); VoucherRefused when every ordinal up to the limit is taken."""
    for ordinal in range(taken + 1, limit + 1):
        redemption = VoucherRedemption(**fields, holder_ordinal=ordinal)
        try:
            with db.begin_nested():
                db.add(redemption)
                db.flush()
            return redemption
        except IntegrityError:
            if redemption in db:
                db.expunge(redemption)
    message = rules.refusal_message(rules.ALREADY_REDEEMED, code, "", limit)
    raise VoucherRefused(rules.ALREADY_REDEEMED, message)


def _count_one(db: Session, voucher: Voucher) -> None:
    """The one guarded UPDATE that keeps the code's limit; VoucherRefused when used up."""
    counted = db.execute(
        update(VOUCHERS)
        .where(
            VOUCHERS.c.id == voucher.id,
            or_(
                VOUCHERS.c.max_redemptions.is_(None),
                VOUCHERS.c.redemption_count < VOUCHERS.c.max_redemptions,
            ),
        )
        .values(redemption_count=VOUCHERS.c.redemption_count + 1)
    )
    if counted.rowcount != 1:  # type: ignore[attr-defined]
        message = rules.refusal_message(rules.USED_UP, voucher.code)
        raise VoucherRefused(rules.USED_UP, message)


def unknown_holder(holder_kind: str, holder_id: int) -> str:
    """ "No driver 12." """
    if holder_kind == HolderKind.DRIVER:
        return tr("No driver {holder_id}.", holder_id=holder_id)
    if holder_kind == HolderKind.GROUP:
        return tr("No group {holder_id}.", holder_id=holder_id)
    return tr("No {holder_kind} {holder_id}.", holder_kind=holder_kind, holder_id=holder_id)


def redeem(
    db: Session,
    *,
    code: str,
    holder_kind: str,
    holder_id: int,
    created_by: str = "",
    now: datetime | None = None,
) -> VoucherRedemption:
    """Redeem `code` for the holder in the caller's transaction: CREDITED (value, bonus on
    the wallet) or PENDING (percent). VoucherRefused says why not; FinanceNotFound for an
    unknown holder."""
    organisation_id = holder_organisation(db, holder_kind, holder_id)
    if organisation_id is None:
        raise FinanceNotFound(unknown_holder(holder_kind, holder_id))
    voucher = _find_voucher(db, organisation_id, code)
    taken = _check(db, voucher, holder_kind, holder_id, now or utc_now())
    currency = organisation_currency(db, organisation_id)
    is_value = voucher.kind == VoucherKind.VALUE
    if is_value and voucher.currency != currency:
        message = tr(
            "The voucher {code} is in {voucher_currency}; the wallet is in {currency}.",
            code=voucher.code,
            voucher_currency=voucher.currency,
            currency=currency,
        )
        raise VoucherRefused(rules.NOT_ELIGIBLE, message)
    with db.begin_nested():  # a refusal below undoes the slot and the count, nothing else
        fields: dict[str, Any] = {
            "organisation_id": organisation_id,
            "voucher_id": stored_id(voucher.id),
            "holder_kind": holder_kind,
            "holder_id": holder_id,
            "state": RedemptionState.CREDITED if is_value else RedemptionState.PENDING,
            "created_by": created_by[:320],
        }
        limit = voucher.per_holder_limit
        redemption = _holder_slot(db, fields, taken, limit, voucher.code)
        _count_one(db, voucher)
        if is_value:
            posted = credit_wallet(
                db,
                organisation_id=organisation_id,
                holder_kind=holder_kind,
                holder_id=holder_id,
                currency=currency,
                paid_minor=0,
                bonus_minor=voucher.value_minor,
                kind=LedgerKind.VOUCHER,
                reference=f"voucher_redemption:{redemption.id}",
                reason=f"voucher {voucher.code}",
                created_by=created_by,
                bonus_from=AccountKind.PROMOTIONS,
            )
            redemption.amount_minor = voucher.value_minor
            redemption.ledger_transaction_id = None if posted is None else posted.id
        db.add(redemption)
        db.flush()
    return redemption


def redeem_voucher(
    code: str, holder_kind: str, holder_id: int, scope: Collection[int], who: audit.Actor
) -> VoucherRedemption:
    """An operator redeems a code for a driver or group of its network (audited)."""
    with session_scope() as db:
        holder = find_holder(db, holder_kind, holder_id, scope)
        redemption = redeem(
            db, code=code, holder_kind=holder.kind, holder_id=holder.id, created_by=who.email
        )
        voucher = db.get(Voucher, redemption.voucher_id)
        label = voucher.code if voucher is not None else code
    credited = (
        f"credited {format_minor(redemption.amount_minor, holder.currency)}"
        if redemption.state == RedemptionState.CREDITED
        else "pending for the next charged session"
    )
    audit.record(
        who,
        "voucher.redeem",
        object_type="voucher",
        object_id=redemption.voucher_id,
        detail=f"{label} for {holder.key}: {credited}",
    )
    return redemption


def take_pending_discount(
    db: Session, *, holder_kind: str, holder_id: int, session_id: int, cost_incl_minor: int
) -> int:
    """The holder's oldest pending percent redemption, applied to `session_id`: marked USED
    with the discount it gives, which is returned (0 when none, or when the cost is 0).
    Settling the same session again returns the same discount and uses nothing more."""
    done = db.execute(
        select(REDEMPTIONS.c.amount_minor).where(
            REDEMPTIONS.c.session_id == session_id,
            REDEMPTIONS.c.holder_kind == holder_kind,
            REDEMPTIONS.c.holder_id == holder_id,
            REDEMPTIONS.c.state == RedemptionState.USED,
        )
    ).first()
    if done is not None:
        return int(done[0])
    if cost_incl_minor <= 0:
        return 0
    pending = db.execute(
        select(REDEMPTIONS.c.id, VOUCHERS.c.percent)
        .join(VOUCHERS, VOUCHERS.c.id == REDEMPTIONS.c.voucher_id)
        .where(
            REDEMPTIONS.c.holder_kind == holder_kind,
            REDEMPTIONS.c.holder_id == holder_id,
            REDEMPTIONS.c.state == RedemptionState.PENDING,
        )
        .order_by(REDEMPTIONS.c.id)
    ).all()
    for redemption_id, percent in pending:
        discount = rules.discount_minor(cost_incl_minor, Decimal(str(percent or "0")))
        taken = db.execute(
            update(REDEMPTIONS)
            .where(
                and_(
                    REDEMPTIONS.c.id == redemption_id,
                    REDEMPTIONS.c.state == RedemptionState.PENDING,
                )
            )
            .values(state=RedemptionState.USED, session_id=session_id, amount_minor=discount)
        )
        if taken.rowcount == 1:  # type: ignore[attr-defined]
            return discount
    return 0
