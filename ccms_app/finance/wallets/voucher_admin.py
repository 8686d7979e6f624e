"""Vouchers as the operator manages them: create, edit, deactivate, read one.

Every function takes the caller's scope: a voucher (or an organisation, or an eligible
holder) outside it is not found. The form is strings (finance.rules.vouchers.check_voucher)
and a list of eligible holders ("driver:12", "group:3"; none = anyone of the organisation).
What a code gives (code, kind, value, percent, currency) is fixed once it was redeemed:
a redemption must keep meaning what it meant. The limit may not drop below the redemptions
already made; the edit locks the voucher row, so a redemption racing the edit is counted
against one limit or the other, never lost.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlmodel import Session, col

from ccms_app.core.db import read_session, session_scope
from ccms_app.core.display import time_zone
from ccms_app.core.i18n import tr
from ccms_app.core.money import format_minor
from ccms_app.core.rows import stored_id
from ccms_app.finance.errors import FinanceError, FinanceNotFound
from ccms_app.finance.rules import vouchers as rules
from ccms_app.finance.wallets.holders import (
    KIND_LABELS,
    find_holder,
    organisation_currency,
    organisation_zone,
)
from ccms_app.finance.wallets.models import HolderKind, Voucher, VoucherEligibility


@dataclass(frozen=True)
class EligibleHolder:
    kind: str
    id: int
    name: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


@dataclass(frozen=True)
class VoucherView:
    voucher: Voucher
    eligible: list[EligibleHolder]
    zone: str  # the organisation's billing zone: what the form's times mean


def voucher_form(voucher: Voucher, zone: str) -> dict[str, str]:
    """The voucher as the form's strings (what check_voucher takes back)."""

    def moment(value: datetime | None) -> str:
        return "" if value is None else value.astimezone(time_zone(zone)).strftime("%Y-%m-%dT%H:%M")

    value = voucher.value_minor
    return {
        "code": voucher.code,
        "description": voucher.description,
        "kind": voucher.kind,
        "value": format_minor(value, voucher.currency, False)
        if voucher.kind == rules.VALUE
        else "",
        "percent": voucher.percent,
        "currency": voucher.currency,
        "max_redemptions": "" if voucher.max_redemptions is None else str(voucher.max_redemptions),
        "per_holder_limit": str(voucher.per_holder_limit),
        "valid_from": moment(voucher.valid_from),
        "valid_until": moment(voucher.valid_until),
    }


def parse_holder_keys(keys: Sequence[str]) -> list[tuple[str, int]]:
    """ "driver:12" -> ("driver", 12); FinanceError on "eligible" for anything else."""
    found: list[tuple[str, int]] = []
    for key in keys:
        kind, _, number = str(key).strip().partition(":")
        if kind not in KIND_LABELS or not number.isdigit():
            message = tr("{key} is not a holder: write driver:<id> or group:<id>.", key=repr(key))
            raise FinanceError(message, {"eligible": message})
        if (kind, int(number)) not in found:
            found.append((kind, int(number)))
    return found


def _eligible_rows(
    db: Session, organisation_id: int, keys: Sequence[tuple[str, int]]
) -> list[EligibleHolder]:
    holders: list[EligibleHolder] = []
    for kind, holder_id in keys:
        try:
            holder = find_holder(db, kind, holder_id, {organisation_id})
        except FinanceNotFound:
            message = _not_in_organisation(kind, holder_id)
            raise FinanceError(message, {"eligible": message}) from None
        holders.append(EligibleHolder(holder.kind, holder.id, holder.name))
    return holders


def _not_in_organisation(kind: str, holder_id: int) -> str:
    if kind == HolderKind.DRIVER:
        return tr("No driver {holder_id} in the voucher's organisation.", holder_id=holder_id)
    return tr("No group account {holder_id} in the voucher's organisation.", holder_id=holder_id)


def _eligible_of(db: Session, voucher_id: int, organisation_id: int) -> list[EligibleHolder]:
    rows = db.execute(
        select(col(VoucherEligibility.holder_kind), col(VoucherEligibility.holder_id))
        .where(col(VoucherEligibility.voucher_id) == voucher_id)
        .order_by(col(VoucherEligibility.id))
    ).all()
    found = []
    for kind, holder_id in rows:
        try:
            holder = find_holder(db, str(kind), int(holder_id), None)
            found.append(EligibleHolder(holder.kind, holder.id, holder.name))
        except FinanceNotFound:  # the holder was deleted since
            found.append(EligibleHolder(str(kind), int(holder_id), tr("(deleted)")))
    return found


def _set_eligible(db: Session, voucher_id: int, holders: Sequence[EligibleHolder]) -> None:
    db.execute(delete(VoucherEligibility).where(col(VoucherEligibility.voucher_id) == voucher_id))
    db.add_all(
        VoucherEligibility(voucher_id=voucher_id, holder_kind=h.kind, holder_id=h.id)
        for h in holders
    )


def _checked(form: Mapping[str, str], currency: str, zone: str) -> rules.VoucherValues:
    try:
        return rules.check_voucher(form, currency, zone)
    except rules.VoucherFormError as exc:
        raise FinanceError(str(exc), exc.errors) from None


def _code_taken(db: Session, organisation_id: int, code: str, voucher_id: int = 0) -> bool:
    found = db.execute(
        select(col(Voucher.id)).where(
            col(Voucher.organisation_id) == organisation_id,
            col(Voucher.code) == code,
            col(Voucher.id) != voucher_id,
        )
    ).first()
    return found is not None


def _apply(voucher: Voucher, values: rules.VoucherValues) -> None:
    voucher.code, voucher.description, voucher.kind = values.code, values.description, values.kind
    voucher.value_minor, voucher.percent = values.value_minor, values.percent
    voucher.currency, voucher.per_holder_limit = values.currency, values.per_holder_limit
    voucher.max_redemptions = values.max_redemptions
    voucher.valid_from, voucher.valid_until = values.valid_from, values.valid_until


def _view(db: Session, voucher: Voucher) -> VoucherView:
    zone = organisation_zone(db, voucher.organisation_id)
    return VoucherView(
        voucher, _eligible_of(db, stored_id(voucher.id), voucher.organisation_id), zone
    )


def create_voucher(
    form: Mapping[str, str],
    eligible: Sequence[str],
    organisation_id: int,
    scope: Collection[int],
    actor: str,
) -> VoucherView:
    """A new voucher of `organisation_id`; FinanceError naming every wrong field."""
    if organisation_id not in scope:
        raise FinanceNotFound(
            tr(
                "No organisation {organisation_id} in your network.",
                organisation_id=organisation_id,
            )
        )
    keys = parse_holder_keys(eligible)
    with session_scope() as db:
        values = _checked(
            form, organisation_currency(db, organisation_id), organisation_zone(db, organisation_id)
        )
        if _code_taken(db, organisation_id, values.code):
            message = tr("The code {code} exists already.", code=values.code)
            raise FinanceError(message, {"code": message})
        holders = _eligible_rows(db, organisation_id, keys)
        voucher = Voucher(organisation_id=organisation_id, code=values.code, created_by=actor[:320])
        _apply(voucher, values)
        db.add(voucher)
        db.flush()
        # the column's default (1) fills an inserted None: "unlimited" is written afterwards
        voucher.max_redemptions = values.max_redemptions
        _set_eligible(db, stored_id(voucher.id), holders)
        db.flush()
        return _view(db, voucher)


def _in_scope(db: Session, voucher_id: int, scope: Collection[int], lock: bool = False) -> Voucher:
    statement = select(Voucher).where(col(Voucher.id) == voucher_id)
    voucher = db.execute(statement.with_for_update() if lock else statement).scalar_one_or_none()
    if voucher is None or voucher.organisation_id not in scope:
        raise FinanceNotFound(tr("No voucher {voucher_id}.", voucher_id=voucher_id))
    return voucher


def get_voucher(voucher_id: int, scope: Collection[int]) -> VoucherView:
    with read_session() as db:
        return _view(db, _in_scope(db, voucher_id, scope))


def _fixed_fields(voucher: Voucher, values: rules.VoucherValues) -> dict[str, str]:
    """What a redeemed voucher may no longer change, each field that tried to."""
    now = {
        "code": (voucher.code, values.code),
        "kind": (voucher.kind, values.kind),
        "value": (voucher.value_minor, values.value_minor),
        "percent": (voucher.percent, values.percent),
        "currency": (voucher.currency, values.currency),
    }
    return {
        name: tr("Fixed once the voucher was redeemed.")
        for name, (before, after) in now.items()
        if before != after
    }


def update_voucher(
    voucher_id: int,
    form: Mapping[str, str],
    eligible: Sequence[str] | None,
    scope: Collection[int],
) -> VoucherView:
    """Change a voucher: `form` may hold only the fields to change (the others keep their
    value), `eligible` None keeps the holders. `form["active"]` "true"/"false" (re)activates."""
    keys = None if eligible is None else parse_holder_keys(eligible)
    with session_scope() as db:
        voucher = _in_scope(db, voucher_id, scope, lock=True)
        zone = organisation_zone(db, voucher.organisation_id)
        before = voucher_form(voucher, zone)
        merged = {**before, **{k: str(v) for k, v in form.items() if k in rules.FORM_FIELDS}}
        values = _checked(merged, voucher.currency, zone)
        errors = _fixed_fields(voucher, values) if voucher.redemption_count else {}
        limit = values.max_redemptions
        if limit is not None and limit < voucher.redemption_count:
            errors["max_redemptions"] = tr(
                "Already redeemed {redemption_count} times.",
                redemption_count=voucher.redemption_count,
            )
        if _code_taken(db, voucher.organisation_id, values.code, voucher_id):
            errors["code"] = tr("The code {code} exists already.", code=values.code)
        if errors:
            raise FinanceError("; ".join(f"{k}: {v}" for k, v in errors.items()), errors)
        _apply(voucher, values)
        if "active" in form:
            voucher.active = str(form["active"]).strip().lower() in ("true", "yes", "1", "on")
        if keys is not None:
            _set_eligible(db, voucher_id, _eligible_rows(db, voucher.organisation_id, keys))
        db.add(voucher)
        db.flush()
        return _view(db, voucher)


def deactivate_voucher(voucher_id: int, scope: Collection[int]) -> VoucherView:
    """No more redemptions of the code (pending percent redemptions still apply)."""
    with session_scope() as db:
        voucher = _in_scope(db, voucher_id, scope, lock=True)
        voucher.active = False
        db.add(voucher)
        db.flush()
        return _view(db, voucher)
