"""Rows and coalesced updates queued in a session are written just before its commit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import insert
from sqlmodel import Session, select

from ccms_app.accounts.models import Organisation
from ccms_app.charging.models import MeterSample
from ccms_app.core.pending_writes import (
    insert_later,
    insert_rows,
    pending_tables,
    set_committed_values,
    update_later,
    write_pending,
)
from ccms_app.network.models import ChargePoint

TABLE = Organisation.__table__  # type: ignore[attr-defined]


def row(name: str) -> dict[str, object]:
    return {"name": name, "created_at": datetime.now(UTC)}


def names(engine) -> set[str]:
    with Session(engine) as session:
        return set(session.exec(select(Organisation.name)).all())


def test_rows_are_inserted_at_commit_and_dropped_on_rollback(engine) -> None:
    with Session(engine) as session:
        insert_later(session, TABLE, row("kept"))
        assert list(pending_tables(session)) == [TABLE]
        session.commit()
        insert_later(session, TABLE, row("rolled back"))
        session.rollback()
        assert list(pending_tables(session)) == []
        session.commit()
    assert names(engine) == {"kept"}


def test_write_pending_makes_rows_readable_in_the_same_transaction(engine) -> None:
    with Session(engine) as session:
        insert_later(session, TABLE, row("early"))
        write_pending(session)
        assert session.exec(select(Organisation.name)).all() == ["early"]
        session.rollback()
    assert names(engine) == set()


def test_updates_of_one_row_are_coalesced_and_land_after_orm_changes(engine) -> None:
    with Session(engine) as session:
        orgs = [Organisation(name=f"org-{n}") for n in range(3)]
        session.add_all(orgs)
        session.flush()
        for n, org in enumerate(orgs):
            update_later(session, TABLE, org.id, name=f"first-{n}")
        update_later(session, TABLE, orgs[0].id, name="last-0")
        orgs[0].name = "orm-0"  # an ORM change of the same row is flushed first
        session.commit()
    assert names(engine) == {"last-0", "first-1", "first-2"}


def test_rows_reach_the_table_as_a_plain_insert_stores_them(engine) -> None:
    """insert_rows' driver-level path (SQLite) stores byte for byte what insert(table) does,
    datetimes included (the format existing rows have), and falls back where it must."""
    table = MeterSample.__table__  # type: ignore[attr-defined]
    with Session(engine) as session:
        org = Organisation(name="o")
        session.add(org)
        session.flush()
        cp = ChargePoint(identity="CP-ROWS", organisation_id=org.id)
        session.add(cp)
        session.commit()
        at = datetime(2026, 3, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
        rows = [
            {
                "charge_point_id": cp.id,
                "connector_id": n,
                "timestamp": at,
                "measurand": "m",
                "value": n or None,
                "unit": "Wh",
                "raw_value": str(n),
                "raw_unit": "Wh",
            }
            for n in range(3)
        ]
        partial = [{k: v for k, v in rows[0].items() if k != "unit"}]  # takes the default
        insert_rows(session.connection(), table, rows)
        insert_rows(session.connection(), table, partial)  # a default to fill: plain insert
        session.execute(insert(table), rows)
        session.commit()
    with engine.connect() as connection:
        stored = connection.exec_driver_sql(
            "SELECT connector_id, timestamp, value, unit, raw_value FROM meter_sample ORDER BY id"
        ).all()
    assert stored[4:] == stored[:3]
    assert stored[0][1] == ("2026-03-01 10:00:00.000000" if engine.dialect.name == "sqlite" else at)
    assert stored[3][3] == ""


def test_set_committed_values_loads_values_without_tracking_them(engine) -> None:
    with Session(engine, expire_on_commit=False) as session:
        org = Organisation(name="Loaded")
        session.add(org)
        session.commit()
        set_committed_values(org, {"name": "Quietly"})  # clean object: the quick way
        assert org.name == "Quietly" and not session.is_modified(org)
        org.name = "Changed"  # an ORM change pending: the values replace it, as one by one
        set_committed_values(org, {"name": "Quietly again"})
        assert org.name == "Quietly again" and not session.is_modified(org)
        session.expire(org, ["name"])  # expired: loaded state set the same way
        set_committed_values(org, {"name": "After expiry"})
        assert org.name == "After expiry"
        session.commit()
    assert names(engine) == {"Loaded"}  # nothing of it was written
