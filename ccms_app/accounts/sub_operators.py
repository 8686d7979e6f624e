"""Sub-operators (the two-tier framework): organisations under the network operator, each
with its own administrators and licence terms.

Two tiers: an operator (an organisation without a parent) creates sub-operators; a
sub-operator creates none, and never sees or changes its own licence (its parent does).
Only a caller holding system:edit creates one or changes its licence, and only under its own
organisation: the gate checked the handler already, these functions check again against
the principal it resolved (so the answer does not depend on which door the call came
through). A sub-operator is created together with its first administrator, who must
choose a new password at first login. Every change and every refused attempt is audited
(object type "sub_operator").

Usage against the licence (and the refusal of one charge point too many) is
`accounts/licences.py`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from ccms_app.accounts import audit, auth
from ccms_app.accounts.licences import (
    CHARGE_POINTS,
    CONNECTORS,
    LicenceStatus,
    counted_charge_points,
    days_left,
    describe_terms,
    licence_status,
    licence_usage,
    parse_terms,
    registration_refusal,
    terms_form,
    usage_text,
)
from ccms_app.accounts.models import OperatorAccount, Organisation
from ccms_app.accounts.organisations import organisation_scope
from ccms_app.accounts.principals import Principal, licence_terms
from ccms_app.accounts.rules.licence import LicenceTerms, licence_day
from ccms_app.accounts.rules.permissions import ADMINISTRATOR, Action, Module
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.i18n import DEFAULT, N_, reading_as, tr
from ccms_app.core.listing import ListColumn, ListQuery, ListSpec, iter_rows
from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now
from ccms_app.network.models import ChargePoint, Connector

__all__ = [
    "SUB_OPERATOR_LIST",
    "LicenceStatus",
    "SubOperatorError",
    "SubOperatorNotFound",
    "SubOperatorRefused",
    "create_sub_operator",
    "licence_usage",
    "list_sub_operators",
    "refusal_for",
    "registration_refusal",
    "update_licence",
]

log = logging.getLogger(__name__)

OBJECT_TYPE = "sub_operator"
NAME_MAX_LENGTH = 200


class SubOperatorError(ValueError):
    """The form needs correcting: `errors` maps each field to its message (all at once)."""

    def __init__(self, message: str, errors: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.errors: dict[str, str] = dict(errors or {})


class SubOperatorRefused(PermissionError):
    """The caller may not do this (role, licence, or a sub-operator creating one)."""


class SubOperatorNotFound(LookupError):
    """No such sub-operator under the caller's organisation."""


@dataclass(frozen=True)
class SubOperatorView:
    id: int
    name: str
    terms: LicenceTerms
    charge_points: int
    connectors: int
    status: LicenceStatus
    days_left: int | None

    def licence_form(self) -> dict[str, str]:
        """The licence as the edit dialog's strings."""
        return terms_form(self.terms)


@dataclass(frozen=True)
class SubOperatorCreated:
    organisation_id: int
    name: str
    administrator_id: int
    administrator_email: str


# --- the list -----------------------------------------------------------------------------


def _count_charge_points() -> Any:
    return (
        select(func.count(col(ChargePoint.id)))
        .where(*counted_charge_points(Organisation.id))
        .correlate(Organisation)
        .scalar_subquery()
    )


def _count_connectors() -> Any:
    return (
        select(func.count(col(Connector.id)))
        .join(ChargePoint, col(ChargePoint.id) == Connector.charge_point_id)
        .where(*counted_charge_points(Organisation.id))
        .correlate(Organisation)
        .scalar_subquery()
    )


# Scoped by parent: the sub-operators of the organisations in the caller's scope. A
# sub-operator's scope is itself, and nothing has it as parent: its list is empty.
SUB_OPERATOR_LIST = ListSpec(
    name="sub-operators",
    base=lambda: select(Organisation),
    columns=(
        ListColumn("id", "Id", Organisation.id),
        ListColumn("name", "Name", Organisation.name, searchable=True),
        ListColumn("charge_points", "Charge points", _count_charge_points()),
        ListColumn(
            "max_charge_points", "Charge points allowed", Organisation.licence_max_charge_points
        ),
        ListColumn("connectors", "Connectors", _count_connectors()),
        ListColumn("max_connectors", "Connectors allowed", Organisation.licence_max_connectors),
        ListColumn("valid_from", "Valid from", Organisation.licence_valid_from),
        ListColumn("valid_to", "Valid to", Organisation.licence_valid_to),
    ),
    organisation_column=Organisation.parent_id,
    id_column=Organisation.id,
    default_sort="name",
)


def _row_terms(row: Mapping[str, Any]) -> LicenceTerms:
    return LicenceTerms(
        max_charge_points=row.get("max_charge_points"),
        max_connectors=row.get("max_connectors"),
        valid_from=row.get("valid_from"),
        valid_to=row.get("valid_to"),
    )


def view_of_row(row: Mapping[str, Any], today: date) -> SubOperatorView:
    """A list row (SUB_OPERATOR_LIST) with its licence status and days left."""
    terms = _row_terms(row)
    return SubOperatorView(
        id=int(row["id"]),
        name=str(row["name"]),
        terms=terms,
        charge_points=int(row.get("charge_points") or 0),
        connectors=int(row.get("connectors") or 0),
        status=licence_status(terms, today),
        days_left=days_left(terms, today),
    )


def describe_row(row: Mapping[str, Any], today: date) -> dict[str, str]:
    """A list row as the page shows it: usage "12 / 50 charge points", validity, status."""
    view = view_of_row(row, today)
    terms = view.terms
    left = "" if view.days_left is None else str(view.days_left)
    return {
        "id": str(view.id),
        "name": view.name,
        "charge_points": usage_text(view.charge_points, terms.max_charge_points, CHARGE_POINTS),
        "connectors": usage_text(view.connectors, terms.max_connectors, CONNECTORS),
        "valid_from": licence_day(terms.valid_from) if terms.valid_from else "",
        "valid_to": licence_day(terms.valid_to) if terms.valid_to else tr("no end date"),
        "days_left": left,
        "status": view.status.value,
    }


def list_sub_operators(organisation_id: int, today: date | None = None) -> list[SubOperatorView]:
    """The sub-operators of the caller's organisation scope, by name, with their usage."""
    day = today or utc_now().date()
    rows = iter_rows(SUB_OPERATOR_LIST, ListQuery(), organisation_scope(organisation_id))
    return [view_of_row(row, day) for row in rows]


def get_sub_operator(organisation_id: int, sub_operator_id: int) -> SubOperatorView:
    """One sub-operator of the caller's organisation (for the licence dialog)."""
    for view in list_sub_operators(organisation_id):
        if view.id == sub_operator_id:
            return view
    raise SubOperatorNotFound(
        tr("Sub-operator {sub_operator_id} does not exist.", sub_operator_id=sub_operator_id)
    )


# --- changes ------------------------------------------------------------------------------


def _actor(caller: Principal, remote_address: str) -> audit.Actor:
    account_id = caller.account_id or None  # 0: an API key acts, not an account
    return audit.Actor(account_id, caller.organisation_id, caller.email, remote_address)


def refusal_for(caller: Principal) -> str:
    """Why the caller may not create sub-operators or change their licences, in the reader's
    language; "" if it may: system:edit (which an ended licence takes away), in an
    organisation at the top."""
    if not caller.can(Module.SYSTEM, Action.EDIT):
        return caller.read_only_text() or tr(
            "Your role ({role}) does not allow changing sub-operators.", role=caller.role_name
        )
    with read_session() as session:
        own = session.get(Organisation, caller.organisation_id)
        if own is None or own.parent_id is not None:
            return tr("A sub-operator cannot manage sub-operators: its operator does.")
    return ""


def _require_editor(caller: Principal, action: str, remote_address: str) -> None:
    """Refused (and audited, in English) unless `refusal_for` finds nothing."""
    reason = refusal_for(caller)
    if reason:
        with reading_as(DEFAULT):
            detail = refusal_for(caller)
        audit.record(
            _actor(caller, remote_address),
            action,
            object_type=OBJECT_TYPE,
            detail=detail,
            outcome="refused",
        )
        raise SubOperatorRefused(reason)


def _clean_name(raw: str, field: str, missing: str, errors: dict[str, str]) -> str:
    """The name typed, spaces tidied; `missing` (a message id) when there is none."""
    cleaned = " ".join(raw.split())
    if not cleaned:
        errors[field] = tr(missing)
    elif len(cleaned) > NAME_MAX_LENGTH:
        errors[field] = tr("At most {name_max_length} characters.", name_max_length=NAME_MAX_LENGTH)
    return cleaned


def _invalid(errors: Mapping[str, str], what: str) -> SubOperatorError:
    if len(errors) == 1:
        return SubOperatorError(tr("{what}: 1 field needs correcting.", what=what), errors)
    return SubOperatorError(
        tr("{what}: {count} fields need correcting.", what=what, count=len(errors)), errors
    )


def create_sub_operator(
    caller: Principal, values: Mapping[str, str], remote_address: str = ""
) -> SubOperatorCreated:
    """A sub-operator of the caller's organisation with its licence and first administrator.

    `values`: name, admin_email, admin_name, admin_password, max_charge_points,
    max_connectors, valid_from, valid_to (empty = no bound). The password is hashed before
    the write transaction opens.
    """
    _require_editor(caller, "sub_operator.create", remote_address)
    errors: dict[str, str] = {}
    name = _clean_name(values.get("name", ""), "name", N_("Give the organisation's name."), errors)
    admin_name = _clean_name(
        values.get("admin_name", ""), "admin_name", N_("Give the administrator's name."), errors
    )
    email = ""
    try:
        email = auth.normalise_email(values.get("admin_email", ""))
    except ValueError as exc:
        errors["admin_email"] = str(exc)
    try:
        auth.validate_password(values.get("admin_password", ""), (email, admin_name, name))
    except ValueError as exc:
        errors["admin_password"] = str(exc)
    terms, licence_errors = parse_terms(values)
    errors |= licence_errors
    if errors:
        raise _invalid(errors, tr("Sub-operator not created"))
    password_hash = auth.hash_password(values["admin_password"])
    try:
        created = _insert(caller.organisation_id, name, terms, email, admin_name, password_hash)
    except IntegrityError as exc:  # a concurrent create took the name or the email
        raise _invalid(
            {"name": tr("Taken meanwhile: try again.")}, tr("Sub-operator not created")
        ) from exc
    audit.record(
        _actor(caller, remote_address),
        "sub_operator.create",
        object_type=OBJECT_TYPE,
        object_id=created.organisation_id,
        detail=f"{name}; administrator {email}; licence {describe_terms(terms)}",
    )
    log.info("sub-operator created", extra={"organisation_id": created.organisation_id})
    return created


def _insert(
    parent_id: int,
    name: str,
    terms: LicenceTerms,
    email: str,
    admin_name: str,
    password_hash: str,
) -> SubOperatorCreated:
    with session_scope() as session:
        errors: dict[str, str] = {}
        taken = session.exec(
            select(Organisation.id).where(func.lower(Organisation.name) == name.lower())
        ).first()
        if taken is not None:
            errors["name"] = tr("An organisation named {name} already exists.", name=repr(name))
        if session.exec(select(OperatorAccount.id).where(OperatorAccount.email == email)).first():
            errors["admin_email"] = tr("{email} already has a login.", email=email)
        if errors:
            raise _invalid(errors, tr("Sub-operator not created"))
        organisation = Organisation(name=name, parent_id=parent_id)
        _apply_terms(organisation, terms)
        session.add(organisation)
        session.flush()
        account = OperatorAccount(
            organisation_id=stored_id(organisation.id),
            email=email,
            full_name=admin_name,
            password_hash=password_hash,
            role_id=auth.built_in_role_id(session, ADMINISTRATOR),
            must_change_password=True,
        )
        session.add(account)
        session.flush()
        return SubOperatorCreated(stored_id(organisation.id), name, stored_id(account.id), email)


def _apply_terms(organisation: Organisation, terms: LicenceTerms) -> None:
    organisation.licence_max_charge_points = terms.max_charge_points
    organisation.licence_max_connectors = terms.max_connectors
    organisation.licence_valid_from = terms.valid_from
    organisation.licence_valid_to = terms.valid_to


def update_licence(
    caller: Principal, sub_operator_id: int, values: Mapping[str, str], remote_address: str = ""
) -> LicenceTerms:
    """Change a sub-operator's licence (one of the caller's organisation). Lowering a limit
    below what is registered keeps what is there and refuses the next registration."""
    _require_editor(caller, "sub_operator.licence", remote_address)
    terms, errors = parse_terms(values)
    if errors:
        raise _invalid(errors, tr("Licence not saved"))
    with session_scope() as session:
        organisation = session.get(Organisation, sub_operator_id)
        if organisation is None or organisation.parent_id != caller.organisation_id:
            raise SubOperatorNotFound(
                tr(
                    "Sub-operator {sub_operator_id} does not exist.",
                    sub_operator_id=sub_operator_id,
                )
            )
        before = licence_terms(organisation)
        _apply_terms(organisation, terms)
        session.add(organisation)
        name = organisation.name
    audit.record(
        _actor(caller, remote_address),
        "sub_operator.licence",
        object_type=OBJECT_TYPE,
        object_id=sub_operator_id,
        detail=f"{name}: {describe_terms(before)} -> {describe_terms(terms)}",
    )
    log.info("sub-operator licence changed", extra={"organisation_id": sub_operator_id})
    return terms
