"""`ccms db upgrade`, `ccms db purge`, `ccms db rebuild-analytics` and `ccms seed-demo`:
schema, retention, the analytics roll-ups, demo network."""

from __future__ import annotations

import click

from ccms_app.analytics.rollup import rebuild
from ccms_app.cli.common import safe_url
from ccms_app.core import migrations
from ccms_app.core.config import get_settings
from ccms_app.demo import DemoSummary, seed_demo
from ccms_app.retention import purge


@click.group()
def db() -> None:
    """Database schema commands."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Alembic revision.")
def db_upgrade(revision: str) -> None:
    """Apply Alembic migrations to CCMS_DATABASE_URL (existing data is kept)."""
    migrations.upgrade_database(revision=revision)
    click.echo(f"database upgraded to {revision}: {safe_url(get_settings().database_url)}")


@db.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what would be purged; delete nothing.")
def db_purge(dry_run: bool) -> None:
    """Purge OCPP messages and meter samples past their retention period, now.

    The server does the same every hour. Retention: CCMS_MESSAGE_LOG_RETENTION_DAYS,
    CCMS_METER_SAMPLE_RETENTION_DAYS (0 = keep for ever); docs/data-policy.md "Retention".
    """
    for report in purge(get_settings(), dry_run=dry_run):
        click.echo(report.line())


@db.command("rebuild-analytics")
def db_rebuild_analytics() -> None:
    """Compute the analytics roll-ups again from every charging session (after restoring a
    backup or editing sessions by hand). Stop the server first: its job keeps them current."""
    result = rebuild()
    click.echo(
        f"analytics rebuilt: {result.cells} charge point hours; "
        f"sessions still running (rolled up when they end): {result.pending}"
    )


@click.command("seed-demo")
@click.option(
    "--fleet",
    type=click.IntRange(min=1),
    default=None,
    help="Demo charge points (DEMO-CP-0001..). Default: CCMS_DEMO_FLEET, or 10 when that is 0.",
)
@click.option(
    "--connectors",
    type=click.IntRange(1, 10),
    default=None,
    help="Connectors per charge point. Default: CCMS_DEMO_CONNECTORS (2).",
)
def seed_demo_command(fleet: int | None, connectors: int | None) -> None:
    """Seed the demo network, cards and admin account (idempotent)."""
    settings = get_settings()
    summary = seed(fleet or settings.demo_fleet or 10, connectors or settings.demo_connectors)
    for line in summary.lines():
        click.echo(line)


def seed(fleet: int, connectors: int) -> DemoSummary:
    """Seed the demo; a bad size is a usage error (exit 2)."""
    try:
        return seed_demo(fleet, connectors)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
