"""Reads shared by the tabs refreshed for one batch of events.

Ten tabs on Live Monitoring's first page ask the database the same question after every batch;
inside `shared_reads()` (the publisher's per-batch refresh) the first tab's read, made in a
thread, is awaited by every other tab with the same query and scope, even while it is still
running (the tabs are refreshed concurrently). A tab whose answer is already there takes it
on the event loop: no thread hop, which under a busy writer thread costs a wait for the GIL.
Outside `shared_reads()` (a tab's own event) every read is fresh. The memo is a context
variable, so the tasks of one batch's refresh (they copy the context) share it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Collection, Hashable, Iterator
from contextvars import ContextVar
from typing import Any, TypeVar

from ccms_app.core.listing import ListQuery

T = TypeVar("T")

_memo: ContextVar[dict[Hashable, asyncio.Future[Any]] | None] = ContextVar(
    "ccms_batch_memo", default=None
)


@contextlib.contextmanager
def shared_reads() -> Iterator[None]:
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


async def shared_read(key: Hashable, load: Callable[[], T]) -> T:
    """`load()` in a thread, once per key within `shared_reads()`; every time outside it."""
    memo = _memo.get()
    if memo is None:
        return await asyncio.to_thread(load)
    if key not in memo:
        memo[key] = asyncio.ensure_future(asyncio.to_thread(load))
    # shielded: a tab whose refresh is cancelled must not cancel the read the others await
    return await asyncio.shield(memo[key])


def query_key(name: str, query: ListQuery, scope: Collection[int]) -> Hashable:
    """A hashable key for one list page: the list, the query, the organisations."""
    filters = tuple(sorted((k, repr(v)) for k, v in query.filters.items()))
    return (
        name,
        query.search,
        filters,
        query.sort,
        query.descending,
        query.page,
        query.page_size,
        tuple(sorted(scope)),
    )
