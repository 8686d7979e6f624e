"""List, get and export routes for any `core.listing` spec: one style for every resource.

The web UI's lists and the REST API read through the same specs, so a column, filter or
scope rule added for one is there for the other. A resource gets:
- `GET {prefix}`: search (`q`), every filterable column as a query parameter, `sort` and
  `order`, then `page` + `page_size` or `cursor` (keyset: a deep page costs what the first
  does); the answer has `items`, `total` and `next_cursor`. Unknown parameters are refused.
- `GET {prefix}/{id}`: one row, the same shape as a list item; 404 outside the key's scope.
- `GET {prefix}/export?format=csv|jsonl`: every matching row, streamed from one database
  cursor with bounded memory (CSV cells a spreadsheet would run are escaped).

No `from __future__ import annotations` here: FastAPI reads the endpoint signatures built
below at runtime, with models made per resource.
"""

import asyncio
import base64
import binascii
import inspect
import json
import queue
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Path, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, create_model

from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.api.deps import ApiCaller, gate
from ccms_app.api.problems import Problem
from ccms_app.core import listing
from ccms_app.core.listing import Keyset, ListColumn, ListQuery, ListSpec

MAX_INT = 2**63 - 1  # what every database column can hold: a larger id is simply not found
STREAM_QUEUE_CHUNKS = 8  # chunks of ~500 rows between the database thread and the socket
STREAM_CHUNK_ROWS = 500


class StrictModel(BaseModel):
    """A request body: unknown fields are refused, not ignored."""

    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class ListResource:
    """A spec published under a path. `item` names the OpenAPI schema ("Station")."""

    spec: ListSpec
    module: Module
    item: str
    plural: str  # operation ids: list_stations, export_stations
    with_get: bool = True  # False when the resource's own route serves GET /{key}
    scope_filter: Callable[[ApiCaller], dict[str, Any]] | None = None

    @property
    def path(self) -> str:
        """Where the resource lives under /api/v1: "charge_points" -> "/charge-points"."""
        return "/" + self.plural.replace("_", "-")


def _python_type(column: ListColumn) -> Any:
    try:
        return column.expression.type.python_type
    except (AttributeError, NotImplementedError):
        return Any


def item_model(resource: ListResource) -> type[BaseModel]:
    """The JSON of one row. Every field but `id` may be null: outer-joined columns are."""
    fields: dict[str, Any] = {}
    for column in resource.spec.columns:
        kind = _python_type(column)
        if column.key == "id":
            fields["id"] = (kind, Field(description=column.label))
        else:
            fields[column.key] = (kind | None, Field(None, description=column.label))
    return create_model(resource.item, **fields)


def _filter_type(column: ListColumn) -> Any:
    kind = _python_type(column)
    if kind is int:
        return Annotated[int, Field(ge=-MAX_INT, le=MAX_INT)]
    if kind is str or kind is Any:
        return Annotated[str, Field(max_length=200)]
    return kind


def params_model(resource: ListResource, paged: bool) -> type[BaseModel]:
    """The list's query parameters; with `paged` False, the export's (no pages, a format)."""
    spec = resource.spec
    sortable = tuple(c.key for c in spec.columns if c.sortable)
    fields: dict[str, Any] = {
        "q": (str, Field("", max_length=200, description="Search: " + _searched(spec))),
        "sort": (Literal[sortable], Field(spec.default_sort)),
        "order": (Literal["asc", "desc"], "asc"),
    }
    if paged:
        fields["page"] = (int, Field(1, ge=1, le=1_000_000, description="Ignored with a cursor"))
        fields["page_size"] = (int, Field(25, ge=1, le=listing.MAX_PAGE_SIZE))
        fields["cursor"] = (
            str | None,
            Field(None, max_length=1000, description="The `next_cursor` of the page before"),
        )
    else:
        fields["format"] = (Literal["csv", "jsonl"], "csv")
    for column in spec.columns:
        if column.filterable:
            fields[column.key] = (
                _filter_type(column) | None,
                Field(None, description=f"Only rows whose {column.label} is this"),
            )
    suffix = "ListParams" if paged else "ExportParams"
    return create_model(f"{resource.item}{suffix}", __config__=ConfigDict(extra="forbid"), **fields)


def _searched(spec: ListSpec) -> str:
    return ", ".join(c.label for c in spec.columns if c.searchable) or "nothing"


def page_model(resource: ListResource, item: type[BaseModel]) -> type[BaseModel]:
    return create_model(
        f"{resource.item}Page",
        items=(list[item], ...),  # type: ignore[valid-type]
        total=(int, Field(description="Rows matching the query, all pages")),
        page=(int | None, Field(description="The page number; null for a cursor page")),
        page_size=(int, ...),
        next_cursor=(str | None, Field(description="Pass as `cursor` for the next page")),
    )


def _query(resource: ListResource, params: BaseModel, caller: ApiCaller) -> ListQuery:
    values = params.model_dump()
    filters = {c.key: values[c.key] for c in resource.spec.columns if c.filterable}
    if resource.scope_filter is not None:
        filters |= resource.scope_filter(caller)
    return ListQuery(
        search=values["q"],
        filters={k: v for k, v in filters.items() if v is not None},
        sort=values["sort"],
        descending=values["order"] == "desc",
        page=values.get("page", 1),
        page_size=values.get("page_size", listing.MAX_PAGE_SIZE),
    )


# --- cursors ----------------------------------------------------------------------------------


def _sort_adapter(item: type[BaseModel], key: str) -> TypeAdapter[Any]:
    annotation: Any = item.model_fields[key].annotation
    return TypeAdapter(annotation)


def encode_cursor(item: type[BaseModel], query: ListQuery, after: Keyset) -> str:
    sort_value = _sort_adapter(item, query.sort).dump_python(after.value, mode="json")
    raw = json.dumps([query.sort, query.descending, sort_value, after.row_id])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(item: type[BaseModel], query: ListQuery, cursor: str) -> Keyset:
    """The keyset a cursor carries; 400 when it is not one of ours or belongs to another sort."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        sort, descending, value, row_id = json.loads(raw)
        if (sort, descending) != (query.sort, query.descending) or not isinstance(row_id, int):
            raise ValueError("another sort")
        value = _sort_adapter(item, sort).validate_python(value)
    except (ValueError, TypeError, binascii.Error, KeyError, UnicodeDecodeError) as exc:
        raise Problem(
            400,
            "This cursor is not valid for this list and sort: start again without one.",
            [{"location": "query", "field": "cursor", "detail": "Not a cursor of this list"}],
        ) from exc
    return Keyset(value, row_id)


def read_page(
    resource: ListResource, item: type[BaseModel], params: BaseModel, caller: ApiCaller
) -> dict[str, Any]:
    query = _query(resource, params, caller)
    cursor = getattr(params, "cursor", None)
    total = listing.count_rows(resource.spec, query, caller.scope)
    if cursor is not None or query.page == 1:
        after = decode_cursor(item, query, cursor) if cursor is not None else None
        rows, last = listing.fetch_after(resource.spec, query, caller.scope, after)
        page: int | None = None if cursor is not None else 1
    else:
        fetched = listing.fetch_page(resource.spec, query, caller.scope)
        rows, page = fetched.rows, fetched.page
        more = fetched.page * fetched.page_size < fetched.total and rows
        last = Keyset(rows[-1][query.sort], rows[-1]["id"]) if more else None
    return {
        "items": rows,
        "total": total,
        "page": page,
        "page_size": max(1, min(query.page_size, listing.MAX_PAGE_SIZE)),
        "next_cursor": encode_cursor(item, query, last) if last is not None else None,
    }


# --- streaming exports -----------------------------------------------------------------------


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
    query = _query(resource, params, caller)
    fmt = getattr(params, "format", "csv")
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/x-ndjson"
    filename = f"{resource.plural}.{fmt}"
    return StreamingResponse(
        stream_in_thread(lambda: _encoded_chunks(resource, query, caller.scope, fmt)),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# --- routes ------------------------------------------------------------------------------------


def _signature(**parameters: Any) -> inspect.Signature:
    return inspect.Signature(
        [
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation)
            for name, annotation in parameters.items()
        ]
    )


def add_list_routes(router: APIRouter, resource: ListResource) -> type[BaseModel]:
    """Register list, export and (unless `with_get` is False) get; returns the item model."""
    item = item_model(resource)
    page = page_model(resource, item)
    list_params = params_model(resource, paged=True)
    export_params = params_model(resource, paged=False)
    viewer = Annotated[ApiCaller, gate(resource.module, Action.VIEW)]
    exporter = Annotated[ApiCaller, gate(resource.module, Action.EXPORT)]

    async def list_rows(params: BaseModel, caller: ApiCaller) -> Any:
        return await asyncio.to_thread(read_page, resource, item, params, caller)

    list_rows.__signature__ = _signature(  # type: ignore[attr-defined]
        params=Annotated[list_params, Query()], caller=viewer
    )
    router.add_api_route(
        "",
        list_rows,
        methods=["GET"],
        response_model=page,
        summary=f"List {resource.spec.name}",
        operation_id=f"list_{resource.plural}",
    )

    async def export_rows(params: BaseModel, caller: ApiCaller) -> StreamingResponse:
        return export_response(resource, params, caller)

    export_rows.__signature__ = _signature(  # type: ignore[attr-defined]
        params=Annotated[export_params, Query()], caller=exporter
    )
    router.add_api_route(
        "/export",
        export_rows,
        methods=["GET"],
        response_class=StreamingResponse,
        summary=f"Export {resource.spec.name} (CSV or JSON lines, streamed)",
        operation_id=f"export_{resource.plural}",
        responses={200: {"content": {"text/csv": {}, "application/x-ndjson": {}}}},
    )
    if resource.with_get:
        add_get_route(router, resource, item, viewer)
    return item


def add_get_route(
    router: APIRouter, resource: ListResource, item: type[BaseModel], viewer: Any
) -> None:
    async def get_row(**values: Any) -> Any:
        row_id, caller = values["id"], values["caller"]
        row = await asyncio.to_thread(listing.fetch_one, resource.spec, row_id, caller.scope)
        if row is None:
            raise Problem(404, f"No {resource.item.lower()} {row_id} in this key's scope.")
        return row

    get_row.__signature__ = _signature(  # type: ignore[attr-defined]
        id=Annotated[int, Path(ge=1, le=MAX_INT)], caller=viewer
    )
    router.add_api_route(
        "/{id}",
        get_row,
        methods=["GET"],
        response_model=item,
        summary=f"One of the {resource.spec.name}",
        operation_id=f"get_{resource.item.lower()}",
        responses={404: {"description": "Not in this key's scope"}},
    )
