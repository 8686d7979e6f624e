"""Reading the OCPP message log of one charge point: filtered, newest first, paginated.

Every query is bounded by the charge point identity and ordered by time, so it walks the
`ix_ocpp_message_identity_time` index (identity, created_at) instead of the whole log; the
page is cut on the server, so a busy charger's millions of frames never reach a browser tab.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from ccms_app.control.models import MessageDirection, OcppMessage
from ccms_app.core.db import read_session
from ccms_app.core.i18n import tr
from ccms_app.core.listing import spreadsheet_safe

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
EXPORT_LIMIT = 100_000  # one CSV download; narrow the time range for more
DIRECTIONS = (MessageDirection.IN.value, MessageDirection.OUT.value)
MESSAGE_TYPES = {2: "CALL", 3: "CALLRESULT", 4: "CALLERROR"}
CSV_HEADER = (
    "time_utc",
    "direction",
    "message_type",
    "action",
    "message_id",
    "error_code",
    "payload",
)


@dataclass(frozen=True)
class MessageRow:
    id: int
    created_at: datetime
    direction: str  # "in" (charge point -> CSMS) or "out"
    message_type: str  # CALL | CALLRESULT | CALLERROR | "" (unparseable frame)
    message_id: str
    action: str
    error_code: str
    payload: str  # the raw frame as it crossed the wire


@dataclass(frozen=True)
class MessagePage:
    rows: tuple[MessageRow, ...]
    total: int  # frames matching the filter, all pages
    page: int  # 1-based, clamped to the pages that exist
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))


@dataclass(frozen=True)
class MessageFilter:
    identity: str
    action: str | None = None
    direction: str | None = None
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive


def _where(statement: Any, f: MessageFilter) -> Any:
    statement = statement.where(OcppMessage.charge_point_identity == f.identity)
    if f.since is not None:
        statement = statement.where(col(OcppMessage.created_at) >= f.since)
    if f.until is not None:
        statement = statement.where(col(OcppMessage.created_at) < f.until)
    if f.action:
        statement = statement.where(OcppMessage.action == f.action)
    if f.direction:
        if f.direction not in DIRECTIONS:
            raise ValueError(
                tr("direction must be one of {directions}", directions=", ".join(DIRECTIONS))
            )
        statement = statement.where(OcppMessage.direction == f.direction)
    return statement


def _newest_first(statement: Any) -> Any:
    # The index on (identity, created_at) serves the filter and this order; the id breaks ties
    # between frames stored in the same microsecond (a CALL and its quick CALLRESULT).
    return statement.order_by(col(OcppMessage.created_at).desc(), col(OcppMessage.id).desc())


def _row(m: OcppMessage) -> MessageRow:
    return MessageRow(
        id=m.id or 0,
        created_at=m.created_at,
        direction=m.direction,
        message_type=MESSAGE_TYPES.get(m.message_type or 0, ""),
        message_id=m.message_id,
        action=m.action,
        error_code=m.error_code,
        payload=m.payload,
    )


def query_messages(
    identity: str,
    action: str | None = None,
    direction: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    page: int = 1,
    page_size: int = DEFAULT_PAGE_SIZE,
) -> MessagePage:
    """One page of a charge point's frames, newest first. A page past the end is the last."""
    f = MessageFilter(identity, action or None, direction or None, since, until)
    page_size = min(max(1, page_size), MAX_PAGE_SIZE)
    with read_session() as session:
        total = session.exec(_where(select(func.count(col(OcppMessage.id))), f)).one()
        last_page = max(1, math.ceil(total / page_size))
        page = min(max(1, page), last_page)
        rows = session.exec(
            _newest_first(_where(select(OcppMessage), f))
            .offset((page - 1) * page_size)
            .limit(page_size)
        ).all()
    return MessagePage(tuple(_row(m) for m in rows), int(total), page, page_size)


def export_csv(
    identity: str,
    action: str | None = None,
    direction: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = EXPORT_LIMIT,
) -> str:
    """The frames of the same filter as CSV (newest first); the raw JSON sits in one quoted
    column, so commas, quotes and newlines in payloads survive a spreadsheet round trip."""
    f = MessageFilter(identity, action or None, direction or None, since, until)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    with read_session() as session:
        for m in session.exec(_newest_first(_where(select(OcppMessage), f)).limit(limit)):
            r = _row(m)
            cells = (
                r.created_at.isoformat(),
                r.direction,
                r.message_type,
                r.action,
                r.message_id,
                r.error_code,
                r.payload,
            )
            # A charger chooses its message ids and payloads: none may run in a spreadsheet.
            writer.writerow([spreadsheet_safe(cell) for cell in cells])
    return out.getvalue()
