"""Revision 0012 drops the message log's message_id and action indexes and keeps every frame."""

from __future__ import annotations

from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import text

from alembic import command
from ccms_app.core.db import make_engine
from ccms_app.core.migrations import alembic_config, upgrade_database

REVISION = "0012_message_log_indexes"
DROPPED = {"ix_ocpp_message_action", "ix_ocpp_message_message_id"}


def _indexes(url: str) -> set[str]:
    engine = make_engine(url)
    with engine.connect() as conn:
        names = conn.execute(
            text("SELECT name FROM sqlite_master WHERE type='index' AND tbl_name='ocpp_message'")
        )
        found = {str(name) for name in names.scalars()}
    engine.dispose()
    return found


def _frames(url: str) -> list[tuple[str, str, str]]:
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT charge_point_identity, message_id, action FROM ocpp_message ORDER BY id")
        )
        found = [(str(a), str(b), str(c)) for a, b, c in rows]
    engine.dispose()
    return found


def test_upgrade_drops_the_two_indexes_and_keeps_the_frames(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'log.db'}"
    config = alembic_config(url)
    previous = ScriptDirectory.from_config(config).get_revision(REVISION).down_revision
    assert isinstance(previous, str)
    upgrade_database(url, previous)
    assert _indexes(url) >= DROPPED
    engine = make_engine(url)
    with engine.begin() as conn:
        for n, action in enumerate(("BootNotification", "MeterValues", "Heartbeat")):
            conn.execute(
                text(
                    "INSERT INTO ocpp_message (charge_point_identity, direction, message_type,"
                    " message_id, action, payload, error_code, created_at)"
                    " VALUES ('CP-1', 'in', 2, :mid, :action, '[]', '', '2026-12-04 10:00:00')"
                ),
                {"mid": f"m-{n}", "action": action},
            )
    engine.dispose()
    before = _frames(url)

    upgrade_database(url)
    assert _indexes(url) & DROPPED == set()
    assert "ix_ocpp_message_identity_time" in _indexes(url)
    assert _frames(url) == before

    command.downgrade(config, previous)
    assert _indexes(url) >= DROPPED
    assert _frames(url) == before
