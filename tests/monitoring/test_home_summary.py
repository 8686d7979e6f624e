"""Home's counts-only read model gives the numbers and first warnings of the full snapshot,
in a number of queries that does not grow with the network."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ccms_app.accounts.models import Organisation
from ccms_app.charging.models import ChargerDataIssue
from ccms_app.monitoring import snapshot as monitoring
from ccms_app.monitoring.home_summary import load_home_summary
from ccms_app.network.models import ChargePoint
from tests.monitoring.test_snapshot import NOW, add_charge_point, add_session, network

__all__ = ["network"]  # the fixture, shared with the snapshot tests

STATUSES = (
    ("Available", "NoError"),
    ("Faulted", "GroundFailure"),
    ("Available", "HighTemperature"),
)


def _assert_same_as_snapshot(org_ids: set[int] | None = None, shown: int = 5) -> None:
    snapshot = monitoring.load_snapshot(org_ids, now=NOW)
    summary = load_home_summary(org_ids, now=NOW, warnings_shown=shown)
    assert summary.counts == snapshot.counts
    assert summary.warnings == snapshot.warnings[:shown]
    assert summary.warnings_total == len(snapshot.warnings)


def test_small_network_matches_the_snapshot(network: dict[str, ChargePoint]) -> None:
    _assert_same_as_snapshot()
    summary = load_home_summary(now=NOW)
    assert summary.counts.faulted == 1 and summary.counts.live_power_kw == pytest.approx(11.0)
    assert [w.kind for w in summary.warnings] == ["fault", "offline", "unregistered"]


def test_mixed_network_matches_the_snapshot_for_every_warning_count(
    session: Session, organisation: Organisation
) -> None:
    for n in range(40):
        cp = add_charge_point(
            session,
            organisation,
            f"CP-{(n * 7) % 40:03d}",
            online=n % 5 != 0,
            state=("registered", "unregistered", "disabled")[n % 7 % 3],
            statuses=(STATUSES[n % 3], STATUSES[(n // 3) % 3]),
            cp_status=("Faulted", "OtherError") if n % 11 == 0 else ("Available", "NoError"),
        )
        if n % 4 == 0:
            add_session(session, cp, 1, start=NOW - timedelta(hours=n), energy_wh=n, power_w=n)
        if n % 6 == 0:
            session.add(ChargerDataIssue(charge_point_id=cp.id, identity=cp.identity, kind="x"))
    session.commit()
    for shown in (1, 5, 30, 200):
        _assert_same_as_snapshot(shown=shown)
    _assert_same_as_snapshot({organisation.id})
    _assert_same_as_snapshot({organisation.id + 100})


def test_empty_network(engine: Engine) -> None:
    summary = load_home_summary(now=NOW)
    assert summary.counts == monitoring.HomeCounts()
    assert (summary.warnings, summary.warnings_total) == ((), 0)


def test_query_count_does_not_grow_with_the_network(
    session: Session, organisation: Organisation, engine: Engine
) -> None:
    def statements() -> int:
        seen: list[str] = []

        def count(*_args: object) -> None:
            seen.append("x")

        event.listen(engine, "before_cursor_execute", count)
        try:
            load_home_summary(now=NOW)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(seen)

    add_charge_point(session, organisation, "CP-0001", online=False)
    session.commit()
    small = statements()
    for n in range(2, 61):
        add_charge_point(session, organisation, f"CP-{n:04d}", online=False)
    session.commit()
    assert statements() == small
