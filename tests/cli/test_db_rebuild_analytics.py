"""`ccms db rebuild-analytics`: the roll-ups computed again from the sessions."""

from __future__ import annotations

from datetime import UTC, datetime

from click.testing import CliRunner
from sqlalchemy import func, select

from ccms_app.accounts.models import Organisation
from ccms_app.analytics.models import ChargingHour, NetworkHour
from ccms_app.cli import cli
from ccms_app.core.db import read_session
from tests.analytics import seed


def test_rebuild_fills_the_hours_of_every_session(
    runner: CliRunner, cli_db: str, organisation: Organisation
) -> None:
    org = int(organisation.id or 0)
    cp = seed.charge_point(org, seed.station(org), "CP-1")
    start = datetime(2026, 5, 1, 10, 30, tzinfo=UTC)
    seed.charging_session(org, cp, start, start.replace(hour=12), 9_000, amount_incl_minor=450)
    seed.charging_session(org, cp, start.replace(hour=13), None, 1_000)

    result = runner.invoke(cli, ["db", "rebuild-analytics"])

    assert result.exit_code == 0, result.output
    # 10:00 and 11:00 with energy, 12:00 with the order (it ended on the hour)
    assert "analytics rebuilt: 3 charge point hours;" in result.output
    assert "still running (rolled up when they end): 1" in result.output
    with read_session() as session:
        energy = session.execute(select(func.sum(ChargingHour.energy_wh))).scalar()
        orders = session.execute(select(func.sum(NetworkHour.orders))).scalar()
    assert (energy, orders) == (9_000, 1)
