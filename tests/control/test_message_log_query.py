"""The message log viewer's queries: filters, newest-first pages, CSV that keeps raw JSON."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from ccms_app.control.message_log_query import CSV_HEADER, export_csv, query_messages
from ccms_app.control.models import OcppMessage
from ccms_app.core.db import session_scope
from tests.fixtures.db import only_sqlite

CP = "CP-LOG-1"
T0 = datetime(2025, 6, 1, 8, 0, tzinfo=UTC)
TRICKY = {"vendorId": "ACME", "data": 'say "hi", then\nnew line; comma, semicolon'}


def _frame(
    n: int, action: str, direction: str, message_type: int, payload: object, cp: str = CP
) -> OcppMessage:
    raw = json.dumps([message_type, f"m{n}", action, payload] if message_type == 2 else payload)
    return OcppMessage(
        charge_point_identity=cp,
        direction=direction,
        message_type=message_type,
        message_id=f"m{n}",
        action=action,
        payload=raw,
        created_at=T0 + timedelta(minutes=n),
    )


@pytest.fixture
def log(engine: Engine) -> None:
    """A heartbeat pair every minute for 10 minutes, a DataTransfer, another charge point."""
    frames = []
    for n in range(10):
        frames.append(_frame(n, "Heartbeat", "in", 2, {}))
        frames.append(_frame(n, "Heartbeat", "out", 3, [3, f"m{n}", {"currentTime": "x"}]))
    frames.append(_frame(20, "DataTransfer", "in", 2, TRICKY))
    frames.append(_frame(21, "Heartbeat", "in", 2, {}, cp="CP-OTHER"))
    with session_scope() as session:
        session.add_all(frames)


def test_newest_first_and_only_this_charge_point(log: None) -> None:
    page = query_messages(CP)
    assert page.total == 21
    assert page.rows[0].action == "DataTransfer"
    times = [r.created_at for r in page.rows]
    assert times == sorted(times, reverse=True)
    # Same minute: the CALLRESULT was stored after its CALL, so it is newer.
    assert [r.message_type for r in page.rows[1:3]] == ["CALLRESULT", "CALL"]


def test_filters_combine(log: None) -> None:
    assert query_messages(CP, action="DataTransfer").total == 1
    assert query_messages(CP, direction="out").total == 10
    assert {r.direction for r in query_messages(CP, direction="out").rows} == {"out"}
    ranged = query_messages(
        CP, since=T0 + timedelta(minutes=2), until=T0 + timedelta(minutes=5), direction="in"
    )
    assert [r.message_id for r in ranged.rows] == ["m4", "m3", "m2"]  # until is exclusive
    assert query_messages(CP, action="Heartbeat", direction="in").total == 10
    assert query_messages("CP-NOBODY").total == 0
    with pytest.raises(ValueError, match="direction"):
        query_messages(CP, direction="sideways")


def test_pagination_is_done_by_the_server(log: None) -> None:
    first = query_messages(CP, page=1, page_size=8)
    second = query_messages(CP, page=2, page_size=8)
    third = query_messages(CP, page=3, page_size=8)
    assert (first.total, first.pages) == (21, 3)
    assert [len(p.rows) for p in (first, second, third)] == [8, 8, 5]
    ids = [r.id for p in (first, second, third) for r in p.rows]
    assert len(set(ids)) == 21  # no frame on two pages, none missing
    past_the_end = query_messages(CP, page=99, page_size=8)
    assert past_the_end.page == 3 and past_the_end.rows == third.rows
    assert query_messages(CP, page=0, page_size=8).page == 1


@only_sqlite  # SQLite's query plan (EXPLAIN QUERY PLAN)
def test_queries_walk_the_identity_time_index(log: None, engine: Engine) -> None:
    sql = (
        "EXPLAIN QUERY PLAN SELECT * FROM ocpp_message WHERE charge_point_identity = :cp "
        "AND action = :action AND direction = :direction AND created_at >= :since "
        "ORDER BY created_at DESC, id DESC LIMIT 50"
    )
    with engine.connect() as conn:
        plan = " ".join(
            str(row[-1])
            for row in conn.execute(
                text(sql), {"cp": CP, "action": "Heartbeat", "direction": "in", "since": T0}
            )
        )
    assert "ix_ocpp_message_identity_time" in plan
    assert "TEMP B-TREE" not in plan  # the index gives the order: no sort of the whole log


def test_csv_export_keeps_json_payloads_intact(log: None) -> None:
    exported = export_csv(CP, action="DataTransfer")
    rows = list(csv.reader(io.StringIO(exported)))
    assert tuple(rows[0]) == CSV_HEADER
    assert len(rows) == 2
    record = dict(zip(CSV_HEADER, rows[1], strict=True))
    assert record["action"] == "DataTransfer"
    assert record["direction"] == "in"
    assert record["message_type"] == "CALL"
    assert record["time_utc"] == (T0 + timedelta(minutes=20)).isoformat()
    assert json.loads(record["payload"])[3] == TRICKY  # quotes, commas, newline round-trip
    quoted = '"' + record["payload"].replace('"', '""') + '"'
    assert quoted in exported  # one quoted field, JSON's quotes doubled (RFC 4180)


def test_csv_export_uses_the_same_filter(log: None) -> None:
    rows = list(csv.reader(io.StringIO(export_csv(CP, direction="out"))))
    assert len(rows) == 11
    assert {r[1] for r in rows[1:]} == {"out"}
    times = [r[0] for r in rows[1:]]
    assert times == sorted(times, reverse=True)
