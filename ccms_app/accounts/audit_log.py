"""Reading the audit log: the System page's list, its CSV export, and how long entries stay.

The list is a server-side `core.listing` list over `audit_entry`, newest first, scoped to
the caller's organisation and its sub-operators. Entries without an organisation (failed
logins with an unknown e-mail) belong to nobody's tree: only people of the root operator see
them, so `audit_scope` adds the marker `UNOWNED` to the root's scope and the scope filter
turns it into `organisation_id IS NULL`. A sub-operator never sees its parent's, a sibling's
or those entries.

Filters are by kind (the groups of `rules/audit_labels.py`: the log's distinct actions are
classified in Python, the filter is an IN on the action index), outcome and a date range
read in the operator's time zone. Search covers who, the action (its code name and its
label), the object, the address and the detail. Rows are shown and exported with times in
the operator's zone (and in UTC, ISO 8601, in the export) and the readable label of each
action. Cells an attacker could have typed (a failed login's e-mail) are exported so a
spreadsheet never runs them as formulas.

Retention: CCMS_AUDIT_RETENTION_DAYS (0 = for ever), purged with the other tables by
`ccms_app/retention.py`, in committed batches along the `occurred_at` index.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from ccms_app.accounts.models import AuditEntry, Organisation
from ccms_app.accounts.organisations import organisation_scope
from ccms_app.accounts.rules.audit_labels import (
    KIND_LABELS,
    OUTCOME_LABELS,
    AuditKind,
    actions_labelled,
    kind_of,
    label_of,
    object_parts,
)
from ccms_app.core import listing
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.display import time_zone
from ccms_app.core.i18n import N_, tr
from ccms_app.core.listing import (
    ListColumn,
    ListPage,
    ListQuery,
    ListQueryError,
    ListSpec,
    spreadsheet_safe,
)
from ccms_app.core.retention import RetainedTable
from ccms_app.core.rows import table_of

TABLE = table_of(AuditEntry)
UNOWNED = 0  # in a scope: the entries without an organisation (organisation ids start at 1)
FILTER_KEYS = ("kind", "outcome", "since", "until")
LOCAL_TIME = "%Y-%m-%d %H:%M:%S %Z"
UTC_TIME = "%Y-%m-%dT%H:%M:%SZ"


# --- scope -------------------------------------------------------------------------------


def audit_scope(organisation_id: int) -> frozenset[int]:
    """The organisations whose entries an operator of `organisation_id` sees; with `UNOWNED`
    for the root operator (the first organisation without a parent, as `root_organisation`)."""
    if organisation_id <= 0:
        return frozenset()
    scope = organisation_scope(organisation_id)
    with read_session() as session:
        root = session.execute(
            select(col(Organisation.id))
            .where(col(Organisation.parent_id).is_(None))
            .order_by(col(Organisation.id))
            .limit(1)
        ).scalar_one_or_none()
    return scope | {UNOWNED} if root == organisation_id else scope


def _in_scope(organisation_ids: Collection[int]) -> ColumnElement[bool]:
    """The scope as SQL. The root operator's scope is (nearly) the whole log: its condition
    is written so SQLite does not pick the organisation index for it, but walks the time
    index newest first and stops after a page; a sub-operator's few entries are found
    through the organisation index."""
    ids = sorted(organisation_ids)
    if UNOWNED in organisation_ids:
        return func.coalesce(col(AuditEntry.organisation_id), UNOWNED).in_(ids)
    return col(AuditEntry.organisation_id).in_(ids)


# --- filters -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """From the start of `since`'s day to the end of `until`'s, in UTC (`until` exclusive)."""

    since: datetime | None
    until: datetime | None

    def condition(self) -> ColumnElement[bool]:
        occurred = col(AuditEntry.occurred_at)
        parts = []
        if self.since is not None:
            parts.append(occurred >= self.since)
        if self.until is not None:
            parts.append(occurred < self.until)
        return and_(*parts)


# What a bad From / To date says (the message names the field's label).
_NOT_A_DATE = {
    "since": N_("From must be a date like 2026-01-31, got {raw}"),
    "until": N_("To must be a date like 2026-01-31, got {raw}"),
}


def _day(raw: str, bound: str) -> date | None:
    if not raw.strip():
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise ListQueryError(tr(_NOT_A_DATE[bound], raw=repr(raw))) from None


def period(since: str, until: str, zone: str) -> Period | None:
    """The date range an operator chose (days in `zone`), or None when both are empty."""
    first, last = _day(since, "since"), _day(until, "until")
    if first is None and last is None:
        return None
    if first is not None and last is not None and first > last:
        raise ListQueryError(tr("The From date is after the To date"))
    tz = time_zone(zone)

    def start_of(day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)

    return Period(
        since=None if first is None else start_of(first),
        until=None if last is None else start_of(last + timedelta(days=1)),
    )


def _kind(kind: str) -> AuditKind:
    try:
        return AuditKind(kind)
    except ValueError:
        choices = ", ".join(k.value for k in AuditKind)
        raise ListQueryError(
            tr("Unknown kind {kind}: choose one of {choices}", kind=repr(kind), choices=choices)
        ) from None


def kind_condition(kind: str) -> ColumnElement[bool]:
    """SQL for "the action is of this kind": the distinct actions in the log (an index
    walk), each classified by `audit_labels.kind_of`, so the filter decides exactly as the
    page's labels do, listed actions and fallback rules alike, and can use the action index."""
    wanted = _kind(kind)
    with read_session() as session:
        present = session.execute(select(col(AuditEntry.action)).distinct()).scalars().all()
    return col(AuditEntry.action).in_(sorted(a for a in present if kind_of(a) == wanted))


def _outcome_condition(outcome: str) -> ColumnElement[bool]:
    if outcome not in OUTCOME_LABELS:
        raise ListQueryError(
            tr(
                "Unknown outcome {outcome}: choose one of ok, refused, failed",
                outcome=repr(outcome),
            )
        )
    return col(AuditEntry.outcome) == outcome


def _unescaped(pattern: str) -> str:
    """The search term inside listing's LIKE pattern ("%term%", backslash escapes)."""
    return re.sub(r"\\(.)", r"\1", pattern.removeprefix("%").removesuffix("%"))


def _action_matches(pattern: str) -> ColumnElement[bool]:
    """The code name ("id_tag_actions.block", also as "id tag actions"), or the label."""
    action = func.lower(col(AuditEntry.action))
    conditions = [action.like(pattern, escape="\\")]
    if " " in pattern:
        conditions.append(action.like(pattern.replace(" ", "\\_"), escape="\\"))
    labelled = actions_labelled(_unescaped(pattern))
    if labelled:
        conditions.append(col(AuditEntry.action).in_(labelled))
    return or_(*conditions)


# --- the list ----------------------------------------------------------------------------

AUDIT_LIST = ListSpec(
    name="audit log",
    base=lambda: select(AuditEntry).outerjoin(
        Organisation, col(Organisation.id) == col(AuditEntry.organisation_id)
    ),
    columns=(
        ListColumn("id", "Entry", AuditEntry.id, sortable=False),
        ListColumn(
            "occurred_at",
            "Time",
            AuditEntry.occurred_at,
            filterable=True,
            filter=lambda chosen: chosen.condition(),
        ),
        ListColumn("occurred_at_utc", "Time (UTC)", AuditEntry.occurred_at, sortable=False),
        ListColumn("actor", "Who", AuditEntry.actor, searchable=True),
        ListColumn("action", "What", AuditEntry.action, searchable=True, search=_action_matches),
        ListColumn(
            "kind",
            "Kind",
            AuditEntry.action,
            filterable=True,
            filter=kind_condition,
            sortable=False,
        ),
        ListColumn("object_id", "On", AuditEntry.object_id, searchable=True),
        ListColumn(
            "outcome", "Outcome", AuditEntry.outcome, filterable=True, filter=_outcome_condition
        ),
        ListColumn("remote_address", "From", AuditEntry.remote_address, searchable=True),
        ListColumn(
            "organisation", "Organisation", Organisation.name, filterable=True, filter=_in_scope
        ),
        ListColumn("detail", "Detail", AuditEntry.detail, searchable=True, sortable=False),
        ListColumn("action_name", "Action", AuditEntry.action, sortable=False),
        ListColumn("object_type", "Object type", AuditEntry.object_type, sortable=False),
    ),
    organisation_column=AuditEntry.organisation_id,
    id_column=AuditEntry.id,
    default_sort="occurred_at",
)


def audit_query(
    *,
    search: str = "",
    filters: Mapping[str, str] | None = None,
    sort: str = "",
    descending: bool = True,
    page: int = 1,
    page_size: int = 25,
    zone: str = "UTC",
) -> ListQuery:
    """The operator's choices (the page's filter strings) as a list query; a filter the log
    does not offer, or a bad value, is a ListQueryError naming it."""
    chosen = {k: v for k, v in (filters or {}).items() if v}
    unknown = sorted(set(chosen) - set(FILTER_KEYS))
    if unknown:
        raise ListQueryError(
            tr("The audit log cannot be filtered by {unknown}", unknown=", ".join(unknown))
        )
    typed: dict[str, Any] = {k: chosen[k] for k in ("kind", "outcome") if k in chosen}
    if "kind" in typed:
        _kind(typed["kind"])  # checks the value now, with its message
    if "outcome" in typed:
        _outcome_condition(typed["outcome"])
    dates = period(chosen.get("since", ""), chosen.get("until", ""), zone)
    if dates is not None:
        typed["occurred_at"] = dates
    return ListQuery(
        search=search,
        filters=typed,
        sort=sort,
        descending=descending,
        page=page,
        page_size=page_size,
    )


def _scoped(query: ListQuery, organisation_ids: Collection[int]) -> ListQuery:
    """The query limited to the caller's scope, whatever its filters say."""
    return replace(query, filters={**query.filters, "organisation": frozenset(organisation_ids)})


def fetch_audit_page(query: ListQuery, organisation_ids: Collection[int]) -> ListPage:
    """One page of entries the caller may see (`organisation_ids` from `audit_scope`)."""
    return listing.fetch_page(AUDIT_LIST, _scoped(query, organisation_ids), None)


def export_audit_csv(query: ListQuery, organisation_ids: Collection[int], zone: str) -> str:
    """Every entry the query matches in the caller's scope (all pages, list order) as CSV,
    times in `zone` and in UTC."""
    rows = listing.iter_rows(AUDIT_LIST, _scoped(query, organisation_ids), None)
    columns = [(c.key, c.label) for c in AUDIT_LIST.columns]
    return listing.to_csv(columns, (export_row(row, zone) for row in rows))


# --- rows as shown -----------------------------------------------------------------------


def known_zone(name: str) -> str:
    """`name` if the zone database knows it, else "UTC" (the browser's answer is input)."""
    name = name.strip()[:64]
    return name if name and time_zone(name).key == name else "UTC"


def _local(value: datetime | None, zone: str) -> str:
    return "" if value is None else value.astimezone(time_zone(zone)).strftime(LOCAL_TIME)


def _utc(value: datetime | None) -> str:
    return "" if value is None else value.astimezone(UTC).strftime(UTC_TIME)


def shown_row(row: Mapping[str, Any], zone: str) -> dict[str, str]:
    """One entry as the page shows it: labels for codes, times in `zone`; `kind_key` and
    `outcome_key` keep the codes for badge colours. The labels are English message ids the
    page translates (`t_var`); `object_noun` (a message id) and `object_ref` are "On" in parts
    for it, `object_id` the English whole the export writes."""
    action = str(row.get("action") or "")
    kind = kind_of(action)
    outcome = str(row.get("outcome") or "")
    noun, ref = object_parts(
        action,
        str(row.get("object_type") or ""),
        str(row.get("object_id") or ""),
        str(row.get("detail") or ""),
    )
    return {
        "id": str(row.get("id") or ""),
        "occurred_at": _local(row.get("occurred_at"), zone),
        "occurred_at_utc": _utc(row.get("occurred_at_utc")),
        "actor": str(row.get("actor") or ""),
        "action": label_of(action),
        "kind": KIND_LABELS[kind],
        "kind_key": kind.value,
        "object_id": f"{noun} {ref}".strip() if ref else "",
        "object_noun": noun if ref else "",
        "object_ref": ref,
        "outcome": OUTCOME_LABELS.get(outcome, outcome),
        "outcome_key": outcome,
        "remote_address": str(row.get("remote_address") or ""),
        "organisation": str(row.get("organisation") or ""),
        "detail": str(row.get("detail") or ""),
        "action_name": action,
        "object_type": str(row.get("object_type") or ""),
    }


def export_row(row: Mapping[str, Any], zone: str) -> dict[str, str]:
    """One entry for the CSV: as shown, each cell safe to open in a spreadsheet."""
    return {key: spreadsheet_safe(value) for key, value in shown_row(row, zone).items()}


# --- retention ---------------------------------------------------------------------------


def audit_log_retention(days: int) -> RetainedTable:
    return RetainedTable(TABLE.name, days, count_expired_entries, purge_expired_entries)


def count_expired_entries(cutoff: datetime) -> int:
    """Entries a purge would delete now (`ccms db purge --dry-run`)."""
    with read_session() as session:
        query = select(func.count()).select_from(TABLE).where(TABLE.c.occurred_at < cutoff)
        return int(session.execute(query).scalar_one())


def purge_expired_entries(cutoff: datetime, rows: int) -> Iterator[int]:
    """Delete entries older than `cutoff`, oldest first, one committed batch of at most
    `rows` per iteration (an index range on `occurred_at`)."""
    while True:
        oldest = (
            select(TABLE.c.id)
            .where(TABLE.c.occurred_at < cutoff)
            .order_by(TABLE.c.occurred_at)
            .limit(rows)
        )
        with session_scope() as session:
            result = session.execute(delete(TABLE).where(TABLE.c.id.in_(oldest)))
            deleted = int(result.rowcount or 0)  # type: ignore[attr-defined]
        if deleted:
            yield deleted
        if deleted < rows:
            return
