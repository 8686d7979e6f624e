"""ocpp_server.gc_policy: start-up objects frozen, young generation threshold raised."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from ocpp_server.gc_policy import GEN0_THRESHOLD, settle_after_startup


@pytest.fixture
def restored_gc() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.set_threshold(*thresholds)
    gc.unfreeze()


@pytest.mark.usefixtures("restored_gc")
def test_settle_freezes_startup_objects_and_raises_gen0_threshold() -> None:
    gc.set_threshold(700, 10, 10)
    built_at_startup = [{"schema": n} for n in range(100)]
    settle_after_startup()
    assert gc.get_freeze_count() >= len(built_at_startup)
    assert gc.get_threshold() == (GEN0_THRESHOLD, 10, 10)
