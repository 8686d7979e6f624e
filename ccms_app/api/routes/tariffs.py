"""Tariffs as OCPI 2.2.1 Tariff JSON: list, get, create, new version (PUT), rename (PATCH),
archive, versions, assignments, "which tariff applies here", and the quote.

Everything goes to Finance's use cases (`finance.tariffs`, `finance.tariff_assignments`), the
tariff editor's, so a wrong price gets the editor's message under the editor's field name
(`elements[0].price_components[1].price`). Answers write prices as exact JSON numbers
(`tariff_models.DecimalJSONResponse`). The quote prices a session described as OCPI CDR
charging periods with the engine that prices real sessions (`api.routes.tariff_quote`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from typing import Annotated, Any

from fastapi import Path, Query, Request, Response

from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.api import problems
from ccms_app.api.deps import ApiCaller, gate, router
from ccms_app.api.problems import Problem
from ccms_app.api.resources import MAX_INT
from ccms_app.api.routes import tariff_quote
from ccms_app.api.routes.tariff_models import (
    AssignmentList,
    AssignmentOut,
    DecimalJSONResponse,
    NewAssignment,
    NewTariff,
    QuoteOut,
    QuoteRequest,
    TariffChanges,
    TariffList,
    TariffOut,
    TariffVersionBody,
    TariffVersionOut,
    WhichOut,
    WhichParams,
    exact_json,
)
from ccms_app.core.types import utc_now
from ccms_app.finance import tariff_assignments, tariffs
from ccms_app.finance.errors import FinanceConflict, FinanceError, FinanceNotFound
from ccms_app.finance.models import TariffVersion
from ccms_app.finance.rules.tariff_json import TariffError
from ccms_app.finance.tariff_assignments import AssignmentView, Resolution
from ccms_app.finance.tariffs import TariffView
from ccms_app.network import charge_point_admin

problems.register({FinanceError: 422, FinanceNotFound: 404, FinanceConflict: 409, TariffError: 422})

api = router("/tariffs", "Tariffs")
assignments_api = router("/tariff-assignments", "Tariffs")
TariffId = Annotated[int, Path(ge=1, le=MAX_INT)]
Viewer = Annotated[ApiCaller, gate(Module.FINANCE)]
Editor = Annotated[ApiCaller, gate(Module.FINANCE, Action.EDIT)]
ENVELOPE = ("name", "description", "organisation_id", "valid_from")
EXTENSION_FIELDS = ("idle_grace_minutes", "idle_fee_cap", "rounding")
DEFAULT_ROUNDING = "half_up"


# --- the JSON of a tariff ------------------------------------------------------------------


def _ref(view: AssignmentView) -> dict[str, Any]:
    return {
        "id": view.id,
        "target": view.target,
        "target_id": view.target_id,
        "label": view.target_label,
    }


def _assignment(view: AssignmentView) -> dict[str, Any]:
    return _ref(view) | {"tariff_id": view.tariff_id, "tariff_name": view.tariff_name}


def ocpi_tariff(view: TariffView, assigned: list[AssignmentView]) -> dict[str, Any]:
    """The tariff's current version as an OCPI Tariff, with the CCMS fields beside it."""
    definition = dict(view.definition)
    ccms = {key: definition.pop(key, None) for key in EXTENSION_FIELDS}
    definition.pop("time_zone", None)
    return definition | {
        "id": str(view.id),
        "currency": view.currency,
        "elements": definition.get("elements", []),
        "start_date_time": view.valid_from,
        "last_updated": view.updated_at,
        "name": view.name,
        "description": view.description,
        "organisation_id": view.organisation_id,
        "archived": view.archived,
        "version": view.version,
        "idle_grace_minutes": ccms["idle_grace_minutes"] or 0,
        "idle_fee_cap": ccms["idle_fee_cap"],
        "rounding": ccms["rounding"] or DEFAULT_ROUNDING,
        "assignments": [_ref(a) for a in assigned],
    }


def read_tariff(scope: Collection[int], tariff_id: int) -> dict[str, Any]:
    view = tariffs.get_tariff(scope, tariff_id)
    return ocpi_tariff(view, tariff_assignments.assignments(scope, tariff_id))


def read_tariffs(scope: Collection[int], include_archived: bool) -> dict[str, Any]:
    views = tariffs.list_tariffs(scope, include_archived=include_archived)
    assigned: dict[int, list[AssignmentView]] = {}
    for assignment in tariff_assignments.assignments(scope):
        assigned.setdefault(assignment.tariff_id, []).append(assignment)
    items = [ocpi_tariff(view, assigned.get(view.id, [])) for view in views]
    return {"items": items, "total": len(items)}


def prices_of(raw: dict[str, Any]) -> dict[str, Any]:
    """The body's OCPI definition (exact numbers) without the envelope, for tariff_json."""
    return {key: value for key, value in raw.items() if key not in ENVELOPE}


def version_json(version: TariffVersion) -> dict[str, Any]:
    return {
        "number": version.number,
        "valid_from": version.valid_from,
        "created_by": version.created_by,
        "created_at": version.created_at,
        "tariff": exact_json(version.definition.encode()),
    }


def _actor(caller: ApiCaller) -> str:
    return f"API key {caller.api_key_id} ({caller.principal.email})"[:320]


def answer(content: Any, status: int = 200, location: str = "") -> DecimalJSONResponse:
    headers = {"Location": f"/api/v1{location}"} if location else None
    return DecimalJSONResponse(content, status_code=status, headers=headers)


# --- tariffs -----------------------------------------------------------------------------


@api.get("", response_model=TariffList, operation_id="list_tariffs")
async def list_tariffs(
    caller: Viewer,
    include_archived: Annotated[bool, Query(description="Archived tariffs too")] = False,
) -> Response:
    return answer(await asyncio.to_thread(read_tariffs, caller.scope, include_archived))


@api.get(
    "/which",
    response_model=WhichOut,
    operation_id="which_tariff",
    summary="Which tariff prices a session of this card at this charge point, and why",
)
async def which_tariff(params: Annotated[WhichParams, Query()], caller: Viewer) -> Any:
    return await asyncio.to_thread(_which, caller.scope, params)


def _membership_target(found: Resolution) -> str:
    return "membership" if found.membership_id is not None else ""


def _which(scope: Collection[int], params: WhichParams) -> dict[str, Any]:
    cp = charge_point_admin.find_by_identity(scope, params.charge_point)
    at = params.at or utc_now()
    found = tariff_assignments.explain(scope, cp.id, params.connector_id, params.id_tag, at)
    if found is None:
        raise Problem(404, f"No tariff applies at {cp.identity}: nothing is assigned there.")
    return {
        "tariff_id": found.tariff_id,
        "tariff_name": found.tariff_name,
        "version": found.version.number,
        "valid_from": found.version.valid_from,
        "target": found.target.value if found.target else _membership_target(found),
        "reason": found.reason,
    }


@api.get("/{id}", response_model=TariffOut, operation_id="get_tariff")
async def get_tariff(id: TariffId, caller: Viewer) -> Response:
    return answer(await asyncio.to_thread(read_tariff, caller.scope, id))


@api.post("", status_code=201, response_model=TariffOut, operation_id="create_tariff")
async def create_tariff(body: NewTariff, caller: Editor, request: Request) -> Response:
    definition = prices_of(exact_json(await request.body()))
    view = await asyncio.to_thread(
        tariffs.create_tariff,
        caller.scope,
        body.organisation_id or caller.principal.organisation_id,
        body.name,
        definition,
        description=body.description,
        actor=_actor(caller),
        valid_from=body.valid_from,
    )
    content = await asyncio.to_thread(read_tariff, caller.scope, view.id)
    return answer(content, 201, f"/tariffs/{view.id}")


@api.put(
    "/{id}",
    response_model=TariffOut,
    operation_id="replace_tariff_prices",
    summary="New prices: a new version from valid_from (sessions started before keep theirs)",
)
async def replace_tariff_prices(
    id: TariffId, body: TariffVersionBody, caller: Editor, request: Request
) -> Response:
    definition = prices_of(exact_json(await request.body()))
    await asyncio.to_thread(
        tariffs.update_tariff,
        caller.scope,
        id,
        name=body.name,
        description=body.description,
        definition=definition,
        valid_from=body.valid_from,
        actor=_actor(caller),
    )
    return answer(await asyncio.to_thread(read_tariff, caller.scope, id))


@api.patch("/{id}", response_model=TariffOut, operation_id="update_tariff")
async def update_tariff(id: TariffId, body: TariffChanges, caller: Editor) -> Response:
    await asyncio.to_thread(
        tariffs.update_tariff, caller.scope, id, name=body.name, description=body.description
    )
    return answer(await asyncio.to_thread(read_tariff, caller.scope, id))


@api.delete(
    "/{id}",
    response_model=TariffOut,
    operation_id="delete_tariff",
    summary="Archive: no longer assigned nor offered; sessions priced with it keep it",
)
async def delete_tariff(id: TariffId, caller: Editor) -> Response:
    await asyncio.to_thread(tariffs.archive_tariff, caller.scope, id)
    return answer(await asyncio.to_thread(read_tariff, caller.scope, id))


@api.get(
    "/{id}/versions", response_model=list[TariffVersionOut], operation_id="list_tariff_versions"
)
async def list_tariff_versions(id: TariffId, caller: Viewer) -> Response:
    found = await asyncio.to_thread(tariffs.versions, caller.scope, id)
    return answer([version_json(version) for version in found])


@api.post(
    "/{id}/quote",
    response_model=QuoteOut,
    operation_id="quote_tariff",
    summary="Price a session described as OCPI CDR charging periods",
)
async def quote_tariff(
    id: TariffId, body: QuoteRequest, caller: Viewer, request: Request
) -> Response:
    cdr = exact_json(await request.body())
    quote = await asyncio.to_thread(tariff_quote.quote, caller.scope, id, body, cdr)
    return answer(quote)


# --- assignments ---------------------------------------------------------------------------


@api.post(
    "/{id}/assignments",
    status_code=201,
    response_model=AssignmentOut,
    operation_id="create_tariff_assignment",
    summary="Assign the tariff (replacing what the target had)",
)
async def create_tariff_assignment(id: TariffId, body: NewAssignment, caller: Editor) -> Response:
    view = await asyncio.to_thread(
        tariff_assignments.assign, caller.scope, id, body.target, body.target_id, _actor(caller)
    )
    return answer(_assignment(view), 201, f"/tariff-assignments/{view.id}")


@assignments_api.get("", response_model=AssignmentList, operation_id="list_tariff_assignments")
async def list_tariff_assignments(
    caller: Viewer,
    tariff_id: Annotated[int | None, Query(ge=1, le=MAX_INT, description="Of one tariff")] = None,
) -> Any:
    found = await asyncio.to_thread(tariff_assignments.assignments, caller.scope, tariff_id)
    return {"items": [_assignment(a) for a in found], "total": len(found)}


@assignments_api.get("/{id}", response_model=AssignmentOut, operation_id="get_tariff_assignment")
async def get_tariff_assignment(id: TariffId, caller: Viewer) -> Any:
    found = await asyncio.to_thread(tariff_assignments.assignments, caller.scope)
    for assignment in found:
        if assignment.id == id:
            return _assignment(assignment)
    raise Problem(404, f"No tariff assignment {id} in this key's scope.")


@assignments_api.delete("/{id}", status_code=204, operation_id="delete_tariff_assignment")
async def delete_tariff_assignment(id: TariffId, caller: Editor) -> Response:
    await asyncio.to_thread(tariff_assignments.unassign, caller.scope, id)
    return Response(status_code=204)
