"""API keys: created (System -> API keys, `ccms apikey create`), listed, revoked, checked.

A key acts like a login with its role's permissions inside its organisation's scope: the
REST API asks `principal_for_api_key` on every request, so a revoked key, a changed role or
an ended licence take effect on the very next call. The key itself is shown once, when it is
made; the database keeps its SHA-256. Who may make a key follows the account rules: system
scope, the api_keys:edit permission, and never a role with more than the maker holds.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select as sa_select
from sqlalchemy import update
from sqlmodel import Session, col, select

from ccms_app.accounts import audit, auth
from ccms_app.accounts.account_admin import grant_problem
from ccms_app.accounts.models import ApiKey, Organisation, Role
from ccms_app.accounts.organisations import root_organisation
from ccms_app.accounts.principals import Principal, licence_terms, role_permissions
from ccms_app.accounts.roles import Caller, InputError, not_found, refuse, require, role_in_scope
from ccms_app.accounts.rules.api_keys import looks_like_key, new_key, shown_prefix, validate_name
from ccms_app.accounts.rules.licence import licence_problem
from ccms_app.accounts.rules.permissions import Action, Module, effective_permissions, permission
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.i18n import Message, tr
from ccms_app.core.listing import ListColumn, ListSpec
from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now

EDIT_PERMISSION = permission(Module.API_KEYS, Action.EDIT)
LAST_USE_EVERY_SECONDS = 60.0  # "last used" is kept to the minute: no write per request

API_KEY_LIST = ListSpec(
    name="API keys",
    base=lambda: (
        sa_select(ApiKey)
        .join(Organisation, col(Organisation.id) == ApiKey.organisation_id)
        .join(Role, col(Role.id) == ApiKey.role_id)
    ),
    columns=(
        ListColumn("id", "Id", ApiKey.id),
        ListColumn("name", "Name", ApiKey.name, searchable=True),
        ListColumn("prefix", "Key starts with", ApiKey.prefix, searchable=True),
        ListColumn("organisation", "Organisation", Organisation.name, filterable=True),
        ListColumn("organisation_id", "Organisation id", ApiKey.organisation_id, filterable=True),
        ListColumn("role", "Role", Role.name, filterable=True),
        ListColumn("created_by", "Created by", ApiKey.created_by, searchable=True),
        ListColumn("created_at", "Created (UTC)", ApiKey.created_at),
        ListColumn("last_used_at", "Last used (UTC)", ApiKey.last_used_at),
        ListColumn("last_used_address", "Last used from", ApiKey.last_used_address),
        ListColumn("revoked_at", "Revoked (UTC)", ApiKey.revoked_at),
    ),
    organisation_column=ApiKey.organisation_id,
    id_column=ApiKey.id,
    default_sort="name",
)


@dataclass(frozen=True)
class ApiKeyView:
    id: int
    name: str
    prefix: str
    organisation_id: int
    organisation: str
    role_id: int
    role: str
    created_by: str
    created_at: datetime
    last_used_at: datetime | None
    last_used_address: str
    revoked_at: datetime | None


@dataclass(frozen=True)
class NewApiKey:
    """A key just made: `key` is shown this once and stored nowhere."""

    view: ApiKeyView
    key: str


def _view(session: Session, key: ApiKey) -> ApiKeyView:
    organisation = session.get(Organisation, key.organisation_id)
    role = session.get(Role, key.role_id)
    return ApiKeyView(
        id=stored_id(key.id),
        name=key.name,
        prefix=key.prefix,
        organisation_id=key.organisation_id,
        organisation=organisation.name if organisation else "",
        role_id=key.role_id,
        role=role.name if role else "",
        created_by=key.created_by,
        created_at=key.created_at,
        last_used_at=key.last_used_at,
        last_used_address=key.last_used_address,
        revoked_at=key.revoked_at,
    )


def create_api_key(
    caller: Caller, name: str, role_id: int, organisation_id: int | None = None
) -> NewApiKey:
    """A key for `organisation_id` (default: the caller's) acting with `role_id`."""
    action = "api_key.create"
    require(caller, EDIT_PERMISSION, action, "api_key", "")
    try:
        cleaned = validate_name(name)
    except ValueError as exc:
        raise InputError({"name": str(exc)}) from exc
    owner = caller.organisation_id if organisation_id is None else organisation_id
    scope = caller.scope()
    key = new_key()
    created: ApiKeyView | None = None
    problem: Message | None = None
    missing = ""
    with session_scope() as session:
        role = role_in_scope(session, role_id, scope)
        if owner not in scope or session.get(Organisation, owner) is None:
            missing = "organisation"
        elif role is None:
            missing = "role"
        else:
            problem = grant_problem(session, caller, role, owner)
        if not missing and not problem:
            row = _stored(cleaned, owner, role_id, key, caller.email)
            session.add(row)
            session.flush()
            created = _view(session, row)
    if missing:
        not_found(caller, action, "api_key", "", missing)
    if created is None:
        refuse(caller, action, "api_key", "", problem or "")
    audit.record(
        caller.actor(),
        action,
        object_type="api_key",
        object_id=created.id,
        detail=f"{created.name} ({created.prefix}...) in {created.organisation} as {created.role}",
    )
    return NewApiKey(created, key)


def create_api_key_from_cli(name: str, role_name: str, organisation_id: int | None) -> NewApiKey:
    """`ccms apikey create`: whoever runs the command owns the installation, so no caller
    check; the role is found by name (built-in, or custom of the key's organisation)."""
    cleaned = validate_name(name)
    key = new_key()
    with session_scope() as session:
        owner = organisation_id or stored_id(root_organisation(session).id)
        if session.get(Organisation, owner) is None:
            raise ValueError(tr("No organisation with id {owner}.", owner=owner))
        role = session.exec(
            select(Role).where(
                Role.name == role_name,
                (col(Role.organisation_id).is_(None)) | (Role.organisation_id == owner),
            )
        ).first()
        if role is None:
            raise ValueError(
                tr(
                    "No role named {role} for organisation {owner}.",
                    role=repr(role_name),
                    owner=owner,
                )
            )
        row = _stored(cleaned, owner, stored_id(role.id), key, "cli")
        session.add(row)
        session.flush()
        created = _view(session, row)
    audit.record(
        audit.Actor(None, created.organisation_id, "cli"),
        "api_key.create",
        object_type="api_key",
        object_id=created.id,
        detail=f"{created.name} ({created.prefix}...) as {created.role}",
    )
    return NewApiKey(created, key)


def _stored(name: str, owner: int, role_id: int, key: str, created_by: str) -> ApiKey:
    return ApiKey(
        organisation_id=owner,
        role_id=role_id,
        name=name,
        prefix=shown_prefix(key),
        key_hash=auth.token_hash(key),
        created_by=created_by[:320],
    )


def get_api_key(caller: Caller, key_id: int) -> ApiKeyView:
    with read_session() as session:
        row = session.get(ApiKey, key_id)
        in_scope = row is not None and row.organisation_id in caller.scope()
        view = _view(session, row) if row is not None and in_scope else None
    if view is None:
        not_found(caller, "api_key.view", "api_key", key_id, "API key")
    return view


def revoke_api_key(caller: Caller, key_id: int) -> ApiKeyView:
    """The key stops working at its next request; revoking twice changes nothing."""
    action = "api_key.revoke"
    require(caller, EDIT_PERMISSION, action, "api_key", key_id)
    with session_scope() as session:
        row = session.get(ApiKey, key_id)
        if row is None or row.organisation_id not in caller.scope():
            row = None
        elif row.revoked_at is None:
            row.revoked_at = utc_now()
            session.add(row)
            session.flush()
        view = _view(session, row) if row is not None else None
    if view is None:
        not_found(caller, action, "api_key", key_id, "API key")
    audit.record(caller.actor(), action, object_type="api_key", object_id=key_id, detail=view.name)
    return view


# --- checking a request's key ----------------------------------------------------------------


def principal_for_api_key(key: str, remote_address: str = "") -> Principal | None:
    """Who a Bearer key acts as, read from the database now; None for an unknown or revoked
    key. A key whose organisation's licence ended may still read, like a login."""
    if not looks_like_key(key):
        return None
    with read_session() as session:
        row = session.exec(
            select(ApiKey, Role, Organisation)
            .join(Role, col(Role.id) == ApiKey.role_id)
            .join(Organisation, col(Organisation.id) == ApiKey.organisation_id)
            .where(ApiKey.key_hash == auth.token_hash(key))
        ).first()
    if row is None or row[0].revoked_at is not None:
        return None
    api_key, role, organisation = row
    granted = role_permissions(role)
    terms = licence_terms(organisation)
    reason = licence_problem(terms, utc_now().date()) or ""
    key_id = stored_id(api_key.id)
    _last_use.note(key_id, remote_address)
    return Principal(
        account_id=0,
        organisation_id=api_key.organisation_id,
        organisation_name=organisation.name,
        email=f"API key {api_key.name}",
        full_name=api_key.name,
        role_name=role.name,
        permissions=effective_permissions(granted, read_only=bool(reason)),
        session_hash="",
        read_only_reason=reason,
        granted=granted,
        api_key_id=key_id,
        licence=terms,
    )


class _LastUse:
    """Writes a key's last use at most once a minute per key (an integration polling every
    second would otherwise cost a write per request)."""

    def __init__(self) -> None:
        self._written: dict[int, float] = {}
        self._lock = threading.Lock()

    def note(self, key_id: int, address: str) -> None:
        now = time.monotonic()
        with self._lock:
            if now - self._written.get(key_id, -LAST_USE_EVERY_SECONDS) < LAST_USE_EVERY_SECONDS:
                return
            self._written[key_id] = now
        with session_scope() as session:
            session.execute(
                update(ApiKey)
                .where(col(ApiKey.id) == key_id)
                .values(last_used_at=utc_now(), last_used_address=address[:64])
            )

    def forget(self) -> None:
        with self._lock:
            self._written.clear()


_last_use = _LastUse()
forget_last_uses = _last_use.forget  # tests: every test starts with no remembered use
