"""Streamed exports: every matching row of a list as CSV or JSON lines, bounded memory.

The rows come from one database cursor on a worker thread (`core.listing.iter_rows`), at most
`STREAM_QUEUE_CHUNKS` chunks ahead of the client; a client that goes away stops the
producer. CSV cells a spreadsheet would run are escaped (`core.listing.to_csv`).
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import orjson
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from ccms_app.api.deps import ApiCaller
from ccms_app.api.resources import ListResource, list_query
from ccms_app.core import listing
from ccms_app.core.listing import ListQuery

STREAM_QUEUE_CHUNKS = 8  # chunks of ~500 rows between the database thread and the socket
STREAM_CHUNK_ROWS = 500


def _encoded_chunks(
    resource: ListResource, query: ListQuery, scope: frozenset[int], fmt: str
) -> Iterator[bytes]:
    rows = listing.iter_rows(resource.spec, query, scope)
    columns = [(c.key, c.label) for c in resource.spec.columns]
    if fmt == "csv":
        yield listing.to_csv(columns, iter(())).encode()
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= STREAM_CHUNK_ROWS:
            yield _encode(chunk, columns, fmt)
            chunk = []
    if chunk:
        yield _encode(chunk, columns, fmt)


def _encode(rows: list[dict[str, Any]], columns: list[tuple[str, str]], fmt: str) -> bytes:
    if fmt == "csv":
        text = listing.to_csv(columns, iter(rows))
        return text.split("\r\n", 1)[1].encode()  # the header went first, once
    return b"".join(orjson.dumps(row, default=str) + b"\n" for row in rows)


async def stream_in_thread(produce: Callable[[], Iterator[bytes]]) -> AsyncIterator[bytes]:
    """Chunks made on a worker thread (the database cursor stays on that one thread), at
    most `STREAM_QUEUE_CHUNKS` ahead of the client: memory stays bounded however big the
    export, and a client that goes away stops the producer."""
    chunks: queue.Queue[bytes | BaseException | None] = queue.Queue(STREAM_QUEUE_CHUNKS)
    stop = threading.Event()

    def run() -> None:
        try:
            for chunk in produce():
                while not stop.is_set():
                    try:
                        chunks.put(chunk, timeout=0.5)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            chunks.put(None)
        except BaseException as exc:  # handed to the reading side
            chunks.put(exc)

    worker = threading.Thread(target=run, name="api-export", daemon=True)
    worker.start()
    try:
        while True:
            item = await asyncio.to_thread(chunks.get)
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()


def export_response(
    resource: ListResource, params: BaseModel, caller: ApiCaller
) -> StreamingResponse:
    query = list_query(resource, params, caller)
    fmt = getattr(params, "format", "csv")
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/x-ndjson"
    filename = f"{resource.plural}.{fmt}"
    return StreamingResponse(
        stream_in_thread(lambda: _encoded_chunks(resource, query, caller.scope, fmt)),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
