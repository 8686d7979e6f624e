"""Apply Alembic migrations from code (CLI, app start-up, tests)."""

from __future__ import annotations

import logging

from alembic.config import Config

from alembic import command
from ccms_app.core.config import PROJECT_ROOT, get_settings

log = logging.getLogger(__name__)


def alembic_config(database_url: str | None = None) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    config.attributes["database_url"] = database_url or get_settings().database_url
    return config


def upgrade_database(database_url: str | None = None, revision: str = "heads") -> None:
    """Bring the database schema up to `revision`; existing data is kept."""
    config = alembic_config(database_url)
    log.info("database upgrade", extra={"revision": revision})
    command.upgrade(config, revision)
