"""The Alembic revisions build exactly the schema the models describe, and keep data."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import SQLModel

import ccms_app.tables  # noqa: F401
from alembic import command
from ccms_app.core.db import make_engine
from ccms_app.core.migrations import alembic_config, upgrade_database
from tests.fixtures.postgres import PostgresServer


# SQLite cannot reflect expression indexes, so autogenerate skips lower(identity) (with these
# two warnings); test_the_lookalike_index_exists_and_is_used checks that one instead.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
def test_migrations_match_the_models(migrated_template: Path) -> None:
    engine = make_engine(f"sqlite:///{migrated_template}")
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    engine.dispose()
    assert diff == [], f"models changed without an Alembic revision: {diff}"


def test_the_lookalike_index_exists_and_is_used(migrated_template: Path) -> None:
    engine = make_engine(f"sqlite:///{migrated_template}")
    with engine.connect() as conn:
        plan = conn.execute(
            text("EXPLAIN QUERY PLAN SELECT identity FROM charge_point WHERE lower(identity) = 'x'")
        ).all()
    engine.dispose()
    assert "ix_charge_point_identity_lower" in " ".join(str(row) for row in plan)


def test_upgrade_is_idempotent_and_keeps_data(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'keep.db'}"
    upgrade_database(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO organisation (name, created_at) VALUES ('Keep Me', '2026-01-01')")
        )
    upgrade_database(url)
    with engine.connect() as conn:
        names = conn.execute(text("SELECT name FROM organisation")).scalars().all()
    engine.dispose()
    assert names == ["Keep Me"]


def test_downgrade_to_base_and_back(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'roundtrip.db'}"
    upgrade_database(url)
    command.downgrade(alembic_config(url), "base")
    upgrade_database(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        tables = (
            conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'")).scalars().all()
        )
    engine.dispose()
    assert "charge_point" in tables and "ocpp_message" in tables


def test_upgrade_from_the_first_revision_keeps_charge_points(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade_database(url, "0001")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO organisation (id, name, created_at) VALUES (1, 'Op', '2026-01-01')")
        )
        conn.execute(
            text(
                "INSERT INTO charge_point (organisation_id, identity, vendor, model, serial_number,"
                " firmware_version, iccid, imsi, meter_type, meter_serial_number,"
                " registration_state, is_online, status, error_code, vendor_error_code,"
                " firmware_status, diagnostics_status, created_at) VALUES (1, 'CP-OLD', 'V', 'M',"
                " '', '', '', '', '', '', 'registered', 0, 'Available', 'NoError', '', '', '',"
                " '2026-01-01')"
            )
        )
    upgrade_database(url)
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT identity, vendor, registration_state, auth_password_hash FROM charge_point"
            )
        ).one()
        policy = conn.execute(text("SELECT unknown_charge_points FROM organisation")).scalar_one()
    engine.dispose()
    assert tuple(row) == ("CP-OLD", "V", "registered", "")
    assert policy == "pending"


def test_on_postgresql_the_migrations_match_the_models_down_and_up(
    postgres: PostgresServer,
) -> None:
    """Every revision upgrades and downgrades on PostgreSQL too, to the models' schema
    (PostgreSQL reflects the expression indexes SQLite cannot, so none is skipped here)."""
    url = postgres.url(postgres.create_database())
    upgrade_database(url)
    command.downgrade(alembic_config(url), "base")
    upgrade_database(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    engine.dispose()
    assert diff == [], f"models and revisions differ on PostgreSQL: {diff}"


def test_on_postgresql_every_id_sequence_continues_after_the_rows(
    postgres: PostgresServer,
) -> None:
    """Rows a revision inserts with their ids (the built-in roles) must not be handed out
    again: the next id of every table is past the ones it holds (revision 0029)."""
    url = postgres.url(postgres.create_database())
    upgrade_database(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        role_id = conn.execute(
            text(
                "INSERT INTO role (organisation_id, name, built_in, permissions, created_at)"
                " VALUES (NULL, 'Night shift', false, '', now()) RETURNING id"
            )
        ).scalar_one()
        built_in = conn.execute(text("SELECT max(id) FROM role WHERE built_in")).scalar_one()
    engine.dispose()
    assert built_in >= 1 and role_id == built_in + 1
