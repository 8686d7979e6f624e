"""Concurrent lookups share one read: the callers of one turn of the loop, and those that
arrive while a read runs; failures and missing keys reach their callers only."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Collection

import pytest

from ccms_app.core.coalesced_reads import CoalescedReads
from tests.fixtures.ocpp import eventually


class Reader:
    def __init__(self, fail: bool = False) -> None:
        self.calls: list[list[int]] = []
        self.fail = fail
        self.gate: threading.Event | None = None

    def __call__(self, keys: Collection[int]) -> dict[int, str]:
        self.calls.append(sorted(keys))
        if self.gate is not None:
            self.gate.wait(5.0)
        if self.fail:
            raise RuntimeError("database unavailable")
        return {key: f"value {key}" for key in keys if key >= 0}


async def test_the_callers_of_one_moment_share_one_read() -> None:
    reader = Reader()
    reads = CoalescedReads(reader)
    values = await asyncio.gather(*(reads.get(key) for key in [1, 2, 3, 2, 1]))
    assert values == ["value 1", "value 2", "value 3", "value 2", "value 1"]
    assert reader.calls == [[1, 2, 3]] and reads.reads == 1


async def test_callers_arriving_during_a_read_share_the_next_one() -> None:
    reader = Reader()
    reader.gate = threading.Event()
    reads = CoalescedReads(reader)
    first = asyncio.ensure_future(reads.get(1))
    await eventually(lambda: reader.calls == [[1]])
    later = [asyncio.ensure_future(reads.get(key)) for key in (2, 3, 4)]
    await asyncio.sleep(0.01)
    assert len(reader.calls) == 1  # they wait for the read in flight to end
    reader.gate.set()
    assert await first == "value 1"
    assert await asyncio.gather(*later) == ["value 2", "value 3", "value 4"]
    assert reader.calls == [[1], [2, 3, 4]]


async def test_a_failed_read_fails_its_callers_and_the_next_read_starts_afresh() -> None:
    reader = Reader(fail=True)
    reads = CoalescedReads(reader)
    results = await asyncio.gather(reads.get(1), reads.get(2), return_exceptions=True)
    assert [type(r) for r in results] == [RuntimeError, RuntimeError]
    reader.fail = False
    assert await reads.get(3) == "value 3"


async def test_a_missing_key_fails_only_its_caller() -> None:
    reads = CoalescedReads(Reader())
    missing, found = await asyncio.gather(reads.get(-1), reads.get(5), return_exceptions=True)
    assert isinstance(missing, KeyError) and found == "value 5"


async def test_a_caller_that_gave_up_does_not_disturb_the_others() -> None:
    reader = Reader()
    reader.gate = threading.Event()
    reads = CoalescedReads(reader)
    impatient = asyncio.ensure_future(reads.get(1))
    patient = asyncio.ensure_future(reads.get(2))
    await eventually(lambda: len(reader.calls) == 1)
    impatient.cancel()
    reader.gate.set()
    assert await patient == "value 2"
    with pytest.raises(asyncio.CancelledError):
        await impatient
