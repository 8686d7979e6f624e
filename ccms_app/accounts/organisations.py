"""The operator organisation tree."""

from __future__ import annotations

from sqlmodel import Session, col, select

from ccms_app.accounts.models import Organisation
from ccms_app.core.config import get_settings
from ccms_app.core.db import read_session
from ccms_app.core.rows import stored_id

DEFAULT_OPERATOR_NAME = "CCMS Operator"


def root_organisation(session: Session) -> Organisation:
    """The network operator that owns what has no other owner (e.g. unknown charge points).

    Created on first use, named by CCMS_OPERATOR_NAME.
    """
    org = session.exec(
        select(Organisation)
        .where(col(Organisation.parent_id).is_(None))
        .order_by(col(Organisation.id))
    ).first()
    if org is None:
        org = Organisation(name=get_settings().operator_name.strip() or DEFAULT_OPERATOR_NAME)
        session.add(org)
        session.flush()
    return org


def is_network_operator(organisation_id: int) -> bool:
    """Whether the organisation is the network operator itself (no parent), not a
    sub-operator: what installation-wide figures (metrics) are shown to."""
    with read_session() as session:
        organisation = session.get(Organisation, organisation_id)
    return organisation is not None and organisation.parent_id is None


def organisation_scope(organisation_id: int) -> frozenset[int]:
    """The organisation and all its sub-operators: what an operator of it may see and edit."""
    with read_session() as session:
        rows = session.exec(select(Organisation.id, Organisation.parent_id)).all()
    children: dict[int | None, list[int]] = {}
    for org_id, parent_id in rows:
        children.setdefault(parent_id, []).append(stored_id(org_id))
    scope, todo = set(), [organisation_id]
    while todo:
        current = todo.pop()
        if current not in scope:
            scope.add(current)
            todo.extend(children.get(current, []))
    return frozenset(scope)
