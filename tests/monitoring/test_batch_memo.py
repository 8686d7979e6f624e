"""Tabs refreshed for one batch share one read per page, even while it is still running."""

from __future__ import annotations

import asyncio
import threading

from ccms_app.monitoring.batch_memo import shared_read, shared_reads


class SlowRead:
    """A read that blocks in its thread until released, counting its calls."""

    def __init__(self) -> None:
        self.calls = 0
        self.release = threading.Event()

    def __call__(self) -> str:
        self.calls += 1
        self.release.wait(timeout=10)
        return f"page read {self.calls}"


async def test_tabs_refreshed_at_once_await_the_one_read_in_flight() -> None:
    read = SlowRead()
    with shared_reads():
        tabs = [asyncio.create_task(shared_read("page-1", read)) for _ in range(10)]
        await asyncio.sleep(0.05)
        read.release.set()
        answers = await asyncio.gather(*tabs)
    assert read.calls == 1 and answers == ["page read 1"] * 10


async def test_a_tab_cancelled_mid_read_leaves_the_read_to_the_others() -> None:
    read = SlowRead()
    with shared_reads():
        first = asyncio.create_task(shared_read("page-1", read))
        second = asyncio.create_task(shared_read("page-1", read))
        await asyncio.sleep(0.05)
        first.cancel()
        read.release.set()
        assert await second == "page read 1"


async def test_outside_a_batch_every_read_is_fresh_and_keys_do_not_mix() -> None:
    read = SlowRead()
    read.release.set()
    assert await shared_read("page-1", read) == "page read 1"
    assert await shared_read("page-1", read) == "page read 2"
    with shared_reads():
        assert await shared_read("page-1", read) == "page read 3"
        assert await shared_read("page-2", read) == "page read 4"
        assert await shared_read("page-1", read) == "page read 3"
