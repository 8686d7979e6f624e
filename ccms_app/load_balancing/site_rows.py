"""Rows of a load site within the caller's organisation scope, changed in one transaction,
and what every change does afterwards (audit, tell the controller).

A site belongs to its station's organisation; its nodes, members, plans and priorities are
the site's, so their scope is the site's. A row outside the scope does not exist for the
caller, and the attempt is audited (`accounts.roles.not_found`) after the transaction ended:
on SQLite a second writing transaction inside the first would wait for it forever.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlmodel import Session, col, select

from ccms_app.accounts import audit
from ccms_app.accounts.roles import Caller, not_found
from ccms_app.accounts.rules.permissions import Action, Module, permission
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.events import NetworkEvent, get_event_bus
from ccms_app.load_balancing.models import LoadSite

log = logging.getLogger(__name__)

VIEW_PERMISSION = permission(Module.LOAD_BALANCING, Action.VIEW)
EDIT_PERMISSION = permission(Module.LOAD_BALANCING, Action.EDIT)
SITE_EVENT = "load_site"

T = TypeVar("T")


class InUseError(ValueError):
    """The row cannot go (or change) as asked because of what depends on it; the message
    says what."""


class _OutOfScope(Exception):
    pass


def site_in_scope(session: Session, caller: Caller, site_id: int, lock: bool = False) -> LoadSite:
    """The site if it is in the caller's scope; `_OutOfScope` otherwise (see `scoped_site`)."""
    statement = select(LoadSite).where(col(LoadSite.id) == site_id)
    site = session.exec(statement.with_for_update() if lock else statement).first()
    if site is None or site.organisation_id not in caller.scope():
        raise _OutOfScope
    return site


@contextmanager
def scoped_site(
    caller: Caller, site_id: int, action: str, write: bool = True
) -> Iterator[tuple[Session, LoadSite]]:
    """(session, site): to change it, locked in one transaction (PostgreSQL FOR UPDATE; on
    SQLite the transaction writes from its start); else read. NotFoundError, audited,
    outside the scope."""
    try:
        with session_scope() if write else read_session() as session:
            yield session, site_in_scope(session, caller, site_id, lock=write)
    except _OutOfScope:
        not_found(caller, action, "load_site", site_id, "load site")


@contextmanager
def scoped_part(
    caller: Caller, model: type[T], row_id: int, action: str, what: str
) -> Iterator[tuple[Session, T, LoadSite]]:
    """(session, row, its site) of a node, member, plan or priority by id, the site locked;
    NotFoundError, audited, when the row or its site is outside the scope."""
    table: Any = model
    try:
        with session_scope() as session:
            row = session.exec(select(table).where(col(table.id) == row_id)).first()
            if row is None:
                raise _OutOfScope
            site = site_in_scope(session, caller, row.site_id, lock=True)
            yield session, row, site
    except _OutOfScope:
        not_found(caller, action, what.replace(" ", "_"), row_id, what)


def changed(
    caller: Caller, site_id: int, action: str, object_type: str, object_id: object, detail: str
) -> None:
    """After the commit: the audit entry, and the event the controller recomputes on."""
    audit.record(
        caller.actor(), action, object_type=object_type, object_id=str(object_id), detail=detail
    )
    publish(site_id)
    log.info(
        "load site changed", extra={"site_id": site_id, "action": action, "object_id": object_id}
    )


def publish(site_id: int, **data: Any) -> None:
    get_event_bus().publish(NetworkEvent(kind=SITE_EVENT, data={"site_id": site_id, **data}))


def form_values(row: Any, fields: Iterable[str]) -> dict[str, Any]:
    """A stored row's fields as the form shows them back (a partial change merges onto it):
    None as the empty text."""
    return {name: "" if getattr(row, name) is None else getattr(row, name) for name in fields}
