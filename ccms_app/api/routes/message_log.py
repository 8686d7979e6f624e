"""The OCPP message log of one charge point: every frame in and out, raw, and its export.

As on the charge point page's Log tab, the log is read one charge point at a time
(`charge_point`, its identity, is required: 404 outside the key's scope), so every query
walks the (identity, time) index however big the log. Filters are the tab's: action,
direction (in = charge point -> CSMS, out) and a time range (`created_at_from` inclusive,
`created_at_to` exclusive; ISO 8601 with a zone); `q` searches the raw frames. The export
streams every matching frame (CSV or JSON lines). Guarded like Live Monitoring.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import Select, case, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from ccms_app.accounts.rules.permissions import Module
from ccms_app.api.deps import ApiCaller, router
from ccms_app.api.listing import add_list_routes
from ccms_app.api.resources import ListResource
from ccms_app.api.times import TimeRange
from ccms_app.control.message_log_query import MESSAGE_TYPES
from ccms_app.control.models import OcppMessage
from ccms_app.core.listing import ListColumn, ListSpec
from ccms_app.network.charge_point_admin import find_by_identity
from ccms_app.network.models import ChargePoint


def _frames() -> Select[Any]:
    return select(OcppMessage).join(
        ChargePoint, col(ChargePoint.identity) == col(OcppMessage.charge_point_identity)
    )


MESSAGE_LOG_LIST = ListSpec(
    name="OCPP message log",
    base=_frames,
    columns=(
        ListColumn("id", "Frame", OcppMessage.id),
        ListColumn("created_at", "Time (UTC)", OcppMessage.created_at),
        ListColumn(
            "charge_point", "Charge point", OcppMessage.charge_point_identity, sortable=False
        ),
        ListColumn(
            "direction", "Direction", OcppMessage.direction, filterable=True, sortable=False
        ),
        ListColumn(
            "message_type",
            "Type",
            case(MESSAGE_TYPES, value=col(OcppMessage.message_type), else_=""),
            sortable=False,
        ),
        ListColumn("action", "Action", OcppMessage.action, filterable=True, sortable=False),
        ListColumn(
            "message_id", "Message id", OcppMessage.message_id, filterable=True, sortable=False
        ),
        ListColumn("error_code", "Error code", OcppMessage.error_code, sortable=False),
        ListColumn(
            "payload", "Frame as sent", OcppMessage.payload, searchable=True, sortable=False
        ),
    ),
    organisation_column=ChargePoint.organisation_id,
    id_column=OcppMessage.id,
    default_sort="created_at",
)

RESOURCE = ListResource(
    MESSAGE_LOG_LIST, Module.LIVE_MONITORING, "OcppFrame", "message_log", with_get=False
)
CREATED = TimeRange(MESSAGE_LOG_LIST.column("created_at"))
EXTRA = {
    "charge_point": (str, Field(min_length=1, max_length=64, description="Its identity")),
    "direction": (
        Literal["in", "out"] | None,
        Field(None, description="in: charge point -> CSMS; out: CSMS -> charge point"),
    ),
    **CREATED.fields(),
}


def one_charge_point(params: BaseModel, caller: ApiCaller) -> Sequence[ColumnElement[bool]]:
    """The frames of the charge point named (404 when the key cannot see it), in the range."""
    identity = find_by_identity(caller.scope, params.model_dump()["charge_point"]).identity
    return [col(OcppMessage.charge_point_identity) == identity, *CREATED.conditions(params)]


api = router(RESOURCE.path, "Message log")
OcppFrame = add_list_routes(api, RESOURCE, extra=EXTRA, narrow=one_charge_point)
