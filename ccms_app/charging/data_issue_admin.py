"""The operator's side of the data policy: lists of charger data issues and flagged sessions,
what each kind of issue means, and resolving issues one by one or in bulk.

The lists are core.listing specs (server-side search, filters, sort, pages, CSV), scoped
like charging.data_issues: an issue belongs to its charge point's organisation, an issue of an
identity without a charge point to the root organisation. Resolving goes through
data_issues.resolve_issues, which tells the live pages so the "data" warnings go away.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Select, case, select
from sqlmodel import col

from ccms_app.charging import data_issues
from ccms_app.charging.data_issues import DataIssueView, issue_organisation
from ccms_app.charging.models import ChargerDataIssue, ChargingSession
from ccms_app.charging.rules import timestamps
from ccms_app.core import listing
from ccms_app.core.db import read_session
from ccms_app.core.i18n import N_
from ccms_app.core.listing import ListColumn, ListQuery, ListSpec
from ccms_app.network.models import ChargePoint, Station

UNRESOLVED = "unresolved"
RESOLVED = "resolved"
STATE_OPTIONS = [(UNRESOLVED, N_("Unresolved")), (RESOLVED, N_("Resolved"))]
POLICY_DOC = "docs/data-policy.md"


@dataclass(frozen=True)
class KindPolicy:
    """What an issue kind means and what CCMS did, with the section of docs/data-policy.md.
    The title and the text are message ids (N_): translated where they are shown; the API
    gives them in English."""

    kind: str
    title: str
    section: str
    text: str


def _policy(kind: str, title: str, section: str, text: str) -> tuple[str, KindPolicy]:
    return kind, KindPolicy(kind, title, section, text)


_CLOCK_SECTION = "Timestamps without a time zone, in the future, or unset"

KIND_POLICIES: dict[str, KindPolicy] = dict(
    [
        _policy(
            data_issues.STOP_UNKNOWN_TRANSACTION,
            N_("Stop of an unknown transaction"),
            "StopTransaction with transaction id 0, -1 or unknown",
            N_(
                "The charger stopped a transaction CCMS does not know: id 0 or -1 (it never got "
                "a transaction id), an id CCMS never issued, or another charge point's. CCMS "
                "answered normally so the charger stopped retrying; no session was created or "
                "changed, and the stop's meter values were stored without a session. The stop as "
                "sent is below."
            ),
        ),
        _policy(
            data_issues.STOP_REPEATED_DIFFERENT,
            N_("Second stop with different values"),
            "A second StopTransaction",
            N_(
                "A transaction that was already stopped was stopped again with other values "
                "(meterStop, time, reason or id tag). The first stop wins: the session kept its "
                "values. Compare both meterStops in the detail before billing the session."
            ),
        ),
        _policy(
            data_issues.METER_VALUES_UNKNOWN_TRANSACTION,
            N_("Meter values for an unknown transaction"),
            "MeterValues for an unknown or finished transaction",
            N_(
                "MeterValues named a transaction CCMS never issued (or another charge point's). "
                "Every sample is stored without a session; the charger got its usual answer."
            ),
        ),
        _policy(
            data_issues.METER_VALUES_FINISHED_TRANSACTION,
            N_("Meter values after the stop"),
            "MeterValues for an unknown or finished transaction",
            N_(
                "MeterValues arrived for a transaction that had already stopped. The samples are "
                "stored with the session; only those timed inside the session count towards its "
                "energy, and its meterStop stays the final reading."
            ),
        ),
        _policy(
            data_issues.ENERGY_REGISTER_BREAK,
            N_("Energy register break"),
            "Energy registers that reset, wrap or jump",
            N_(
                "The energy register went down (reset, wrap, meter swapped) or jumped. The energy "
                "counted before the break is kept and counting continues from the new value; the "
                "energy across a real reset is unknown and never billed. The session is flagged."
            ),
        ),
        _policy(
            timestamps.CLOCK_NO_TIMEZONE,
            N_("Timestamps without a time zone"),
            _CLOCK_SECTION,
            N_(
                "The charger sends timestamps without a time zone; CCMS takes them as UTC. "
                "The session times it touched are flagged; set the charger's clock (NTP) to UTC."
            ),
        ),
        _policy(
            timestamps.CLOCK_AHEAD,
            N_("Charger clock ahead"),
            _CLOCK_SECTION,
            N_(
                "The charger sent timestamps more than 5 minutes in the future; CCMS stored the "
                "time it received them instead. "
                "The session times it touched are flagged; set the charger's clock (NTP) to UTC."
            ),
        ),
        _policy(
            timestamps.CLOCK_NOT_SET,
            N_("Charger clock not set"),
            _CLOCK_SECTION,
            N_(
                "The charger sent timestamps before 2015 (an unset clock, e.g. 1970); CCMS stored "
                "the time it received them instead. "
                "The session times it touched are flagged; set the charger's clock (NTP) to UTC."
            ),
        ),
        _policy(
            timestamps.CLOCK_UNREADABLE,
            N_("Unreadable timestamps"),
            _CLOCK_SECTION,
            N_(
                "The charger sent timestamps CCMS cannot read or store; CCMS used the time it "
                "received them instead. "
                "The session times it touched are flagged; set the charger's clock (NTP) to UTC."
            ),
        ),
        _policy(
            data_issues.DUPLICATE_MESSAGE_ID,
            N_("Message id reused"),
            "Duplicate message ids",
            N_(
                "The charger reused a message id for a different message. CCMS processed it as a "
                "new message (answered and applied); the new frame is kept below. A charger doing "
                "this often has a broken message counter."
            ),
        ),
    ]
)


def policy_for(kind: str) -> KindPolicy:
    """The explanation of a kind; an unknown kind gets a plain one rather than none."""
    return KIND_POLICIES.get(
        kind,
        KindPolicy(
            kind,
            kind.replace("_", " ").capitalize(),
            "",
            N_("CCMS could not apply this message as sent; the request is kept below."),
        ),
    )


def kind_options() -> list[tuple[str, str]]:
    """(kind, title) for the kind filter (the titles as message ids: translate to show)."""
    return [(p.kind, p.title) for p in KIND_POLICIES.values()]


# --- lists -------------------------------------------------------------------------------


def _issue_state() -> Any:
    return case((col(ChargerDataIssue.resolved_at).is_(None), UNRESOLVED), else_=RESOLVED)


def _issues_base() -> Select[Any]:
    return (
        select(ChargerDataIssue)
        .outerjoin(ChargePoint, col(ChargePoint.id) == col(ChargerDataIssue.charge_point_id))
        .outerjoin(Station, col(Station.id) == col(ChargePoint.station_id))
    )


_ISSUE_COLUMNS = (
    ListColumn("id", "Id", ChargerDataIssue.id),
    ListColumn("created_at", "Time (UTC)", ChargerDataIssue.created_at),
    ListColumn("identity", "Charge point", ChargerDataIssue.identity, searchable=True),
    ListColumn("kind", "Kind", ChargerDataIssue.kind, filterable=True),
    ListColumn("detail", "Detail", ChargerDataIssue.detail, searchable=True, sortable=False),
    ListColumn("state", "State", _issue_state(), filterable=True),
    ListColumn("resolved_at", "Resolved (UTC)", ChargerDataIssue.resolved_at),
    ListColumn("resolved_by", "Resolved by", ChargerDataIssue.resolved_by),
    ListColumn(
        "charge_point_id", "Charge point id", ChargerDataIssue.charge_point_id, filterable=True
    ),
)

DATA_ISSUE_LIST = ListSpec(
    name="data issues",
    base=_issues_base,
    columns=_ISSUE_COLUMNS,
    organisation_column=issue_organisation(),
    id_column=ChargerDataIssue.id,
    default_sort="created_at",
    zone=Station.timezone,  # times in the station's zone (the operator's without one)
)

# The export also carries each issue's stored payload (too big for the list's rows).
DATA_ISSUE_EXPORT = replace(
    DATA_ISSUE_LIST,
    columns=(
        *_ISSUE_COLUMNS,
        ListColumn("payload", "Payload", ChargerDataIssue.payload, sortable=False),
    ),
)


def charge_point_query(query: ListQuery, charge_point_id: int) -> ListQuery:
    """`query` narrowed to one charge point's unresolved issues (its page's Data issues tab)."""
    only = {"charge_point_id": charge_point_id, "state": UNRESOLVED}
    return replace(query, filters={**query.filters, **only})


FLAGGED_SESSION_LIST = ListSpec(
    name="flagged sessions",
    base=lambda: (
        select(ChargingSession)
        .join(ChargePoint, col(ChargePoint.id) == col(ChargingSession.charge_point_id))
        .outerjoin(Station, col(Station.id) == col(ChargePoint.station_id))
        .where(col(ChargingSession.flagged).is_(True))
    ),
    columns=(
        ListColumn("id", "Transaction", ChargingSession.id),
        ListColumn("identity", "Charge point", ChargePoint.identity, searchable=True),
        ListColumn("connector_id", "Connector", ChargingSession.connector_id),
        ListColumn("id_tag", "Id tag", ChargingSession.id_tag, searchable=True),
        ListColumn("start_time", "Start (UTC)", ChargingSession.start_time),
        ListColumn("stop_time", "Stop (UTC)", ChargingSession.stop_time),
        ListColumn("energy_wh", "Energy (Wh)", ChargingSession.energy_wh),
        ListColumn("status", "Status", ChargingSession.status, filterable=True),
        ListColumn("flag_reason", "Flag reason", ChargingSession.flag_reason, searchable=True),
    ),
    organisation_column=ChargingSession.organisation_id,
    id_column=ChargingSession.id,
    default_sort="start_time",
    zone=Station.timezone,
)


# --- one issue, and resolving ------------------------------------------------------------


def issue_detail(issue_id: int, organisation_ids: Collection[int]) -> DataIssueView | None:
    """One issue with its payload, if `organisation_ids` own it."""
    query = (
        _issues_base()
        .where(col(ChargerDataIssue.id) == issue_id)
        .where(issue_organisation().in_(list(organisation_ids)))
    )
    with read_session() as session:
        row = session.execute(query).scalars().first()
        return None if row is None else data_issues.issue_view(row)


def issue_zone(issue_id: int, organisation_ids: Collection[int], operator_zone: str) -> str:
    """The zone an issue's times are shown in: its charge point's station's, else
    `operator_zone`."""
    row = listing.fetch_one(DATA_ISSUE_LIST, issue_id, organisation_ids, with_zone=True)
    return str((row or {}).get(listing.ROW_ZONE) or "") or operator_zone


def resolve_matching(query: ListQuery, organisation_ids: Collection[int], resolved_by: str) -> int:
    """Resolve every unresolved issue the list `query` matches (all pages); returns how many."""
    unresolved = replace(query, filters={**query.filters, "state": UNRESOLVED})
    rows = listing.iter_rows(DATA_ISSUE_LIST, unresolved, organisation_ids)
    ids = [int(row["id"]) for row in rows]
    return data_issues.resolve_issues(ids, organisation_ids, resolved_by=resolved_by)
