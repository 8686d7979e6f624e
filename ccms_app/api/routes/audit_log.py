"""The audit log: list and export, scoped exactly as System -> Audit log.

`accounts.audit_log` decides who sees what (`audit_scope`): a key's organisation and its
sub-operators; the root operator's keys also see the entries without an organisation
(failed logins with an unknown e-mail). A sub-operator's key never sees its parent's, a
sibling's or those. Filters are the page's: kind (the page's groups), outcome, a time range
(`occurred_at_from` inclusive, `occurred_at_to` exclusive; ISO 8601 with a zone); `q`
searches who, the action (code or label), the object, the address and the detail. Each
entry carries its action's code and label, its kind and the object as the page names it.
Guarded like the page: system:view, and system:export for the export (itself audited).
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Annotated, Any, Literal

import orjson
from fastapi import Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field, create_model
from sqlalchemy import func
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from ccms_app.accounts import audit_log
from ccms_app.accounts.models import AuditEntry
from ccms_app.accounts.rules.audit_labels import (
    OUTCOME_LABELS,
    AuditKind,
    kind_of,
    label_of,
    object_of,
)
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.api.deps import ApiCaller, gate, router
from ccms_app.api.listing import item_model, narrowed, params_model, read_page
from ccms_app.api.resources import ListResource
from ccms_app.api.streams import STREAM_CHUNK_ROWS, stream_in_thread
from ccms_app.api.times import TimeRange
from ccms_app.core import listing

# The page's list, for a key: its scope is `audit_scope` (whose marker for the entries
# without an organisation the coalesce reads), and the time range and scope are the API's
# parameters, not list filters.
_NOT_FILTERS = {"occurred_at", "organisation"}
AUDIT_API_LIST = dataclasses.replace(
    audit_log.AUDIT_LIST,
    columns=tuple(
        dataclasses.replace(c, filterable=False) if c.key in _NOT_FILTERS else c
        for c in audit_log.AUDIT_LIST.columns
    ),
    organisation_column=func.coalesce(col(AuditEntry.organisation_id), audit_log.UNOWNED),
)
RESOURCE = ListResource(AUDIT_API_LIST, Module.SYSTEM, "AuditEntry", "audit_log")
OCCURRED = TimeRange(AUDIT_API_LIST.column("occurred_at"))
Kind = Literal[tuple(k.value for k in AuditKind)]  # type: ignore[valid-type]
Outcome = Literal[tuple(OUTCOME_LABELS)]  # type: ignore[valid-type]
FILTERS: dict[str, Any] = {
    "kind": (Kind | None, Field(None, description="The page's groups of actions")),
    "outcome": (Outcome | None, Field(None)),
    **OCCURRED.fields(),
}
Row = item_model(RESOURCE)  # the rows as read (cursors encode its sort values)
ListParams = create_model(
    "AuditEntryListParams", __base__=params_model(RESOURCE, paged=True), **FILTERS
)
ExportParams = create_model(
    "AuditEntryExportParams", __base__=params_model(RESOURCE, paged=False), **FILTERS
)


class AuditEntryItem(BaseModel):
    """One entry as System -> Audit log shows it, with the codes next to the labels."""

    id: int
    occurred_at: datetime
    actor: str = Field(description="Who: an e-mail, or 'API key <name>'")
    action: str = Field(description="The action's code name")
    action_label: str
    kind: str = Field(description="login, command, edit, deletion, block, settings, export")
    object_type: str
    object_id: str
    object: str = Field(description="What it acted on, as the page names it")
    outcome: str = Field(description="ok, refused or failed")
    remote_address: str
    organisation: str | None
    detail: str


class AuditEntryPage(BaseModel):
    items: list[AuditEntryItem]
    total: int = Field(description="Entries matching the query, all pages")
    page: int | None = Field(description="The page number; null for a cursor page")
    page_size: int
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page")


api = router(RESOURCE.path, "Audit log")
Viewer = Annotated[ApiCaller, gate(Module.SYSTEM, Action.VIEW)]
Exporter = Annotated[ApiCaller, gate(Module.SYSTEM, Action.EXPORT)]


def entry(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row of the page's list as the API answers it (the page's labels, the codes)."""
    action = str(row.get("action") or "")
    object_type, object_id = str(row.get("object_type") or ""), str(row.get("object_id") or "")
    detail = str(row.get("detail") or "")
    return {
        "id": row["id"],
        "occurred_at": row["occurred_at"],
        "actor": row.get("actor") or "",
        "action": action,
        "action_label": label_of(action),
        "kind": kind_of(action).value,
        "object_type": object_type,
        "object_id": object_id,
        "object": object_of(action, object_type, object_id, detail),
        "outcome": row.get("outcome") or "",
        "remote_address": row.get("remote_address") or "",
        "organisation": row.get("organisation"),
        "detail": detail,
    }


def visible(params: BaseModel, caller: ApiCaller) -> tuple[ListResource, ApiCaller]:
    """The list narrowed to the time range and to what the key's organisation may see."""
    scope = audit_log.audit_scope(caller.principal.organisation_id)
    conditions: list[ColumnElement[bool]] = [
        audit_log.AUDIT_LIST.column("organisation").selects(scope),  # the page's own rule
        *OCCURRED.conditions(params),
    ]
    return narrowed(RESOURCE, conditions), dataclasses.replace(caller, scope=scope)


def audit_page(params: BaseModel, caller: ApiCaller) -> dict[str, Any]:
    resource, scoped = visible(params, caller)
    page = read_page(resource, Row, params, scoped)
    return {**page, "items": [entry(row) for row in page["items"]]}


def export_chunks(
    query: listing.ListQuery, resource: ListResource, scope: frozenset[int], fmt: str
) -> Iterator[bytes]:
    """The entries as the list answers them, in chunks; CSV cells safe for spreadsheets."""
    columns = [(key, key) for key in AuditEntryItem.model_fields]
    rows = (entry(row) for row in listing.iter_rows(resource.spec, query, scope))
    if fmt == "csv":
        yield listing.to_csv(columns, iter(())).encode()
    while chunk := list(itertools.islice(rows, STREAM_CHUNK_ROWS)):
        if fmt == "jsonl":
            yield b"".join(orjson.dumps(row, default=str) + b"\n" for row in chunk)
        else:
            text = listing.to_csv(columns, iter(chunk))
            yield text.split("\r\n", 1)[1].encode()  # the header went first, once


def export_query(params: BaseModel) -> tuple[listing.ListQuery, str]:
    """The export's search, filters and order (the range and scope narrow the list) and its
    format."""
    values = params.model_dump()
    filters = {k: values[k] for k in ("kind", "outcome") if values[k] is not None}
    query = listing.ListQuery(
        search=values["q"],
        filters=filters,
        sort=values["sort"],
        descending=values["order"] == "desc",
    )
    return query, str(values["format"])


@api.get(
    "",
    response_model=AuditEntryPage,
    summary="List audit entries (the key's organisation and its sub-operators)",
    operation_id="list_audit_log",
)
async def list_audit_log(
    params: Annotated[ListParams, Query()],  # type: ignore[valid-type]
    caller: Viewer,
) -> Any:
    return await asyncio.to_thread(audit_page, params, caller)


@api.get(
    "/export",
    response_class=StreamingResponse,
    summary="Export audit entries (CSV or JSON lines, streamed)",
    operation_id="export_audit_log",
    responses={200: {"content": {"text/csv": {}, "application/x-ndjson": {}}}},
)
async def export_audit_log(
    params: Annotated[ExportParams, Query()],  # type: ignore[valid-type]
    caller: Exporter,
) -> StreamingResponse:
    resource, scoped = await asyncio.to_thread(visible, params, caller)
    query, fmt = export_query(params)
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/x-ndjson"
    return StreamingResponse(
        stream_in_thread(lambda: export_chunks(query, resource, scoped.scope, fmt)),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="audit-log.{fmt}"'},
    )
