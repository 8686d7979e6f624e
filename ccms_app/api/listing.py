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
import dataclasses
import inspect
import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, create_model
from sqlalchemy import Select
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeDecorator

from ccms_app.accounts.rules.permissions import Action
from ccms_app.api.deps import ApiCaller, gate
from ccms_app.api.problems import Problem
from ccms_app.api.resources import MAX_INT, ListResource, list_query
from ccms_app.api.streams import export_response
from ccms_app.core import listing
from ccms_app.core.listing import Keyset, ListColumn, ListQuery, ListSpec


def _python_type(column: ListColumn) -> Any:
    """The column's Python type; through a TypeDecorator (UTCDateTime, sqlmodel's AutoString)
    to the type it stores, whose `python_type` is the real one."""
    sql_type = getattr(column.expression, "type", None)
    if isinstance(sql_type, TypeDecorator):
        sql_type = sql_type.impl_instance
    try:
        return sql_type.python_type if sql_type is not None else Any
    except (AttributeError, NotImplementedError):
        return Any


def snake_name(item: str) -> str:
    """ "ChargingSession" -> "charging_session": operation ids and messages."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", item).lower()


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
    query = list_query(resource, params, caller)
    cursor = getattr(params, "cursor", None)
    total = listing.count_rows(resource.spec, query, caller.scope)
    after = decode_cursor(item, query, cursor) if cursor is not None else None
    page_size = max(1, min(query.page_size, listing.MAX_PAGE_SIZE))
    page = None if cursor is not None else query.page
    offset = 0 if page is None else (page - 1) * page_size
    rows, last = listing.fetch_after(resource.spec, query, caller.scope, after, offset)
    return {
        "items": rows,
        "total": total,
        "page": page,
        "page_size": page_size,
        "next_cursor": encode_cursor(item, query, last) if last is not None else None,
    }


# --- routes ------------------------------------------------------------------------------

Narrow = Callable[[BaseModel, ApiCaller], Sequence[ColumnElement[bool]]]


def filters_checked(spec: ListSpec) -> Narrow:
    """A `narrow` that checks every filter value before the answer starts (a wrong one is a
    400 here, not an error in the middle of a streamed export) and adds no condition."""

    def check(params: BaseModel, _caller: ApiCaller) -> list[ColumnElement[bool]]:
        values = params.model_dump()
        for column in spec.columns:
            if column.filterable and values.get(column.key) is not None:
                column.selects(values[column.key])
        return []

    return check


def narrowed(resource: ListResource, conditions: Sequence[ColumnElement[bool]]) -> ListResource:
    """The resource whose rows also meet `conditions` (for one request)."""
    if not conditions:
        return resource
    spec = resource.spec
    base = spec.base

    def narrower() -> Select[Any]:
        return base().where(*conditions)

    return dataclasses.replace(resource, spec=dataclasses.replace(spec, base=narrower))


def _signature(**parameters: Any) -> inspect.Signature:
    return inspect.Signature(
        [
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation)
            for name, annotation in parameters.items()
        ]
    )


def add_list_routes(
    api: APIRouter,
    resource: ListResource,
    *,
    extra: Mapping[str, Any] | None = None,
    narrow: Narrow | None = None,
    export: ListResource | None = None,
    prefix: str = "",
) -> type[BaseModel]:
    """Register list, export and (unless `with_get` is False) get; returns the item model.
    Optionally `extra` query parameters (name -> (type, Field)) that `narrow`
    turns into conditions (run in a thread: it may read the database or answer a Problem),
    optionally another spec for the export (e.g. with a big column the list leaves out), and
    a path `prefix` inside the router (one router serving several resources).
    """
    item = item_model(resource)
    page = page_model(resource, item)
    fields = dict(extra or {})
    list_params = create_model(
        f"{resource.item}ListParams", __base__=params_model(resource, paged=True), **fields
    )
    export_params = create_model(
        f"{resource.item}ExportParams", __base__=params_model(resource, paged=False), **fields
    )
    viewer = Annotated[ApiCaller, gate(resource.module, Action.VIEW)]
    exporter = Annotated[ApiCaller, gate(resource.module, Action.EXPORT)]

    def conditions(params: BaseModel, caller: ApiCaller) -> Sequence[ColumnElement[bool]]:
        return () if narrow is None else narrow(params, caller)

    def page_of(params: BaseModel, caller: ApiCaller) -> dict[str, Any]:
        return read_page(narrowed(resource, conditions(params, caller)), item, params, caller)

    async def list_rows(params: BaseModel, caller: ApiCaller) -> Any:
        return await asyncio.to_thread(page_of, params, caller)

    list_rows.__signature__ = _signature(  # type: ignore[attr-defined]
        params=Annotated[list_params, Query()], caller=viewer
    )
    api.add_api_route(
        prefix,
        list_rows,
        methods=["GET"],
        response_model=page,
        summary=f"List {resource.spec.name}",
        operation_id=f"list_{resource.plural}",
    )

    async def export_rows(params: BaseModel, caller: ApiCaller) -> StreamingResponse:
        found = await asyncio.to_thread(conditions, params, caller)
        return export_response(narrowed(export or resource, found), params, caller)

    export_rows.__signature__ = _signature(  # type: ignore[attr-defined]
        params=Annotated[export_params, Query()], caller=exporter
    )
    api.add_api_route(
        f"{prefix}/export",
        export_rows,
        methods=["GET"],
        response_class=StreamingResponse,
        summary=f"Export {resource.spec.name} (CSV or JSON lines, streamed)",
        operation_id=f"export_{resource.plural}",
        responses={200: {"content": {"text/csv": {}, "application/x-ndjson": {}}}},
    )
    if resource.with_get:
        add_get_route(api, resource, item, viewer, prefix)
    return item


def add_get_route(
    api: APIRouter, resource: ListResource, item: type[BaseModel], viewer: Any, prefix: str = ""
) -> None:
    """`GET {prefix}/{id}`: one row as the list shows it; 404 outside the key's scope."""

    async def get_row(**values: Any) -> Any:
        row_id, caller = values["id"], values["caller"]
        row = await asyncio.to_thread(listing.fetch_one, resource.spec, row_id, caller.scope)
        if row is None:
            raise Problem(
                404,
                f"No {snake_name(resource.item).replace('_', ' ')} {row_id} in this key's scope.",
            )
        return row

    get_row.__signature__ = _signature(  # type: ignore[attr-defined]
        id=Annotated[int, Path(ge=1, le=MAX_INT)], caller=viewer
    )
    api.add_api_route(
        f"{prefix}/{{id}}",
        get_row,
        methods=["GET"],
        response_model=item,
        summary=f"One of the {resource.spec.name}",
        operation_id=f"get_{snake_name(resource.item)}",
        responses={404: {"description": "Not in this key's scope"}},
    )
