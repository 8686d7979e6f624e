"""Operator commands to charge points, each a record with a lifecycle the UI shows:
requested -> sent -> accepted | rejected | failed | timed_out, or offline."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from ccms_app.charging.models import ChargingSession
from ccms_app.control.models import ChargePointCommand, ChargePointConfiguration, CommandStatus
from ccms_app.control.rules.commands import build_request, reply_status
from ccms_app.control.rules.redaction import redact, redact_text
from ccms_app.control.rules.remote_start import (
    CLOCK_SKEW,
    REMOTE_START,
    FollowingTransaction,
    follow_up,
    wait_for_plug_in,
)
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.events import NetworkEvent, get_event_bus
from ccms_app.core.i18n import tr
from ccms_app.core.rows import existing, stored_id
from ccms_app.core.types import utc_now
from ccms_app.network.models import ChargePoint
from ocpp_server.ports import (
    ChargerOfflineError,
    CommandCallError,
    CommandPort,
    CommandTimeoutError,
)

log = logging.getLogger(__name__)

_port: CommandPort | None = None


def set_command_port(port: CommandPort | None) -> None:
    """Wire the OCPP server (or, in scale-out mode, a router to the gateways)."""
    global _port
    _port = port


def get_command_port() -> CommandPort | None:
    return _port


class UnknownChargePointError(LookupError):
    pass


@dataclass(frozen=True)
class CommandView:
    id: int
    charge_point_id: int
    action: str
    status: str
    error: str
    request: str
    response: str
    requested_by: str
    created_at: datetime
    updated_at: datetime
    follow_up: str = ""  # what followed an accepted RemoteStartTransaction (rules.remote_start)


def _view(row: ChargePointCommand) -> CommandView:
    return CommandView(
        id=stored_id(row.id),
        charge_point_id=row.charge_point_id,
        action=row.action,
        status=row.status,
        error=row.error,
        request=row.request_payload,
        response=row.response_payload,
        requested_by=row.requested_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _json_default(value: Any) -> Any:
    # The ocpp library parses decimal fields (charging limits) as Decimal; JSON has numbers.
    if isinstance(value, Decimal):
        return float(value)
    return getattr(value, "value", str(value))


def _payload_json(request: Any) -> str:
    """The request as stored with the command, without secrets (a charger password)."""
    data = {k: getattr(v, "value", v) for k, v in dataclasses.asdict(request).items()}
    return json.dumps(
        redact({k: v for k, v in data.items() if v is not None}),
        sort_keys=True,
        default=_json_default,
    )


def _create(
    charge_point_id: int, action: str, request: Any, requested_by: str
) -> tuple[ChargePointCommand, str]:
    with session_scope() as session:
        cp = session.get(ChargePoint, charge_point_id)
        if cp is None:
            raise UnknownChargePointError(
                tr("charge point {charge_point_id} does not exist", charge_point_id=charge_point_id)
            )
        row = ChargePointCommand(
            organisation_id=cp.organisation_id,
            charge_point_id=stored_id(cp.id),
            action=action,
            request_payload=_payload_json(request),
            requested_by=requested_by,
        )
        session.add(row)
        session.flush()
        return row, cp.identity


def _update(
    command_id: int, status: CommandStatus, error: str = "", response: str = ""
) -> ChargePointCommand:
    with session_scope() as session:
        row = existing(session, ChargePointCommand, command_id)
        row.status = status
        row.error = error[:500]
        row.response_payload = redact_text(response) if response else row.response_payload
        row.updated_at = utc_now()
        session.add(row)
        session.flush()
        return row


def _publish(row: ChargePointCommand, identity: str) -> None:
    get_event_bus().publish(
        NetworkEvent(
            kind="command",
            charge_point_id=row.charge_point_id,
            identity=identity,
            data={"command_id": row.id, "action": row.action, "status": row.status},
        )
    )


async def _transition(
    command_id: int, identity: str, status: CommandStatus, error: str = "", response: str = ""
) -> ChargePointCommand:
    row = await asyncio.to_thread(_update, command_id, status, error, response)
    _publish(row, identity)
    return row


async def send_command(
    charge_point_id: int,
    action: str,
    params: dict[str, Any],
    requested_by: str,
    timeout: float | None = None,
) -> CommandView:
    """Validate, record, send and track one command; returns its final state.

    Raises CommandInputError (bad parameters) or UnknownChargePointError before anything is
    recorded; every other outcome is a status on the returned record.
    """
    request = build_request(action, params)
    return await _send_request(charge_point_id, action, request, requested_by, timeout)


async def _send_request(
    charge_point_id: int, action: str, request: Any, requested_by: str, timeout: float | None
) -> CommandView:
    row, identity = await asyncio.to_thread(_create, charge_point_id, action, request, requested_by)
    _publish(row, identity)
    command_id = stored_id(row.id)
    port = _port
    if port is None or not await port.reachable(identity):
        row = await _transition(
            command_id, identity, CommandStatus.OFFLINE, "charge point is not connected"
        )
        return _view(row)
    await _transition(command_id, identity, CommandStatus.SENT)
    row = await _deliver(port, command_id, identity, request, timeout)
    log.info(
        "operator command finished",
        extra={"identity": identity, "action": action, "status": row.status, "by": requested_by},
    )
    return _view(row)


async def _deliver(
    port: CommandPort, command_id: int, identity: str, request: Any, timeout: float | None
) -> ChargePointCommand:
    try:
        reply = await port.send(identity, request, timeout=timeout)
    except ChargerOfflineError:
        return await _transition(
            command_id, identity, CommandStatus.OFFLINE, "charge point disconnected"
        )
    except CommandTimeoutError:
        return await _transition(
            command_id, identity, CommandStatus.TIMED_OUT, "no answer from the charge point"
        )
    except CommandCallError as exc:
        return await _transition(command_id, identity, CommandStatus.FAILED, f"CALLERROR {exc}")
    except Exception as exc:  # a bug or transport failure: recorded, never silently lost
        log.exception("command delivery failed", extra={"identity": identity})
        return await _transition(command_id, identity, CommandStatus.FAILED, repr(exc))
    status, text = reply_status(reply)
    error = "" if status == CommandStatus.ACCEPTED else f"charge point answered {text}"
    return await _transition(command_id, identity, status, error, _payload_json(reply))


async def send_to_many(
    charge_point_ids: list[int],
    action: str,
    params: dict[str, Any],
    requested_by: str,
    timeout: float | None = None,
) -> list[CommandView]:
    """The same command to a selection of charge points, concurrently; one result per charge
    point, in the order given (duplicates once).

    Bad parameters raise CommandInputError before anything is recorded. A charge point that
    does not exist, or whose command breaks, gets a `failed` result (id 0 if nothing was
    recorded) instead of aborting the others.
    """
    request = build_request(action, params)
    unique = list(dict.fromkeys(charge_point_ids))
    return list(
        await asyncio.gather(
            *(_send_one_of_many(cp_id, action, request, requested_by, timeout) for cp_id in unique)
        )
    )


async def _send_one_of_many(
    charge_point_id: int, action: str, request: Any, requested_by: str, timeout: float | None
) -> CommandView:
    try:
        return await _send_request(charge_point_id, action, request, requested_by, timeout)
    except UnknownChargePointError as exc:
        return _unrecorded(charge_point_id, action, requested_by, str(exc))
    except Exception as exc:
        log.exception("bulk command failed", extra={"cp": charge_point_id, "action": action})
        return _unrecorded(charge_point_id, action, requested_by, f"not sent: {exc!r}")


def _unrecorded(charge_point_id: int, action: str, requested_by: str, error: str) -> CommandView:
    now = utc_now()
    return CommandView(
        id=0,
        charge_point_id=charge_point_id,
        action=action,
        status=CommandStatus.FAILED,
        error=error,
        request="",
        response="",
        requested_by=requested_by,
        created_at=now,
        updated_at=now,
    )


def recent_commands(charge_point_id: int, limit: int = 10) -> list[CommandView]:
    with read_session() as session:
        rows = session.exec(
            select(ChargePointCommand)
            .where(ChargePointCommand.charge_point_id == charge_point_id)
            .order_by(col(ChargePointCommand.created_at).desc(), col(ChargePointCommand.id).desc())
            .limit(limit)
        ).all()
        views = [_view(r) for r in rows]
        return [_with_follow_up(session, v) for v in views]


def _with_follow_up(session: Session, view: CommandView) -> CommandView:
    """An accepted remote start says what came of it (started, refused, no car)."""
    if view.action != REMOTE_START or view.status != CommandStatus.ACCEPTED:
        return view
    timeout = session.exec(
        select(ChargePointConfiguration.value).where(
            ChargePointConfiguration.charge_point_id == view.charge_point_id,
            ChargePointConfiguration.key == "ConnectionTimeOut",
        )
    ).first()
    wait = wait_for_plug_in(timeout)
    # Only a transaction begun while the charger waited: the same card charging next day
    # is not this command's outcome.
    started = session.exec(
        select(ChargingSession.id, ChargingSession.id_tag_status)
        .where(
            ChargingSession.charge_point_id == view.charge_point_id,
            ChargingSession.id_tag == _request_field(view.request, "id_tag"),
            col(ChargingSession.start_time) >= view.created_at - CLOCK_SKEW,
            col(ChargingSession.start_time) <= view.created_at + wait + CLOCK_SKEW,
        )
        .order_by(col(ChargingSession.start_time), col(ChargingSession.id))
        .limit(1)
    ).first()
    transaction = FollowingTransaction(stored_id(started[0]), started[1]) if started else None
    message, values = follow_up(view.created_at, utc_now(), transaction, wait)
    return dataclasses.replace(view, follow_up=tr(message, **values))


def _request_field(request: str, name: str) -> str:
    try:
        params = json.loads(request or "{}")
    except ValueError:
        return ""
    return str(params.get(name, "")) if isinstance(params, dict) else ""
