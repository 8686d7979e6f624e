"""Many concurrent lookups by key answered by one read of all their keys, in a thread.

A reconnect storm opens hundreds of websockets in the same instant, and each one's check read
its own row in a thread of its own: a thread hop, a transaction and a query per charger. Here
the callers of one turn of the event loop, and those that arrive while a read is running,
share the next read (`read_many(keys) -> {key: value}`), so the reads grow with the load
instead of their number. A key missing from the answer raises KeyError for its caller; a
failed read raises its error in every caller of that read, and the next read starts afresh.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection, Mapping
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class CoalescedReads(Generic[K, V]):
    """`await reads.get(key)`: the value of `key`, from a read shared with concurrent callers.

    Bound to the event loop of its first caller (the server's); one instance per runtime."""

    def __init__(self, read_many: Callable[[Collection[K]], Mapping[K, V]]) -> None:
        self._read_many = read_many
        self._waiting: dict[K, list[asyncio.Future[V]]] = {}
        self._reader: asyncio.Task[None] | None = None
        self.reads = 0  # reads done (tests and benchmarks look)

    async def get(self, key: K) -> V:
        future: asyncio.Future[V] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(key, []).append(future)
        if self._reader is None:
            self._reader = asyncio.create_task(self._read_while_waiting())
        return await future

    async def _read_while_waiting(self) -> None:
        try:
            await asyncio.sleep(0)  # the callers of this turn of the loop join this read
            while self._waiting:
                waiting, self._waiting = self._waiting, {}
                await self._answer(waiting)
        finally:
            self._reader = None

    async def _answer(self, waiting: dict[K, list[asyncio.Future[V]]]) -> None:
        try:
            found = await asyncio.to_thread(self._read_many, list(waiting))
        except Exception as exc:
            for futures in waiting.values():
                _fail(futures, exc)
            return
        finally:
            self.reads += 1
        for key, futures in waiting.items():
            if key in found:
                _resolve(futures, found[key])
            else:
                _fail(futures, KeyError(key))


def _resolve(futures: list[asyncio.Future[V]], value: V) -> None:
    for future in futures:
        if not future.done():  # a caller that gave up (a handshake timed out) is cancelled
            future.set_result(value)


def _fail(futures: list[asyncio.Future[V]], error: BaseException) -> None:
    for future in futures:
        if not future.done():
            future.set_exception(error)
