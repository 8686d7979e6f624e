"""Work orders: list, get (with timeline, photos, parts, time), export, create, status
actions (claim, start, hold, resume, resolve, close, reopen), assignment, notes, parts, time,
photos (multipart upload, download) and remote commands from a work order.

The same rules as Maintenance -> Work orders (`maintenance.work_orders`): maintenance:view
to see, maintenance:edit to change; a command needs live_monitoring:control (the permission
of every charger command) and maintenance:edit (it writes the history).
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import File, Path, Response, UploadFile

from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.api import problems
from ccms_app.api.deps import ApiCaller, gate, router
from ccms_app.api.forms import as_form
from ccms_app.api.listing import add_list_routes
from ccms_app.api.problems import Problem
from ccms_app.api.resources import MAX_INT, ListResource
from ccms_app.api.routes.work_order_models import (
    Assignee,
    CommandOutcome,
    NewWorkOrder,
    Note,
    Part,
    RemoteCommand,
    TimeSpent,
    WorkOrderAction,
    WorkOrderDetail,
    WorkOrderPhotoItem,
)
from ccms_app.control.rules.commands import CommandInputError
from ccms_app.core.attachments import private_attachment
from ccms_app.maintenance.work_orders import creation, detail, lifecycle, photos, records, remote
from ccms_app.maintenance.work_orders.common import WorkOrderError
from ccms_app.maintenance.work_orders.listing import WORK_ORDER_LIST
from ccms_app.maintenance.work_orders.photos import photo_download_name

problems.register({WorkOrderError: 409, photos.PhotoTooLargeError: 413})

RESOURCE = ListResource(
    WORK_ORDER_LIST, Module.MAINTENANCE, "WorkOrder", "work_orders", with_get=False
)
api = router(RESOURCE.path, "Work orders")
WorkOrder = add_list_routes(api, RESOURCE)
WorkOrderId = Annotated[int, Path(ge=1, le=MAX_INT)]
PhotoId = Annotated[int, Path(ge=1, le=MAX_INT)]
Viewer = Annotated[ApiCaller, gate(Module.MAINTENANCE, Action.VIEW)]
Editor = Annotated[ApiCaller, gate(Module.MAINTENANCE, Action.EDIT)]
Controller = Annotated[ApiCaller, gate(Module.LIVE_MONITORING, Action.CONTROL)]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "Not in this key's scope"}}
CHANGE: dict[int | str, dict[str, Any]] = {
    **NOT_FOUND,
    409: {"description": "Not possible in the work order's status"},
}
IMAGE_TYPES = ", ".join(kind for kind, _ext in (photos.JPEG, photos.PNG, photos.WEBP, photos.HEIC))


async def _detail(caller: ApiCaller, work_order_id: int) -> Any:
    return await asyncio.to_thread(detail.get_work_order, caller.caller, work_order_id)


@api.get(
    "/{id}",
    response_model=WorkOrderDetail,
    operation_id="get_work_order",
    summary="One work order with its timeline, photos, parts and time",
    responses=NOT_FOUND,
)
async def get_work_order(id: WorkOrderId, caller: Viewer) -> Any:
    return await _detail(caller, id)


@api.post(
    "",
    status_code=201,
    response_model=WorkOrderDetail,
    operation_id="create_work_order",
    summary="Create a work order for a charge point (from an alarm with alarm_id)",
)
async def create_work_order(body: NewWorkOrder, caller: Editor, response: Response) -> Any:
    work_order_id = await asyncio.to_thread(creation.create_by_hand, caller.caller, as_form(body))
    response.headers["Location"] = f"/api/v1/work-orders/{work_order_id}"
    return await _detail(caller, work_order_id)


@api.post(
    "/{id}/actions",
    response_model=WorkOrderDetail,
    operation_id="act_on_work_order",
    summary="Claim, start, hold, resume, resolve, close or reopen",
    responses=CHANGE,
)
async def act_on_work_order(id: WorkOrderId, body: WorkOrderAction, caller: Editor) -> Any:
    """Claiming needs a person: an API key (no account) cannot claim."""
    await asyncio.to_thread(lifecycle.act, caller.caller, id, body.action, body.text)
    return await _detail(caller, id)


@api.put(
    "/{id}/assignee",
    response_model=WorkOrderDetail,
    operation_id="assign_work_order",
    summary="Give the work order to an account of the organisation, or nobody",
    responses=CHANGE,
)
async def assign_work_order(id: WorkOrderId, body: Assignee, caller: Editor) -> Any:
    await asyncio.to_thread(lifecycle.assign, caller.caller, id, body.assignee_account_id)
    return await _detail(caller, id)


@api.post(
    "/{id}/notes",
    status_code=201,
    response_model=WorkOrderDetail,
    operation_id="add_work_order_note",
    responses=NOT_FOUND,
)
async def add_work_order_note(id: WorkOrderId, body: Note, caller: Editor) -> Any:
    await asyncio.to_thread(records.add_note, caller.caller, id, body.text)
    return await _detail(caller, id)


@api.post(
    "/{id}/parts",
    status_code=201,
    response_model=WorkOrderDetail,
    operation_id="add_work_order_part",
    responses=NOT_FOUND,
)
async def add_work_order_part(id: WorkOrderId, body: Part, caller: Editor) -> Any:
    await asyncio.to_thread(records.add_part, caller.caller, id, body.part, body.quantity)
    return await _detail(caller, id)


@api.post(
    "/{id}/time",
    status_code=201,
    response_model=WorkOrderDetail,
    operation_id="log_work_order_time",
    summary="Log time spent (adds to time_spent_min)",
    responses=NOT_FOUND,
)
async def log_work_order_time(id: WorkOrderId, body: TimeSpent, caller: Editor) -> Any:
    await asyncio.to_thread(records.log_time, caller.caller, id, body.minutes, body.note)
    return await _detail(caller, id)


@api.post(
    "/{id}/photos",
    status_code=201,
    response_model=WorkOrderPhotoItem,
    operation_id="upload_work_order_photo",
    summary=f"Attach a photo (multipart/form-data; {IMAGE_TYPES})",
    responses={**NOT_FOUND, 413: {"description": "Larger than CCMS_WORK_ORDER_PHOTO_MAX_MB"}},
)
async def upload_work_order_photo(
    id: WorkOrderId,
    file: Annotated[UploadFile, File(description="The photo")],
    caller: Editor,
    response: Response,
) -> Any:
    data = await file.read(photos.max_bytes() + 1)
    view = await asyncio.to_thread(
        photos.store_photo, caller.caller, id, file.filename or "photo", data
    )
    response.headers["Location"] = f"/api/v1/work-orders/{id}/photos/{view.id}"
    return view


@api.get(
    "/{id}/photos/{photo_id}",
    response_class=Response,
    operation_id="download_work_order_photo",
    summary="A photo's file",
    responses={
        200: {
            "content": {
                kind: {} for kind, _ext in (photos.JPEG, photos.PNG, photos.WEBP, photos.HEIC)
            }
        },
        **NOT_FOUND,
    },
)
async def download_work_order_photo(id: WorkOrderId, photo_id: PhotoId, caller: Viewer) -> Response:
    found = await asyncio.to_thread(photos.photo_file, photo_id, caller.scope, id)
    if found is None:
        raise Problem(404, f"No photo {photo_id} of work order {id} in this key's scope.")
    view, data = found
    return private_attachment(data, view.content_type, photo_download_name(view))


@api.post(
    "/{id}/commands",
    response_model=CommandOutcome,
    operation_id="send_work_order_command",
    summary="Reset, unlock, change availability or get diagnostics; answers the final state",
    responses={**NOT_FOUND, 403: {"description": "Needs maintenance:edit too"}},
)
async def send_work_order_command(id: WorkOrderId, body: RemoteCommand, caller: Controller) -> Any:
    params = body.model_dump(exclude={"action"}, exclude_none=True)
    try:
        return await remote.send_from_work_order(caller.caller, id, body.action, params)
    except CommandInputError as exc:
        field = str(exc).split(" ", 1)[0].rstrip(":")
        entry = {"location": "body", "field": field, "detail": str(exc)}
        raise Problem(422, "1 invalid field; nothing was sent.", [entry]) from None
