"""What a charger sent that CCMS could not apply as is, kept for an operator to look at.

docs/data-policy.md says, case by case, what CCMS answers and what it records here. Nothing is
silently dropped: the raw frame is always in the OCPP message log, and anything that could not
be applied as sent gets a ChargerDataIssue row (shown as a "data" warning on the live pages
until an operator resolves it).

`record_issue` runs inside the group-commit writer (it takes the writer's Session);
`list_issues`, `resolve_issue` and `resolve_issues` are for the UI (the operator's list with
search, pages and export is in ccms_app.charging.data_issue_admin).

Scope: an issue belongs to its charge point's organisation; an issue of an identity with no
charge point row (e.g. an unknown charger) belongs to the root organisation, like unknown
charge points do (accounts.organisations.root_organisation), so only its operators see it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, bindparam, func, update
from sqlmodel import Session, col, select

from ccms_app.accounts.models import Organisation
from ccms_app.charging.models import ChargerDataIssue
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.events import NetworkEvent, get_event_bus
from ccms_app.core.rows import table_of
from ccms_app.core.types import utc_now
from ccms_app.network.models import ChargePoint

log = logging.getLogger(__name__)

# Issue kinds (the clock_* kinds are in ccms_app.charging.rules.timestamps).
STOP_UNKNOWN_TRANSACTION = "stop_unknown_transaction"
STOP_REPEATED_DIFFERENT = "stop_repeated_different"
METER_VALUES_UNKNOWN_TRANSACTION = "meter_values_unknown_transaction"
METER_VALUES_FINISHED_TRANSACTION = "meter_values_finished_transaction"
ENERGY_REGISTER_BREAK = "energy_register_break"
DUPLICATE_MESSAGE_ID = "duplicate_message_id"

MAX_PAYLOAD_CHARS = 65_536  # a fuzzer or a broken charger must not fill the database
RESOLVE_CHUNK = 500  # ids per UPDATE (SQLite allows 32,766 bound parameters, others fewer)


def _payload_text(payload: Any) -> str:
    text = payload if isinstance(payload, str) else json.dumps(payload, default=str)
    return text[:MAX_PAYLOAD_CHARS]


def record_issue(
    session: Session,
    identity: str,
    kind: str,
    detail: str,
    payload: Any,
    charge_point_id: int | None = None,
    *,
    once: bool = False,
) -> ChargerDataIssue | None:
    """Keep something a charger sent that could not be applied as is.

    `payload` is stored as JSON text (a str is stored as given). With `once`, nothing is added
    while an unresolved issue with the same identity, kind and detail exists (a charger that
    repeats the same problem on every message gets one issue, not thousands); returns None then.
    """
    detail = detail[:500]
    if once and _already_open(session, identity, kind, detail):
        return None
    issue = ChargerDataIssue(
        charge_point_id=charge_point_id,
        identity=identity[:64],
        kind=kind[:48],
        detail=detail,
        payload=_payload_text(payload),
    )
    session.add(issue)
    log.warning(
        "charger data issue",
        extra={"identity": identity, "issue_kind": kind, "detail": detail},
    )
    return issue


_ISSUES = table_of(ChargerDataIssue)
_OPEN_ISSUE = (
    select(_ISSUES.c.id)
    .where(
        _ISSUES.c.identity == bindparam("identity"),
        _ISSUES.c.kind == bindparam("kind"),
        _ISSUES.c.detail == bindparam("detail"),
        _ISSUES.c.resolved_at.is_(None),
    )
    .limit(1)
)


def _already_open(session: Session, identity: str, kind: str, detail: str) -> bool:
    """Per writer batch, each (identity, kind, detail) is looked up once (an index seek)."""
    seen: set[tuple[str, str, str]] = session.info.setdefault("open_data_issues", set())
    key = (identity[:64], kind[:48], detail)
    if key in seen:
        return True
    params = {"identity": key[0], "kind": key[1], "detail": detail}
    # One seek in ix_data_issue_open_key, as a prebuilt Core statement on the session's
    # connection (no autoflush: an issue this batch added is in `seen` already).
    open_issue = session.connection().execute(_OPEN_ISSUE, params).first()
    seen.add(key)
    return open_issue is not None


def issue_event(cp: ChargePoint, kind: str) -> NetworkEvent:
    """Tells the live pages that the charge point's data warnings changed."""
    return NetworkEvent(
        kind="warning", charge_point_id=cp.id, identity=cp.identity, data={"data_issue": kind}
    )


def report_issue(
    session: Session,
    cp: ChargePoint,
    kind: str,
    detail: str,
    payload: Any,
    events: list[NetworkEvent],
) -> None:
    """Record a data issue (once while an identical one is open) and tell the live pages."""
    if record_issue(session, cp.identity, kind, detail, payload, cp.id, once=True):
        events.append(issue_event(cp, kind))


@dataclass(frozen=True)
class DataIssueView:
    id: int
    charge_point_id: int | None
    identity: str
    kind: str
    detail: str
    payload: str
    created_at: datetime
    resolved_at: datetime | None = None
    resolved_by: str = ""


def issue_organisation() -> ColumnElement[int]:
    """The organisation an issue belongs to (see the module doc); needs ChargePoint
    outer-joined on the issue's charge point."""
    root = (
        select(func.min(Organisation.id))
        .where(col(Organisation.parent_id).is_(None))
        .scalar_subquery()
    )
    return func.coalesce(col(ChargePoint.organisation_id), root)


def list_issues(
    organisation_ids: Collection[int] | None = None,
    *,
    charge_point_id: int | None = None,
    identity: str | None = None,
    kind: str | None = None,
    unresolved_only: bool = True,
    limit: int = 200,
) -> list[DataIssueView]:
    """Newest first. With `organisation_ids`, only the issues those organisations own (issues
    of identities without a charge point row belong to the root organisation)."""
    query = select(ChargerDataIssue)
    if organisation_ids is not None:
        query = query.outerjoin(
            ChargePoint, col(ChargePoint.id) == col(ChargerDataIssue.charge_point_id)
        ).where(issue_organisation().in_(list(organisation_ids)))
    if charge_point_id is not None:
        query = query.where(ChargerDataIssue.charge_point_id == charge_point_id)
    if identity is not None:
        query = query.where(ChargerDataIssue.identity == identity)
    if kind is not None:
        query = query.where(ChargerDataIssue.kind == kind)
    if unresolved_only:
        query = query.where(col(ChargerDataIssue.resolved_at).is_(None))
    query = query.order_by(col(ChargerDataIssue.id).desc()).limit(limit)
    with read_session() as session:
        return [issue_view(row) for row in session.exec(query)]


def issue_view(row: ChargerDataIssue) -> DataIssueView:
    assert row.id is not None
    return DataIssueView(
        id=row.id,
        charge_point_id=row.charge_point_id,
        identity=row.identity,
        kind=row.kind,
        detail=row.detail,
        payload=row.payload,
        created_at=row.created_at,
        resolved_at=row.resolved_at,
        resolved_by=row.resolved_by,
    )


def resolve_issue(
    issue_id: int,
    organisation_ids: Collection[int] | None = None,
    now: datetime | None = None,
    resolved_by: str = "",
) -> bool:
    """Mark an issue handled; False if unknown, out of scope or already resolved."""
    return resolve_issues([issue_id], organisation_ids, resolved_by=resolved_by, now=now) == 1


def resolve_issues(
    issue_ids: Collection[int],
    organisation_ids: Collection[int] | None = None,
    *,
    resolved_by: str = "",
    now: datetime | None = None,
) -> int:
    """Mark issues handled by `resolved_by`; returns how many this call resolved (unknown,
    out-of-scope and already resolved ids are skipped). The live pages drop the warnings."""
    ids = sorted(set(issue_ids))
    at = now or utc_now()
    resolved = 0
    with session_scope() as session:
        for start in range(0, len(ids), RESOLVE_CHUNK):
            chunk = _visible_ids(session, ids[start : start + RESOLVE_CHUNK], organisation_ids)
            if chunk:
                result = session.exec(
                    update(ChargerDataIssue)
                    .where(col(ChargerDataIssue.id).in_(chunk))
                    .where(col(ChargerDataIssue.resolved_at).is_(None))
                    .values(resolved_at=at, resolved_by=resolved_by[:320])
                )
                resolved += result.rowcount or 0
    if resolved:
        log.info("data issues resolved", extra={"count": resolved, "resolved_by": resolved_by})
        get_event_bus().publish(
            NetworkEvent(kind="warning", data={"data_issues_resolved": resolved})
        )
    return resolved


def _visible_ids(
    session: Session, ids: list[int], organisation_ids: Collection[int] | None
) -> list[int]:
    """The unresolved issues among `ids` that `organisation_ids` own (all if unscoped)."""
    query = select(ChargerDataIssue.id).where(
        col(ChargerDataIssue.id).in_(ids), col(ChargerDataIssue.resolved_at).is_(None)
    )
    if organisation_ids is not None:
        query = query.outerjoin(
            ChargePoint, col(ChargePoint.id) == col(ChargerDataIssue.charge_point_id)
        ).where(issue_organisation().in_(list(organisation_ids)))
    return [int(i) for i in session.exec(query) if i is not None]


@dataclass(frozen=True)
class OpenIssues:
    """A charge point's unresolved issues, for the live warnings."""

    count: int
    latest_detail: str
    latest_at: datetime


def open_issues_by_charge_point(
    session: Session,
    organisation_ids: Collection[int] | None = None,
    only: Collection[int] | None = None,
) -> dict[int, OpenIssues]:
    """Unresolved issues per charge point (of `only`, if given), in two queries whatever the
    number of issues. With `only` the query seeks by charge point id and the organisations
    are checked on the rows: with both conditions in SQL, SQLite walks the organisations'
    whole index, and a re-read of a few charge points costs as much as the network."""
    query = (
        select(
            ChargerDataIssue.charge_point_id,
            func.count(col(ChargerDataIssue.id)),
            func.max(ChargerDataIssue.id),
            ChargePoint.organisation_id,
        )
        .join(ChargePoint, col(ChargePoint.id) == col(ChargerDataIssue.charge_point_id))
        .where(col(ChargerDataIssue.resolved_at).is_(None))
        .group_by(col(ChargerDataIssue.charge_point_id), col(ChargePoint.organisation_id))
    )
    if only is not None:
        query = query.where(col(ChargerDataIssue.charge_point_id).in_(only))
    elif organisation_ids is not None:
        query = query.where(col(ChargePoint.organisation_id).in_(organisation_ids))
    counts = {
        int(cp_id): (int(n), int(latest))
        for cp_id, n, latest, org in session.exec(query)
        if cp_id is not None
        and latest is not None
        and (organisation_ids is None or org in organisation_ids)
    }
    if not counts:
        return {}
    latest_ids = [latest for _, latest in counts.values()]
    latest = {
        row.id: row
        for row in session.exec(
            select(ChargerDataIssue).where(col(ChargerDataIssue.id).in_(latest_ids))
        )
    }
    return {
        cp_id: OpenIssues(n, latest[latest_id].detail, latest[latest_id].created_at)
        for cp_id, (n, latest_id) in counts.items()
    }
