"""Alembic environment: CCMS_DATABASE_URL (or -x url=...) and SQLModel.metadata."""

from __future__ import annotations

from sqlmodel import SQLModel

import ccms_app.tables  # noqa: F401  registers every table
from alembic import context
from ccms_app.core.config import get_settings
from ccms_app.core.db import make_engine

config = context.config
target_metadata = SQLModel.metadata


def _database_url() -> str:
    return (
        context.get_x_argument(as_dictionary=True).get("url")
        or config.attributes.get("database_url")
        or get_settings().database_url
    )


def run_migrations_offline() -> None:
    context.configure(
        url=_database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_database_url())
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection) -> None:
    # render_as_batch: SQLite can only ALTER tables by copying them; batch mode keeps data.
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
