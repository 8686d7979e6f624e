"""Local authorization lists: list, get, export, create, rename (partial), delete; a list's
id tags (list, add, remove) and charge points (list with their sync state, assign, assign
whole stations, unassign); "Sync now" for one list and "Sync all" for the key's network.

The same use cases as the local list pages (`drivers.local_lists`): each change marks the
charge points concerned and the scheduler's sync job sends them the difference; a sync
route does it at once (a command: users:control, like the pages' buttons) and answers one
result per charge point. Those use cases report every problem as LocalListError, "does
not exist" included, so each route first looks the list up in the key's scope: 404 outside.
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Annotated, Any, Literal

from fastapi import Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field, create_model

from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.api import problems
from ccms_app.api.deps import ApiCaller, gate, router
from ccms_app.api.forms import read_back
from ccms_app.api.listing import add_list_routes, item_model
from ccms_app.api.problems import Problem
from ccms_app.api.resources import MAX_INT, ListResource, StrictModel
from ccms_app.core import listing
from ccms_app.core.identifiers import ID_TAG_MAX_LENGTH
from ccms_app.drivers.common import UserInputError
from ccms_app.drivers.local_lists import assignments, entries, lists, specs, sync
from ccms_app.drivers.local_lists.outcomes import SyncResult
from ccms_app.drivers.rules.authorization import ACCEPTED, BLOCKED, EXPIRED

problems.register({lists.LocalListError: 422})

RESOURCE = ListResource(specs.LOCAL_LIST_LIST, Module.USERS, "LocalList", "local_lists")
api = router(RESOURCE.path, "Local lists")
LocalList = add_list_routes(api, RESOURCE)
ListId = Annotated[int, Path(ge=1, le=MAX_INT)]
Viewer = Annotated[ApiCaller, gate(Module.USERS, Action.VIEW)]
Editor = Annotated[ApiCaller, gate(Module.USERS, Action.EDIT)]
Controller = Annotated[ApiCaller, gate(Module.USERS, Action.CONTROL)]
ROW_IDS_MAX = 10_000  # ids per request, as many as a paste of id tags may hold
PAGING = frozenset({"q", "sort", "order", "page", "page_size"})


def _sentence(exc: Exception) -> str:
    """A use case's message as the pages show it: capitalised, one full stop."""
    text = str(exc).strip().rstrip(".")
    return text[:1].upper() + text[1:] + "." if text else ""


async def _listed(list_id: int, caller: ApiCaller) -> lists.LocalListSummary:
    """The list when it is in the key's scope; else 404."""
    try:
        return await asyncio.to_thread(lists.list_summary, list_id, caller.scope)
    except lists.LocalListError as exc:
        raise Problem(404, _sentence(exc)) from exc


# --- the lists ---------------------------------------------------------------------------------


class LocalListChanges(StrictModel):
    """A partial update: only the fields sent change (the charge points' lists do not)."""

    name: str | None = Field(None, max_length=lists.NAME_MAX, description="Unique per owner")
    description: str | None = Field(None, max_length=lists.DESCRIPTION_MAX)


class NewLocalList(LocalListChanges):
    name: str = Field(max_length=lists.NAME_MAX, description="Unique per owner")


@api.post("", status_code=201, response_model=LocalList, operation_id="create_local_list")
async def create_local_list(body: NewLocalList, caller: Editor, response: Response) -> Any:
    """An empty list of the key's organisation: add id tags and charge points next."""
    try:
        view = await asyncio.to_thread(
            lists.create_list, caller.principal.organisation_id, body.name, body.description or ""
        )
    except lists.LocalListError as exc:  # what the page's dialog shows under the name
        raise UserInputError({"name": _sentence(exc)}) from exc
    return await read_back(RESOURCE, view.id, caller, response)


@api.patch("/{id}", response_model=LocalList, operation_id="update_local_list")
async def update_local_list(id: ListId, body: LocalListChanges, caller: Editor) -> Any:
    current = await _listed(id, caller)
    changes = body.model_dump(exclude_unset=True)
    name = changes.get("name", current.name) or ""
    description = changes.get("description", current.description) or ""
    try:
        await asyncio.to_thread(lists.update_list, id, name, description, caller.scope)
    except lists.LocalListError as exc:
        raise UserInputError({"name": _sentence(exc)}) from exc
    return await read_back(RESOURCE, id, caller)


@api.delete("/{id}", status_code=204, operation_id="delete_local_list")
async def delete_local_list(id: ListId, caller: Editor) -> Response:
    """Only a list no charge point holds (409 otherwise): unassign first, deliberately."""
    await _listed(id, caller)
    try:
        await asyncio.to_thread(lists.delete_unassigned_list, id, caller.scope)
    except lists.LocalListError as exc:
        raise Problem(409, _sentence(exc)) from exc
    return Response(status_code=204)


# --- what a list holds: paged like every list, narrowed to the list of the path ----------------


def _contents_params(resource: ListResource, filters: dict[str, Any]) -> type[BaseModel]:
    sortable = tuple(c.key for c in resource.spec.columns if c.sortable)
    fields: dict[str, Any] = {
        "q": (str, Field("", max_length=200)),
        "sort": (Literal[sortable], Field(resource.spec.default_sort)),
        "order": (Literal["asc", "desc"], "asc"),
        "page": (int, Field(1, ge=1, le=1_000_000)),
        "page_size": (int, Field(25, ge=1, le=listing.MAX_PAGE_SIZE)),
    }
    fields |= {key: (kind | None, None) for key, kind in filters.items()}
    return create_model(
        f"{resource.item}ListParams", __config__=ConfigDict(extra="forbid"), **fields
    )


def _read_contents(
    spec: listing.ListSpec, params: BaseModel, list_id: int, scope: frozenset[int]
) -> dict[str, Any]:
    values = params.model_dump()
    filters = {k: v for k, v in values.items() if k not in PAGING and v is not None}
    query = listing.ListQuery(
        search=values["q"],
        filters=filters | {"list_id": list_id},
        sort=values["sort"],
        descending=values["order"] == "desc",
        page=values["page"],
        page_size=values["page_size"],
    )
    page = listing.fetch_page(spec, query, scope)
    return {"items": page.rows, "total": page.total, "page": page.page, "page_size": page.page_size}


def _add_contents_route(path: str, resource: ListResource, filters: dict[str, Any]) -> None:
    """GET {path}: the rows of one list, searched, filtered, sorted and paged (by page: the
    rows of several lists share ids, so these lists have no cursor)."""
    item = item_model(resource)
    page = create_model(
        f"{resource.item}Page",
        items=(list[item], ...),  # type: ignore[valid-type]
        total=(int, ...),
        page=(int, ...),
        page_size=(int, ...),
    )

    async def rows(**values: Any) -> Any:
        list_id, caller = values["id"], values["caller"]
        await _listed(list_id, caller)
        return await asyncio.to_thread(
            _read_contents, resource.spec, values["params"], list_id, caller.scope
        )

    rows.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation)
            for name, annotation in (
                ("id", ListId),
                ("params", Annotated[_contents_params(resource, filters), Query()]),
                ("caller", Viewer),
            )
        ]
    )
    api.add_api_route(
        path,
        rows,
        methods=["GET"],
        response_model=page,
        summary=f"The {resource.spec.name} of one list",
        operation_id=f"list_{resource.plural}",
    )


_add_contents_route(
    "/{id}/id-tags",
    ListResource(specs.LOCAL_LIST_ENTRY_LIST, Module.USERS, "LocalListIdTag", "local_list_id_tags"),
    {"authorization": Literal[ACCEPTED, BLOCKED, EXPIRED]},
)
_add_contents_route(
    "/{id}/charge-points",
    ListResource(
        specs.LOCAL_LIST_CHARGE_POINT_LIST,
        Module.USERS,
        "LocalListChargePoint",
        "local_list_charge_points",
    ),
    {
        "online": bool,
        "sync": Literal[
            specs.SYNC_IN_SYNC, specs.SYNC_OUT_OF_DATE, specs.SYNC_NEVER, specs.SYNC_NOT_SUPPORTED
        ],
        "last_result": Annotated[str, Field(max_length=32)],
    },
)


# --- id tags in a list -------------------------------------------------------------------------


class IdTagLines(StrictModel):
    id_tags: list[Annotated[str, Field(max_length=ID_TAG_MAX_LENGTH)]] = Field(
        min_length=1,
        max_length=entries.PASTE_MAX_LINES,
        description="Id tags of the list owner's network, one each; blank ones are skipped",
    )


class AddedIdTags(BaseModel):
    added: list[str]
    already: list[str] = Field(description="Were in the list before")


@api.post("/{id}/id-tags", response_model=AddedIdTags, operation_id="add_local_list_id_tags")
async def add_local_list_id_tags(id: ListId, body: IdTagLines, caller: Editor) -> Any:
    """Every id tag is checked first: one malformed or unknown, and nothing is added (422,
    one entry per id tag, `id_tags.<index>`)."""
    await _listed(id, caller)
    outcome = await asyncio.to_thread(entries.add_id_tags_checked, id, body.id_tags, caller.scope)
    if not outcome.ok:
        errors = [
            {
                "location": "body",
                "field": f"id_tags.{p.line - 1}" if p.line else "id_tags",
                "detail": p.problem,
            }
            for p in outcome.problems
        ]
        raise Problem(422, f"Nothing added: {len(errors)} id tag(s) need fixing.", errors)
    return AddedIdTags(added=outcome.added, already=outcome.already)


@api.post("/{id}/id-tags/remove", status_code=204, operation_id="remove_local_list_id_tags")
async def remove_local_list_id_tags(id: ListId, body: IdTagLines, caller: Editor) -> Response:
    """The list's charge points drop them at the next sync; id tags not in it are ignored."""
    await _listed(id, caller)
    await asyncio.to_thread(entries.remove_id_tags, id, body.id_tags, caller.scope)
    return Response(status_code=204)


@api.delete("/{id}/id-tags/{id_tag}", status_code=204, operation_id="remove_local_list_id_tag")
async def remove_local_list_id_tag(
    id: ListId,
    id_tag: Annotated[str, Path(min_length=1, max_length=ID_TAG_MAX_LENGTH)],
    caller: Editor,
) -> Response:
    await _listed(id, caller)
    await asyncio.to_thread(entries.remove_id_tags, id, [id_tag], caller.scope)
    return Response(status_code=204)


# --- charge points the list goes to ------------------------------------------------------------

RowIds = list[Annotated[int, Field(ge=1, le=MAX_INT, strict=True)]]


class ChargePointIds(StrictModel):
    charge_point_ids: RowIds = Field(min_length=1, max_length=ROW_IDS_MAX)


class StationIds(StrictModel):
    station_ids: RowIds = Field(min_length=1, max_length=ROW_IDS_MAX)


class StationsAssigned(BaseModel):
    charge_points: int = Field(description="Charge points of the stations")
    newly_assigned: int


@api.post("/{id}/charge-points", response_model=LocalList, operation_id="assign_local_list")
async def assign_local_list(id: ListId, body: ChargePointIds, caller: Editor) -> Any:
    """Charge points of the list owner's network; they get the list at the next sync."""
    await _listed(id, caller)
    await asyncio.to_thread(assignments.assign_list, id, body.charge_point_ids, caller.scope)
    return await read_back(RESOURCE, id, caller)


@api.post(
    "/{id}/stations", response_model=StationsAssigned, operation_id="assign_local_list_stations"
)
async def assign_local_list_stations(id: ListId, body: StationIds, caller: Editor) -> Any:
    """Every charge point of these stations."""
    await _listed(id, caller)
    outcome = await asyncio.to_thread(
        assignments.assign_stations, id, body.station_ids, caller.scope
    )
    return StationsAssigned(
        charge_points=outcome.charge_points, newly_assigned=outcome.newly_assigned
    )


async def _unassign(list_id: int, charge_point_ids: list[int], caller: ApiCaller) -> Response:
    await asyncio.to_thread(assignments.unassign_list, list_id, charge_point_ids, caller.scope)
    return Response(status_code=204)


@api.post("/{id}/charge-points/remove", status_code=204, operation_id="unassign_local_list")
async def unassign_local_list(id: ListId, body: ChargePointIds, caller: Editor) -> Response:
    """Their lists lose the list's id tags at the next sync."""
    await _listed(id, caller)
    return await _unassign(id, body.charge_point_ids, caller)


@api.delete(
    "/{id}/charge-points/{charge_point_id}",
    status_code=204,
    operation_id="unassign_local_list_charge_point",
)
async def unassign_local_list_charge_point(
    id: ListId, charge_point_id: Annotated[int, Path(ge=1, le=MAX_INT)], caller: Editor
) -> Response:
    await _listed(id, caller)
    return await _unassign(id, [charge_point_id], caller)


@api.delete("/{id}/charge-points", status_code=204, operation_id="unassign_local_list_all")
async def unassign_local_list_all(id: ListId, caller: Editor) -> Response:
    """The page's "Unassign all"."""
    await _listed(id, caller)
    assigned = await asyncio.to_thread(assignments.assigned_charge_point_ids, id, caller.scope)
    return await _unassign(id, assigned, caller)


# --- sync now ----------------------------------------------------------------------------------


class SyncOutcome(BaseModel):
    """How one charge point's sync ended."""

    charge_point_id: int
    identity: str
    result: str = Field(description="accepted | up_to_date | offline | failed | ...")
    ok: bool = Field(description="accepted or up to date")
    detail: str
    version: int = Field(description="The version it accepted last (0: none)")
    update_type: str = Field(description="Full | Differential of the last update sent")
    updates_sent: int
    fell_back_to_full: bool


def _outcomes(results: list[SyncResult]) -> list[SyncOutcome]:
    """Problems first, then by identity (as the page shows them)."""
    ordered = sorted(results, key=lambda r: (r.ok, r.identity))
    return [SyncOutcome(ok=r.ok, **vars(r)) for r in ordered]


@api.post("/sync", response_model=list[SyncOutcome], operation_id="sync_local_lists")
async def sync_local_lists(caller: Controller) -> Any:
    """Sync every out-of-date charge point of the key's network now (offline ones answer
    `offline`): the Users page's "Sync all"."""
    results = await sync.sync_all(caller.principal.email, caller.scope)
    return _outcomes(results)


@api.post("/{id}/sync", response_model=list[SyncOutcome], operation_id="sync_local_list")
async def sync_local_list(id: ListId, caller: Controller) -> Any:
    """Sync every charge point the list is assigned to now: the list page's "Sync now"."""
    await _listed(id, caller)
    results = await sync.sync_list(id, caller.principal.email, caller.scope)
    return _outcomes(results)
