"""The event history: every charger event, filterable, sortable and exportable.

One list over three tables, UNION ALL:
- status_event: every StatusNotification (kind "status", with its status, errorCode, info,
  vendorId and vendorErrorCode);
- charge_point_event: connected, disconnected, boot, firmware, diagnostics (kind as stored,
  `detail` says the reason / boot status and charger / firmware or diagnostics status);
- security_event: refused or failed charger connections (kind "security"; `status` is the
  security event's kind, e.g. auth_failed). Matched to a charge point by identity; an identity
  that is no charge point's belongs to the network operator (root organisation), like unknown
  charge points do. Operator login failures are no charger's event and are left out.

Each branch joins its charge point and station, and every column has the same type affinity
in the three branches (`_text`, the casts), so the outer query is a plain select of the union
that SQLite flattens: filters go into each branch, and a page sorted by time is a merge of
each table's time index (ix_status_event_received, ix_charge_point_event_time; security
events are few) stopped after the page: ~2 ms at 100,000 events instead of ~740 ms for the
same union read whole and sorted (bench/event_history.py).

Column keys of EVENT_HISTORY (rows are dicts with these keys; H2's page and API show them):
    id               unique across the three tables: table row id * 4 + 1 (status), 2 (charge
                     point event), 3 (security); the list's tie-break and fetch_one key
    occurred_at      when CCMS received / recorded it (UTC; show in the operator's zone)
    kind             status | connected | disconnected | boot | firmware | diagnostics | security
    charge_point_id  None for a security event of an identity no charge point has
    identity         the charge point's OCPP identity (security: the identity it claimed)
    station_id, station_name   None / None when the charge point has no station
    organisation_id  the charge point's organisation (scope); security without a charge point:
                     the root organisation
    connector_id     status events only (0 = the charge point), else None
    status           status: the connector status; security: its kind; others ""
    error_code, info, vendor_id, vendor_error_code   status events only, else ""
    detail           charge point events' detail; security: its detail and remote address
Filters: occurred_at (a DateRange / (from, to) / "from/to" ISO text, either end open),
charge_point_id, identity, station_id, kind, error_code, connector_id. Sort: occurred_at (the
default; DEFAULT_DESCENDING: newest first), identity, station_name, error_code, kind. Search:
identity, station name, error code, vendor error code. Export: core.listing.export_csv.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    String,
    and_,
    cast,
    func,
    literal,
    null,
    select,
    true,
    union_all,
)
from sqlalchemy.sql.elements import ColumnElement

from ccms_app.accounts.models import Organisation
from ccms_app.core.i18n import tr
from ccms_app.core.listing import ListColumn, ListQueryError, ListSpec
from ccms_app.core.rows import table_of
from ccms_app.maintenance.rules.alarm_causes import OPERATOR_SECURITY_KINDS
from ccms_app.network.models import (
    ChargePoint,
    ChargePointEvent,
    SecurityEvent,
    Station,
    StatusEvent,
)

KINDS = ("status", "connected", "disconnected", "boot", "firmware", "diagnostics", "security")
DEFAULT_DESCENDING = True  # newest first
SOURCES = 4  # id = row id * SOURCES + 1 | 2 | 3

_se = table_of(StatusEvent)
_ce = table_of(ChargePointEvent)
_sec = table_of(SecurityEvent)
_cp = table_of(ChargePoint)
_st = table_of(Station)


def _root_organisation() -> Any:
    org = table_of(Organisation)
    return select(func.min(org.c.id)).where(org.c.parent_id.is_(None)).scalar_subquery()


def _text(value: str) -> Any:
    """A constant with TEXT affinity, like the columns it stands beside in the other branches:
    SQLite flattens the UNION ALL (and merges each table's time index for a page) only when
    every column has the same affinity in every branch (its flattening rule 17h)."""
    return cast(literal(value), String)


def _status_events() -> Select[Any]:
    return (
        select(
            (_se.c.id * SOURCES + 1).label("id"),
            _se.c.received_at.label("occurred_at"),
            _text("status").label("kind"),
            _se.c.charge_point_id.label("charge_point_id"),
            _cp.c.identity.label("identity"),
            _cp.c.station_id.label("station_id"),
            _st.c.name.label("station_name"),
            _st.c.timezone.label("timezone"),
            _cp.c.organisation_id.label("organisation_id"),
            _se.c.connector_id.label("connector_id"),
            _se.c.status.label("status"),
            _se.c.error_code.label("error_code"),
            _se.c.info.label("info"),
            _se.c.vendor_id.label("vendor_id"),
            _se.c.vendor_error_code.label("vendor_error_code"),
            _text("").label("detail"),
        )
        .select_from(_se)
        .outerjoin(_cp, _cp.c.id == _se.c.charge_point_id)
        .outerjoin(_st, _st.c.id == _cp.c.station_id)
    )


def _charge_point_events() -> Select[Any]:
    return (
        select(
            (_ce.c.id * SOURCES + 2).label("id"),
            _ce.c.occurred_at.label("occurred_at"),
            _ce.c.kind.label("kind"),
            _ce.c.charge_point_id.label("charge_point_id"),
            _cp.c.identity.label("identity"),
            _cp.c.station_id.label("station_id"),
            _st.c.name.label("station_name"),
            _st.c.timezone.label("timezone"),
            _cp.c.organisation_id.label("organisation_id"),
            cast(null(), Integer).label("connector_id"),
            _text("").label("status"),
            _text("").label("error_code"),
            _text("").label("info"),
            _text("").label("vendor_id"),
            _text("").label("vendor_error_code"),
            _ce.c.detail.label("detail"),
        )
        .select_from(_ce)
        .outerjoin(_cp, _cp.c.id == _ce.c.charge_point_id)
        .outerjoin(_st, _st.c.id == _cp.c.station_id)
    )


def _security_events() -> Select[Any]:
    where = func.coalesce(literal(" from ", String) + _sec.c.remote_address, "")
    return (
        select(
            (_sec.c.id * SOURCES + 3).label("id"),
            _sec.c.created_at.label("occurred_at"),
            _text("security").label("kind"),
            _cp.c.id.label("charge_point_id"),
            _sec.c.identity.label("identity"),
            _cp.c.station_id.label("station_id"),
            _st.c.name.label("station_name"),
            _st.c.timezone.label("timezone"),
            cast(func.coalesce(_cp.c.organisation_id, _root_organisation()), Integer).label(
                "organisation_id"
            ),
            cast(null(), Integer).label("connector_id"),
            _sec.c.kind.label("status"),
            _text("").label("error_code"),
            _text("").label("info"),
            _text("").label("vendor_id"),
            _text("").label("vendor_error_code"),
            cast(_sec.c.detail + where, String).label("detail"),
        )
        .select_from(_sec)
        .outerjoin(_cp, _cp.c.identity == _sec.c.identity)
        .outerjoin(_st, _st.c.id == _cp.c.station_id)
        .where(_sec.c.kind.not_in(sorted(OPERATOR_SECURITY_KINDS)))
    )


_history = union_all(_status_events(), _charge_point_events(), _security_events()).subquery(
    "event_history"
)
H = _history.c


@dataclass(frozen=True)
class DateRange:
    """From (inclusive) and to (exclusive); either may be open."""

    start: datetime | None = None
    end: datetime | None = None


def _moment(value: Any, field: str) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError as error:
            raise ListQueryError(
                f"event history {field}: {value!r} is not a date or time (ISO 8601, e.g. "
                "2025-03-01 or 2025-03-01T12:00:00Z)"
            ) from error
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def date_range(value: Any) -> DateRange:
    """A DateRange from what a filter may carry: a DateRange, a (from, to) pair, or "from/to"
    text (ISO dates or times, either side empty)."""
    if isinstance(value, DateRange):
        return value
    if isinstance(value, tuple | list) and len(value) == 2:
        return DateRange(_moment(value[0], "from"), _moment(value[1], "to"))
    if isinstance(value, str) and "/" in value:
        start, end = value.split("/", 1)
        return DateRange(_moment(start, "from"), _moment(end, "to"))
    raise ListQueryError(
        "event history date filter: give from and to as 'FROM/TO' (ISO 8601, either side "
        f"may be empty), not {value!r}"
    )


def _in_range(value: Any) -> ColumnElement[bool]:
    period = date_range(value)
    if period.start and period.end and period.end <= period.start:
        raise ListQueryError(tr("event history: 'to' must be after 'from'"))
    conditions: list[ColumnElement[bool]] = [true()]
    if period.start is not None:
        conditions.append(H.occurred_at >= period.start)
    if period.end is not None:
        conditions.append(H.occurred_at < period.end)
    return and_(*conditions)


def _kind_is(value: Any) -> ColumnElement[bool]:
    if value not in KINDS:
        raise ListQueryError(f"event history kind must be one of {', '.join(KINDS)}, not {value!r}")
    return H.kind == value


def _base() -> Select[Any]:
    return select(H.id).select_from(_history)


EVENT_HISTORY = ListSpec(
    name="event history",
    base=_base,
    zone=H.timezone,  # each event in its station's zone (the operator's without one)
    columns=(
        ListColumn("occurred_at", "Time", H.occurred_at, filterable=True, filter=_in_range),
        ListColumn("kind", "Event", H.kind, filterable=True, filter=_kind_is),
        ListColumn("identity", "Charge point", H.identity, searchable=True, filterable=True),
        ListColumn("station_name", "Station", H.station_name, searchable=True),
        ListColumn("connector_id", "Connector", H.connector_id, filterable=True, sortable=False),
        ListColumn("status", "Status", H.status, sortable=False),
        ListColumn("error_code", "Error code", H.error_code, searchable=True, filterable=True),
        ListColumn("info", "Info", H.info, sortable=False),
        ListColumn("vendor_id", "Vendor id", H.vendor_id, sortable=False),
        ListColumn(
            "vendor_error_code",
            "Vendor error code",
            H.vendor_error_code,
            searchable=True,
            sortable=False,
        ),
        ListColumn("detail", "Detail", H.detail, sortable=False),
        ListColumn(
            "charge_point_id", "Charge point id", H.charge_point_id, filterable=True, sortable=False
        ),
        ListColumn("station_id", "Station id", H.station_id, filterable=True, sortable=False),
        ListColumn("organisation_id", "Organisation id", H.organisation_id, sortable=False),
        ListColumn("id", "Event id", H.id, sortable=False),
    ),
    organisation_column=H.organisation_id,
    id_column=H.id,
    default_sort="occurred_at",
)
