"""Commands to charge points: send one, follow its lifecycle, list them.

- `POST /charge-points/{identity}/commands` with `{"action": ..., "params": {...}}` sends
  what the charge point page sends (`api.command_params`: one model per action) through
  the same use case, and answers the command record (201, Location /api/v1/commands/{id})
  as soon as it is handed to the charge point (state sent) or found offline; the charge
  point answers later. `?wait=SECONDS` (0-60) holds the reply until the command ends or
  the time is up. The use case runs in its own task: a client that hangs up cancels
  nothing.
- `GET /commands/{id}` is the record: `state` moves requested -> sent -> accepted |
  rejected | failed | timed_out, or offline when the charge point is not connected (the
  states the command history shows, stored under these names). `?wait=SECONDS` waits for
  a final state: the command layer publishes every step on the event bus, and every
  waiting request shares one subscription to it (open only while someone waits); a re-read
  every RECHECK_SECONDS covers a command run by another process, whose events this
  process's bus never sees.
- `GET /commands` (filters: charge point, action, state, ...) and `/commands/export`.

Permission: Live Monitoring control, as the charge point page's send handlers; GetDiagnostics
also needs Firmware control, as the Firmware page's. A charge point outside the key's scope
is 404. Invalid params are one problem entry per field (`params.<field>`), the schema's
bounds first, then the use case's own checks with the page's messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Annotated, Any, Union

from fastapi import APIRouter, Body, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import Field
from sqlalchemy import select as sa_select
from sqlmodel import col

from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.api import problems
from ccms_app.api.command_params import (
    ACTIONS,
    COMMAND_MODELS,
    CommandParams,
    CommandRequest,
    Recipient,
)
from ccms_app.api.deps import ApiCaller, gate, router
from ccms_app.api.forms import read_back
from ccms_app.api.listing import add_list_routes
from ccms_app.api.problems import Problem, ProblemRoute
from ccms_app.api.resources import MAX_INT, ListResource
from ccms_app.control.commands import UnknownChargePointError
from ccms_app.control.models import ChargePointCommand, CommandStatus
from ccms_app.control.rules.commands import CommandInputError
from ccms_app.core import listing
from ccms_app.core.events import NetworkEvent, get_event_bus
from ccms_app.core.identifiers import IDENTITY_MAX_LENGTH
from ccms_app.core.listing import ListColumn, ListSpec
from ccms_app.network.charge_point_info import charge_point_info
from ccms_app.network.models import ChargePoint

log = logging.getLogger(__name__)

WAIT_MAX = 60
RECHECK_SECONDS = 2.0  # a waiting request re-reads the record this often (scale-out)
RECORD_TIMEOUT = 30.0  # a use case that has not recorded its command by then is stuck
REQUESTED_BY_MAX = 320  # ChargePointCommand.requested_by

COMMAND_LIST = ListSpec(
    name="Commands",
    base=lambda: sa_select(ChargePointCommand).join(
        ChargePoint, col(ChargePoint.id) == ChargePointCommand.charge_point_id
    ),
    columns=(
        ListColumn("id", "Id", ChargePointCommand.id),
        ListColumn(
            "charge_point", "Charge point", ChargePoint.identity, searchable=True, filterable=True
        ),
        ListColumn(
            "charge_point_id",
            "Charge point id",
            ChargePointCommand.charge_point_id,
            filterable=True,
        ),
        ListColumn(
            "organisation_id",
            "Organisation id",
            ChargePointCommand.organisation_id,
            filterable=True,
        ),
        ListColumn("action", "Action", ChargePointCommand.action, searchable=True, filterable=True),
        ListColumn("state", "State", ChargePointCommand.status, filterable=True),
        ListColumn("error", "Error", ChargePointCommand.error, sortable=False),
        ListColumn("request", "Request (JSON)", ChargePointCommand.request_payload, sortable=False),
        ListColumn("response", "Reply (JSON)", ChargePointCommand.response_payload, sortable=False),
        ListColumn(
            "requested_by",
            "Requested by",
            ChargePointCommand.requested_by,
            searchable=True,
            filterable=True,
        ),
        ListColumn("created_at", "Requested (UTC)", ChargePointCommand.created_at),
        ListColumn("updated_at", "Last change (UTC)", ChargePointCommand.updated_at),
    ),
    organisation_column=ChargePointCommand.organisation_id,
    id_column=ChargePointCommand.id,
    default_sort="created_at",
)
FINAL_STATES = frozenset(s.value for s in CommandStatus if s.is_final)

problems.register({UnknownChargePointError: 404})

RESOURCE = ListResource(COMMAND_LIST, Module.LIVE_MONITORING, "Command", "commands", False)
api = router(RESOURCE.path, "Commands")
Command = add_list_routes(api, RESOURCE)
CommandId = Annotated[int, Path(ge=1, le=MAX_INT)]
Identity = Annotated[
    str, Path(min_length=1, max_length=IDENTITY_MAX_LENGTH, description="The OCPP identity")
]
Wait = Annotated[
    int, Query(ge=0, le=WAIT_MAX, description="Seconds to wait for a final state (0: none)")
]
Viewer = Annotated[ApiCaller, gate(Module.LIVE_MONITORING)]
Controller = Annotated[ApiCaller, gate(Module.LIVE_MONITORING, Action.CONTROL)]
if TYPE_CHECKING:
    CommandBody = CommandRequest
else:  # one model per action, told apart by `action`: the schema documents each one's params
    CommandBody = Annotated[
        Union[COMMAND_MODELS],  # noqa: UP007
        Field(discriminator="action"),
        Body(description="The action and its parameters; `params` differs per action"),
    ]


# --- validation errors named by the body's fields ----------------------------------------------


def _named_by_field(error: dict[str, Any]) -> dict[str, Any]:
    """Pydantic puts the action's tag in a tagged union's error path (body.Reset.params.type)
    and none at all on an unknown action: name the body's own fields instead."""
    loc = tuple(error.get("loc", ()))
    kind = error.get("type")
    if loc == ("body",) and kind == "union_tag_invalid":
        tag = (error.get("ctx") or {}).get("tag", "")
        message = f"unsupported command {tag!r}; supported: {', '.join(ACTIONS)}"
        return {**error, "loc": ("body", "action"), "msg": message}
    if loc == ("body",) and kind == "union_tag_not_found":
        return {**error, "loc": ("body", "action"), "msg": "Field required"}
    if len(loc) > 1 and loc[0] == "body" and loc[1] in ACTIONS:
        return {**error, "loc": ("body", *loc[2:])}
    return error


class CommandRoute(ProblemRoute):
    """A ProblemRoute whose body errors name `action` and `params.<field>`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                errors = [_named_by_field(dict(e)) for e in exc.errors()]
                raise RequestValidationError(errors, body=exc.body) from None

        return handle


charge_point_api = APIRouter(
    prefix="/charge-points/{identity}/commands", tags=["Commands"], route_class=CommandRoute
)


# --- waiting for a final state -----------------------------------------------------------------


class FinalStateWatch:
    """Requests waiting for commands to end share one event bus subscription, open while
    anyone waits: a busy network's events are read once, not once per waiting request."""

    def __init__(self) -> None:
        self._waiting: dict[int, set[asyncio.Event]] = {}
        self._listener: asyncio.Task[None] | None = None

    async def wait(
        self, command_id: int, seconds: float, is_final: Callable[[], Awaitable[bool]]
    ) -> None:
        """Until `is_final()` or `seconds` have passed; re-read on the command's final event."""
        ended = asyncio.Event()
        self._waiting.setdefault(command_id, set()).add(ended)
        self._listen()  # subscribed before the first read: no final event falls in between
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        try:
            while not await is_final():
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(ended.wait(), min(remaining, RECHECK_SECONDS))
                ended.clear()
        finally:
            self._leave(command_id, ended)

    def _listen(self) -> None:
        listener = self._listener
        here = asyncio.get_running_loop()
        if listener is None or listener.done() or listener.get_loop() is not here:
            events = get_event_bus().subscribe()
            self._listener = asyncio.create_task(self._dispatch(events))

    async def _dispatch(self, events: asyncio.Queue[NetworkEvent]) -> None:
        try:
            while True:
                event = await events.get()
                if event.kind == "command" and event.data.get("status") in FINAL_STATES:
                    for ended in self._waiting.get(event.data.get("command_id", 0), ()):
                        ended.set()
        finally:
            get_event_bus().unsubscribe(events)

    def _leave(self, command_id: int, ended: asyncio.Event) -> None:
        waiting = self._waiting.get(command_id, set())
        waiting.discard(ended)
        if not waiting:
            self._waiting.pop(command_id, None)
        if not self._waiting and self._listener is not None:
            self._listener.cancel()
            self._listener = None


final_states = FinalStateWatch()


# --- sending: the use case runs on, the request answers once the command is recorded ------------

_running: set[asyncio.Task[int]] = set()  # kept referenced until they end
# One command being recorded at a time per (charge point, action, sender): the first
# `requested` event of that kind a launch sees is then its own (`_recorded`).
_launches: weakref.WeakValueDictionary[tuple[int, str, str], asyncio.Lock] = (
    weakref.WeakValueDictionary()
)


async def _run(params: CommandParams, to: Recipient) -> int:
    try:
        return await params.send(to)
    except (CommandInputError, LookupError):
        raise  # refused before anything was recorded: the request answers it
    except Exception:
        log.exception("command failed", extra={"action": params.ACTION, "cp": to.charge_point_id})
        raise


def _settled(task: asyncio.Task[int]) -> None:
    _running.discard(task)
    if not task.cancelled():
        task.exception()  # answered as a problem, or logged by _run: never "not retrieved"


async def _start(params: CommandParams, to: Recipient) -> tuple[asyncio.Task[int], int]:
    """Run the action's use case in its own task (it lasts until the charge point answers,
    and a client that hangs up must not cancel it); the command's id once it is recorded."""
    launch = _launches.setdefault(
        (to.charge_point_id, params.ACTION, to.requested_by), asyncio.Lock()
    )
    bus = get_event_bus()
    try:
        async with asyncio.timeout(RECORD_TIMEOUT), launch:
            events = bus.subscribe()
            task = asyncio.create_task(_run(params, to))
            _running.add(task)
            task.add_done_callback(_settled)
            try:
                return task, await _recorded(events, task, params.ACTION, to)
            finally:
                bus.unsubscribe(events)
    except TimeoutError:
        raise Problem(503, "The command was not recorded in time; it may still be sent.") from None


async def _recorded(
    events: asyncio.Queue[NetworkEvent], task: asyncio.Task[int], action: str, to: Recipient
) -> int:
    """The command's id once it has left `requested` (sent, or offline at once): the first
    `requested` event of this action, charge point and sender, then that command's next.
    When the use case ends first: its result, or its error (raised before any record)."""
    command_id = 0
    while not task.done():
        event = await _next_event(events, task)
        if event is None or event.kind != "command":
            continue
        if not command_id and await _is_launched(event, action, to):
            command_id = int(event.data["command_id"])
        elif command_id and event.data.get("command_id") == command_id:
            return command_id
    return command_id or task.result()


async def _next_event(
    events: asyncio.Queue[NetworkEvent], task: asyncio.Task[int]
) -> NetworkEvent | None:
    getter = asyncio.ensure_future(events.get())
    try:
        await asyncio.wait({getter, task}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        got = getter.done()
        if not got:
            getter.cancel()
    return getter.result() if got else None


async def _is_launched(event: NetworkEvent, action: str, to: Recipient) -> bool:
    data = event.data
    if event.charge_point_id != to.charge_point_id or data.get("action") != action:
        return False
    command_id = data.get("command_id")
    if data.get("status") != CommandStatus.REQUESTED or not isinstance(command_id, int):
        return False
    row = await asyncio.to_thread(listing.fetch_one, COMMAND_LIST, command_id, None)
    return row is not None and row["requested_by"] == to.requested_by


def _refused(params: type[CommandParams], exc: CommandInputError) -> Problem:
    field = params.error_field(str(exc))
    entry = {"location": "body", "field": field, "detail": str(exc)}
    return Problem(422, "1 invalid field; nothing was sent.", [entry])


def _check_permission(caller: ApiCaller, params: CommandParams) -> None:
    module, action = params.PERMISSION
    if not caller.principal.can(module, action):
        why = f"The key's role ({caller.principal.role_name}) does not allow {module}:{action}."
        raise Problem(403, why)


# --- routes ------------------------------------------------------------------------------------


@charge_point_api.post(
    "",
    status_code=201,
    response_model=Command,
    operation_id="send_command",
    summary="Send a command to a charge point",
)
async def send_command(
    identity: Identity,
    body: CommandBody,
    caller: Controller,
    response: Response,
    wait: Wait = 0,
) -> Any:
    """Answers the record once the command is sent (or found offline: state `offline`);
    follow it at the Location, or pass `wait` to get its final state here."""
    params = body.params
    _check_permission(caller, params)
    info = await asyncio.to_thread(charge_point_info, identity, caller.scope)
    if info is None:
        raise Problem(404, f"No charge point {identity!r} in this key's scope.")
    requested_by = caller.principal.email[:REQUESTED_BY_MAX]
    try:
        task, command_id = await _start(params, Recipient(info.id, requested_by, caller.scope))
    except CommandInputError as exc:
        raise _refused(type(params), exc) from None
    except LookupError as exc:
        raise Problem(404, str(exc)) from None
    if wait:
        await asyncio.wait({task}, timeout=wait)
    return await read_back(RESOURCE, command_id, caller, response)


async def _read(command_id: int, caller: ApiCaller) -> dict[str, Any]:
    return await read_back(RESOURCE, command_id, caller)


@api.get(
    "/{id}",
    response_model=Command,
    operation_id="get_command",
    summary="One command and where its lifecycle stands",
)
async def get_command(id: CommandId, caller: Viewer, wait: Wait = 0) -> Any:
    row = await _read(id, caller)
    if wait and row["state"] not in FINAL_STATES:

        async def is_final() -> bool:
            nonlocal row
            row = await _read(id, caller)
            return row["state"] in FINAL_STATES

        await final_states.wait(id, wait, is_final)
    return row
