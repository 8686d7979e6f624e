"""Rows and coalesced updates queued in a session are written just before its commit."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, select

from ccms_app.accounts.models import Organisation
from ccms_app.core.pending_writes import (
    insert_later,
    pending_tables,
    update_later,
    write_pending,
)

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
