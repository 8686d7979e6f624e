"""The charging history as one `ListSpec` (HISTORY_LIST): the web page, its CSV export and
the REST resource read through it, so a filter added for one is there for the others.

A list of sessions alone (newest first on the indexed start time; organisation scope on the
session's own indexed column). What finance adds (the cost row, the card's driver or group,
the station) is read by correlated subqueries, each by a unique key: the database evaluates
them for the page's rows only, so counting 100,000 sessions reads one index and joins
nothing. Filters and searches on those values find the few matching cards, charge points,
stations or cost rows once (indexed) and select sessions by their indexed id tag, charge
point or id, never a LIKE through a join row by row. Figures: the finance report.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from ccms_app.charging.models import ChargingSession, SessionStatus
from ccms_app.core.i18n import N_
from ccms_app.core.listing import ListColumn, ListQueryError, ListSpec
from ccms_app.drivers.models import Driver, IdTag, UserGroup, Vehicle
from ccms_app.finance.models import DRIVER_ACCOUNT, GROUP_ACCOUNT, CostState, SessionCost
from ccms_app.network.models import ChargePoint, Station

NO_COST = "none"  # the cost-state filter value of a session no cost row exists for yet
DATE_FILTERS = ("since", "until")


SESSION_LABELS: dict[str, str] = {
    SessionStatus.ACTIVE: N_("running"),
    SessionStatus.COMPLETED: N_("completed"),
    SessionStatus.REFUSED: N_("refused"),
}
# SessionCost.payment_method's values as people read them (a value not here shows as stored).
PAYMENT_METHOD_LABELS: dict[str, str] = {
    "wallet": N_("wallet"),
    "card": N_("card"),
    "invoice": N_("invoice"),
    "free": N_("free"),
    GROUP_ACCOUNT: N_("group account"),
    DRIVER_ACCOUNT: N_("driver account"),
    "id tag": N_("id tag"),
    "unknown id tag": N_("unknown id tag"),
}
COST_LABELS: dict[str, str] = {
    CostState.RUNNING: N_("cost so far"),
    CostState.FINAL: N_("priced"),
    CostState.REVIEW: N_("held for review"),
    CostState.UNPRICED: N_("unpriced"),
    NO_COST: N_("not priced"),
}


# --- what a session shows, read for the page's rows only -------------------------------


def _of_charge_point(column: Any) -> Any:
    return (
        select(column)
        .where(col(ChargePoint.id) == col(ChargingSession.charge_point_id))
        .scalar_subquery()
    )


def _of_station(column: Any) -> Any:
    return (
        select(column)
        .join(ChargePoint, col(ChargePoint.station_id) == col(Station.id))
        .where(col(ChargePoint.id) == col(ChargingSession.charge_point_id))
        .scalar_subquery()
    )


def _of_card(column: Any) -> Any:
    return select(column).where(col(IdTag.id_tag) == col(ChargingSession.id_tag)).scalar_subquery()


def _of_card_owner(column: Any, owner: Any, key: Any) -> Any:
    return (
        select(column)
        .join(IdTag, key == col(owner.id))
        .where(col(IdTag.id_tag) == col(ChargingSession.id_tag))
        .scalar_subquery()
    )


def _of_cost(column: Any) -> Any:
    return (
        select(column)
        .where(col(SessionCost.session_id) == col(ChargingSession.id))
        .scalar_subquery()
    )


def _single_vehicle() -> Any:
    """The card's driver's vehicle when the driver has exactly one (else NULL)."""
    return (
        select(func.max(col(Vehicle.make) + literal(" ") + col(Vehicle.model)))
        .join(IdTag, col(IdTag.driver_id) == col(Vehicle.driver_id))
        .where(col(IdTag.id_tag) == col(ChargingSession.id_tag))
        .having(func.count() == 1)
        .scalar_subquery()
    )


def _payment_method() -> Any:
    """What the cost says, else whose account the card charges (a group's or a driver's)."""
    recorded = func.coalesce(_of_cost(col(SessionCost.payment_method)), "")
    return case(
        (recorded != "", recorded),
        (_of_card(col(IdTag.group_id)).is_not(None), literal(GROUP_ACCOUNT)),
        (_of_card(col(IdTag.driver_id)).is_not(None), literal(DRIVER_ACCOUNT)),
        else_=literal(""),
    )


# --- filters and searches: the few matching rows of the other table first ----------------


def _tags_where(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """Sessions of the cards meeting `condition` (found once, then the indexed id tag)."""
    return col(ChargingSession.id_tag).in_(select(col(IdTag.id_tag)).where(condition))


def _costs_where(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    """Sessions whose cost row meets `conditions` (the cost rows found first)."""
    return col(ChargingSession.id).in_(select(col(SessionCost.session_id)).where(*conditions))


def _driver_named(pattern: str) -> ColumnElement[bool]:
    drivers = select(col(Driver.id)).where(func.lower(Driver.name).like(pattern, escape="\\"))
    return _tags_where(col(IdTag.driver_id).in_(drivers))


def _group_named(pattern: str) -> ColumnElement[bool]:
    groups = select(col(UserGroup.id)).where(func.lower(UserGroup.name).like(pattern, escape="\\"))
    return _tags_where(col(IdTag.group_id).in_(groups))


def _charge_points_where(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return col(ChargingSession.charge_point_id).in_(select(col(ChargePoint.id)).where(condition))


def _charge_point_named(pattern: str) -> ColumnElement[bool]:
    return _charge_points_where(func.lower(ChargePoint.identity).like(pattern, escape="\\"))


def _station_named(pattern: str) -> ColumnElement[bool]:
    stations = select(col(Station.id)).where(func.lower(Station.name).like(pattern, escape="\\"))
    return _charge_points_where(col(ChargePoint.station_id).in_(stations))


def _at_station(station_id: Any) -> ColumnElement[bool]:
    return _charge_points_where(col(ChargePoint.station_id) == number(station_id))


def _at_charge_point(identity: Any) -> ColumnElement[bool]:
    return _charge_points_where(col(ChargePoint.identity) == str(identity))


def _driver_filter(value: Any) -> ColumnElement[bool]:
    """A driver's id (the API, a link) or part of a name (the page's text box)."""
    text = str(value).strip()
    if text.isdigit():
        return _tags_where(col(IdTag.driver_id) == int(text))
    return _driver_named(like_pattern(text))


def _group_filter(value: Any) -> ColumnElement[bool]:
    return _tags_where(col(IdTag.group_id) == number(value))


def _cost_state_filter(value: Any) -> ColumnElement[bool]:
    if value == NO_COST:
        return col(ChargingSession.id).not_in(select(col(SessionCost.session_id)))
    if value not in COST_LABELS:
        choices = ", ".join(COST_LABELS)
        raise ListQueryError(f"Unknown cost state {value!r}: choose one of {choices}")
    return _costs_where(col(SessionCost.state) == value)


def _payment_filter(value: Any) -> ColumnElement[bool]:
    """A recorded payment method, or the account the card charges when none is recorded."""
    if value not in (GROUP_ACCOUNT, DRIVER_ACCOUNT):
        return _costs_where(col(SessionCost.payment_method) == str(value))
    recorded = col(ChargingSession.id).not_in(
        select(col(SessionCost.session_id)).where(col(SessionCost.payment_method) != "")
    )
    if value == GROUP_ACCOUNT:
        return and_(recorded, _tags_where(col(IdTag.group_id).is_not(None)))
    cards = and_(col(IdTag.group_id).is_(None), col(IdTag.driver_id).is_not(None))
    return and_(recorded, _tags_where(cards))


def like_pattern(term: str) -> str:
    """ "%term%" for a LIKE with backslash escapes (as core.listing builds its search)."""
    escaped = term.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def number(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ListQueryError(f"{value!r} is not an id") from None


HISTORY_LIST = ListSpec(
    name="charging history",
    base=lambda: select(ChargingSession),
    columns=(
        ListColumn("id", "Session", ChargingSession.id),
        ListColumn(
            "station",
            "Station",
            _of_station(col(Station.name)),
            searchable=True,
            sortable=False,
            search=_station_named,
        ),
        ListColumn(
            "station_id",
            "Station id",
            _of_charge_point(col(ChargePoint.station_id)),
            filterable=True,
            sortable=False,
            filter=_at_station,
        ),
        ListColumn(
            "charge_point",
            "Charge point",
            _of_charge_point(col(ChargePoint.identity)),
            searchable=True,
            filterable=True,
            sortable=False,
            search=_charge_point_named,
            filter=_at_charge_point,
        ),
        ListColumn("connector_id", "Connector", ChargingSession.connector_id, sortable=False),
        ListColumn("id_tag", "Id tag", ChargingSession.id_tag, searchable=True, filterable=True),
        ListColumn(
            "driver",
            "Driver",
            _of_card_owner(col(Driver.name), Driver, col(IdTag.driver_id)),
            searchable=True,
            filterable=True,
            sortable=False,
            search=_driver_named,
            filter=_driver_filter,
        ),
        ListColumn("driver_id", "Driver id", _of_card(col(IdTag.driver_id)), sortable=False),
        ListColumn(
            "group",
            "Group",
            _of_card_owner(col(UserGroup.name), UserGroup, col(IdTag.group_id)),
            searchable=True,
            sortable=False,
            search=_group_named,
        ),
        ListColumn(
            "group_id",
            "Group id",
            _of_card(col(IdTag.group_id)),
            filterable=True,
            sortable=False,
            filter=_group_filter,
        ),
        ListColumn("vehicle", "Vehicle", _single_vehicle(), sortable=False),
        ListColumn("start_time", "Started (UTC)", ChargingSession.start_time),
        ListColumn("stop_time", "Stopped (UTC)", ChargingSession.stop_time, sortable=False),
        ListColumn("energy_wh", "Energy (Wh)", ChargingSession.energy_wh),
        ListColumn("status", "Status", ChargingSession.status, filterable=True, sortable=False),
        ListColumn(
            "cost_state",
            "Cost state",
            _of_cost(col(SessionCost.state)),
            filterable=True,
            sortable=False,
            filter=_cost_state_filter,
        ),
        ListColumn("currency", "Currency", _of_cost(col(SessionCost.currency)), sortable=False),
        ListColumn(
            "total_excl_minor",
            "Total excl. VAT (minor units)",
            _of_cost(col(SessionCost.total_excl_minor)),
            sortable=False,
        ),
        ListColumn(
            "vat_minor", "VAT (minor units)", _of_cost(col(SessionCost.vat_minor)), sortable=False
        ),
        ListColumn(
            "total_incl_minor",
            "Total incl. VAT (minor units)",
            _of_cost(col(SessionCost.total_incl_minor)),
        ),
        ListColumn(
            "payment_method",
            "Payment method",
            _payment_method(),
            filterable=True,
            sortable=False,
            filter=_payment_filter,
        ),
        ListColumn(
            "timezone", "Station time zone", _of_station(col(Station.timezone)), sortable=False
        ),
    ),
    organisation_column=ChargingSession.organisation_id,
    id_column=ChargingSession.id,
    default_sort="start_time",
)


# --- the same list for reading every row: joins instead of a subquery per value ------------


def _joined_base() -> Select[Any]:
    """Sessions with their place, cost and card joined (each by a unique key): what reading
    every row (an export) costs least with; a page reads HISTORY_LIST's subqueries."""
    return (
        select(ChargingSession)
        .outerjoin(ChargePoint, col(ChargePoint.id) == col(ChargingSession.charge_point_id))
        .outerjoin(Station, col(Station.id) == col(ChargePoint.station_id))
        .outerjoin(SessionCost, col(SessionCost.session_id) == col(ChargingSession.id))
        .outerjoin(IdTag, col(IdTag.id_tag) == col(ChargingSession.id_tag))
        .outerjoin(Driver, col(Driver.id) == col(IdTag.driver_id))
        .outerjoin(UserGroup, col(UserGroup.id) == col(IdTag.group_id))
    )


def _joined_payment_method() -> Any:
    recorded = func.coalesce(col(SessionCost.payment_method), "")
    return case(
        (recorded != "", recorded),
        (col(IdTag.group_id).is_not(None), literal(GROUP_ACCOUNT)),
        (col(IdTag.driver_id).is_not(None), literal(DRIVER_ACCOUNT)),
        else_=literal(""),
    )


_JOINED: dict[str, Any] = {
    "station": Station.name,
    "station_id": ChargePoint.station_id,
    "charge_point": ChargePoint.identity,
    "driver": Driver.name,
    "driver_id": IdTag.driver_id,
    "group": UserGroup.name,
    "group_id": IdTag.group_id,
    "cost_state": SessionCost.state,
    "currency": SessionCost.currency,
    "total_excl_minor": SessionCost.total_excl_minor,
    "vat_minor": SessionCost.vat_minor,
    "total_incl_minor": SessionCost.total_incl_minor,
    "payment_method": _joined_payment_method(),
    "timezone": Station.timezone,
}
# Same keys, labels, filters and searches (all of them select sessions by their own columns).
HISTORY_EXPORT = dataclasses.replace(
    HISTORY_LIST,
    base=_joined_base,
    columns=tuple(
        dataclasses.replace(c, expression=_JOINED.get(c.key, c.expression))
        for c in HISTORY_LIST.columns
    ),
)
