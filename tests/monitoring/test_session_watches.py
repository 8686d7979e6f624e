"""A tab whose login ended elsewhere stops receiving live pushes (not only at its next event)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from ccms_app.accounts import auth
from ccms_app.accounts.principals import live_sessions
from ccms_app.monitoring import registry
from ccms_app.monitoring.state import tab_watch

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def clean_registry() -> Iterator[None]:
    registry.forget_all()
    yield
    registry.forget_all()


def _session(email: str) -> str:
    account, _ = auth.ensure_admin(email, PASSWORD)
    return auth.token_hash(auth.open_session(account))


def test_live_sessions_leaves_out_ended_ones(engine) -> None:
    kept, ended = _session("a@example.com"), _session("b@example.com")
    auth.end_session_by_hash(ended)
    assert live_sessions([kept, ended, "f" * 64]) == {kept}
    assert live_sessions([]) == frozenset()


async def test_the_tabs_of_an_ended_session_stop_watching(engine) -> None:
    kept, ended = _session("a@example.com"), _session("b@example.com")
    registry.watch("tab-kept", 1, registry.LIVE, kept)
    registry.watch("tab-ended", 1, registry.HOME, ended)
    registry.watch_charge_point("tab-ended-cp", 7, ended)
    auth.end_session_by_hash(ended)

    checker = asyncio.create_task(tab_watch.end_watches_of_ended_sessions(interval=0.01))
    for _ in range(200):
        if registry.watched_sessions() == {kept}:
            break
        await asyncio.sleep(0.01)
    checker.cancel()

    assert registry.watched_sessions() == {kept}
    assert registry.watching_tabs(1, registry.LIVE) == 1
    assert registry.watching_tabs(1, registry.HOME) == 0
    assert registry.watched_charge_points() == frozenset()
