"""The stale-session policy's rules (charging.rules.session_end), case by case."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ccms_app.charging.rules.session_end import OpenSession, ended_without_stop, session_end

START = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
GRACE = timedelta(minutes=10)
MAX_AGE = timedelta(hours=72)


def open_session(**changes: object) -> OpenSession:
    facts = {
        "start_time": START,
        "meter_updated_at": START + timedelta(minutes=30),
        "connector_status": "Charging",
        "connector_status_at": START,
        "last_boot_at": START - timedelta(days=1),
    }
    return OpenSession(**{**facts, **changes})  # type: ignore[arg-type]


def at(minutes: int) -> datetime:
    return START + timedelta(minutes=minutes)


@pytest.mark.parametrize(
    ("facts", "ended_at", "why"),
    [
        ({}, None, None),  # charging, readings coming: running
        ({"connector_status": "Available", "connector_status_at": at(40)}, at(40), "Available"),
        # readings after the Available: something else is going on, not ended by this rule
        ({"connector_status": "Available", "connector_status_at": at(20)}, None, None),
        # an Available from before the session started says nothing about it
        ({"connector_status": "Available", "connector_status_at": at(-5)}, None, None),
        ({"last_boot_at": at(45), "connector_status_at": at(0)}, at(45), "rebooted"),
        # resumed after the reboot: the connector reports charging again
        ({"last_boot_at": at(45), "connector_status_at": at(46)}, None, None),
        # readings after the reboot: the transaction went on
        ({"last_boot_at": at(20)}, None, None),
        # no connector row (connector 0 or unknown): only the boot and the age rules
        (
            {"connector_status": None, "connector_status_at": None, "last_boot_at": at(50)},
            at(50),
            "rebooted",
        ),
    ],
)
def test_evidence_that_a_session_ended(
    facts: dict[str, object], ended_at: datetime | None, why: str | None
) -> None:
    ended = ended_without_stop(open_session(**facts))
    if ended_at is None:
        assert ended is None
    else:
        assert ended is not None and ended.at == ended_at and why in ended.reason


def test_the_grace_lets_a_late_stop_come_first() -> None:
    facts = open_session(connector_status="Available", connector_status_at=at(40))
    assert session_end(facts, at(49), GRACE, MAX_AGE) is None
    end = session_end(facts, at(50), GRACE, MAX_AGE)
    assert end is not None and end.at == at(40)


def test_the_maximum_age_ends_any_session() -> None:
    facts = open_session(meter_updated_at=START + MAX_AGE)  # even one still sending readings
    assert session_end(facts, START + MAX_AGE - timedelta(seconds=1), GRACE, MAX_AGE) is None
    end = session_end(facts, START + MAX_AGE, GRACE, MAX_AGE)
    assert end is not None and end.at == START + MAX_AGE and "72 h" in end.reason
