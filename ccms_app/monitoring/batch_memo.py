"""Reads shared by the tabs refreshed for one batch of events.

Ten tabs on Live Monitoring's first page ask the database the same question after every batch;
inside `shared_reads()` (the publisher's per-batch refresh) the first tab's answer is reused by
the others with the same query and scope. Outside it (a tab's own event) every read is fresh.
The memo is a context variable: `asyncio.to_thread` copies the context, so reads made in
threads share the same dictionary.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Collection, Hashable, Iterator
from contextvars import ContextVar
from typing import Any, TypeVar

from ccms_app.core.listing import ListQuery

T = TypeVar("T")

_memo: ContextVar[dict[Hashable, Any] | None] = ContextVar("ccms_batch_memo", default=None)


@contextlib.contextmanager
def shared_reads() -> Iterator[None]:
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def remembered(key: Hashable, load: Callable[[], T]) -> T:
    """`load()`, once per key within `shared_reads()`; every time outside it."""
    memo = _memo.get()
    if memo is None:
        return load()
    if key not in memo:
        memo[key] = load()
    return memo[key]


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
