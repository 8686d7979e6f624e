"""One charge point's OCPP 1.6J connection, CSMS side.

A subclass of the ocpp library's `ocpp.v16.ChargePoint`; the `@on(Action.X)` handlers of the
charge-point-initiated actions are in ocpp_server.charger_calls, the answered-CALL memory in
ocpp_server.recent_calls and our waiting CALLs in ocpp_server.pending_calls.

What is overridden from the library (ocpp 2.1.0) and why:
- `start` / `route_message`: the library logs a frame it cannot parse and answers nothing; here
  every bad CALL gets a CALLERROR in OCPP 1.6 spelling (see ocpp_server.framing), every frame is
  handed to `sink.record_frame`, and no single frame can end the connection.
- `_handle_call`: the library swaps NotImplemented / NotSupported relative to the 1.6 spec
  (NotImplemented = action not known, NotSupported = known but not handled here), uses 2.0.1
  spellings for schema errors, and validates in a thread pool; here validation runs inline
  with the 1.6 mapping, and a failing sink gives InternalError without any partial data.
- `_send`: frames the library sends itself (our CALLs from `call()`) are logged and tracked.
- `_answer_call`: a CALL whose text holds a lone surrogate (valid JSON, e.g. "\\ud800", but
  not Unicode: nothing downstream can store it) gets FormationViolation.
- `_answer_call` / `_handle_call`: the last RECENT_CALLS answered CALLs are remembered per
  connection (unique id, a fingerprint of action + payload, our CALLRESULT). A charger that
  missed our reply and sends the same CALL again gets the same CALLRESULT without the CALL
  being applied twice; the same id with another payload is processed as new and reported to
  the sink as a data issue (docs/data-policy.md, "Duplicate message ids").
- `_get_specific_response`: replies are matched to the waiting CALL through a future per
  unique id instead of one shared queue, so a stray or late reply never confuses the next
  command, and a closed connection fails the waiting command at once (charge point offline)
  instead of after its timeout.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from ocpp.charge_point import (
    camel_to_snake_case,
    remove_nones,
    serialize_as_dict,
    snake_to_camel_case,
)
from ocpp.exceptions import OCPPError, UnknownCallErrorCodeError
from ocpp.messages import Call, CallError, CallResult, MessageType
from ocpp.v16 import ChargePoint
from ocpp.v16.enums import Action
from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from ocpp_server import convert
from ocpp_server.charger_calls import ChargerCallHandlers
from ocpp_server.framing import (
    UNKNOWN_MESSAGE_ID,
    FrameError,
    FrameSummary,
    PayloadError,
    call_error_frame,
    parse_frame,
    summarize,
    v16_error_code,
    validate_call_payload,
    validate_call_result_payload,
)
from ocpp_server.pending_calls import PendingCall
from ocpp_server.ports import (
    ChargerEventSink,
    ChargerOfflineError,
    CommandTimeoutError,
    ConnectionInfo,
    FrameRecord,
)
from ocpp_server.recent_calls import DUPLICATE_MESSAGE_ID, RecentCalls

log = logging.getLogger(__name__)

_V16_ACTIONS = frozenset(action.value for action in Action)


def _may_hold_surrogates(raw_msg: str | bytes) -> bool:
    """Only a \\u escape in a text frame (or a binary frame, which json decodes with
    surrogatepass) can carry a lone surrogate: websockets checks text frames are UTF-8."""
    return isinstance(raw_msg, bytes) or "\\u" in raw_msg


def _is_unicode(msg: Call) -> bool:
    """False when the CALL holds a lone surrogate (e.g. "\\ud800"): valid JSON, but no UTF-8
    text, so no database column, can hold it."""
    try:
        json.dumps([msg.unique_id, msg.action, msg.payload], ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return False
    return True


def _storable(text: str) -> str:
    """`text` with any lone surrogate escaped, so the message log can store it."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _unhandled_action(action: str) -> tuple[str, str]:
    """OCPP-J 1.6 section 4.2.3: NotImplemented = not known, NotSupported = known, not handled."""
    if action in _V16_ACTIONS:
        return "NotSupported", f"{action} is not supported by this central system"
    return "NotImplemented", f"{action} is not a known OCPP 1.6 action"


class ChargePointConnection(ChargerCallHandlers, ChargePoint):
    """The CSMS end of one charge point's websocket."""

    def __init__(
        self,
        identity: str,
        websocket: ServerConnection,
        sink: ChargerEventSink,
        response_timeout: float = 30,
        remote_address: str = "",
    ) -> None:
        super().__init__(identity, websocket, response_timeout=response_timeout, logger=log)
        self._ws = websocket
        self._sink = sink
        self.remote_address = remote_address
        self._pending: dict[str, PendingCall] = {}
        self._closed = False
        self._lifecycle = asyncio.Lock()
        self._announced = False
        self._reported = False
        self._retired = False
        self._recent = RecentCalls()

    # --- lifecycle --------------------------------------------------------------------

    @property
    def info(self) -> ConnectionInfo:
        request = self._ws.request
        return ConnectionInfo(
            identity=self.id,
            remote_address=self.remote_address,
            subprotocol=self._ws.subprotocol or "",
            extra={"path": request.path if request else ""},
        )

    @property
    def announced(self) -> bool:
        return self._announced

    async def close(self, code: int, reason: str) -> None:
        await self._ws.close(code, reason)

    @property
    def is_open(self) -> bool:
        return not self._closed and not self._retired

    async def announce(self) -> bool:
        """Tell the sink the charge point is connected; False if it was replaced meanwhile."""
        async with self._lifecycle:
            if self._retired:
                return False
            self._announced = True
            await self._sink.connected(self.info)
            return True

    async def report_disconnected(self, reason: str) -> None:
        """Tell the sink the charge point is gone: exactly once, and only after `announce`."""
        self._retired = True
        async with self._lifecycle:
            if not self._announced or self._reported:
                return
            self._reported = True
            try:
                await self._sink.disconnected(self.id, reason)
            except Exception:
                log.error(
                    "sink failed to record a disconnect",
                    exc_info=True,
                    extra={"identity": self.id, "reason": reason},
                )

    async def retire(self, reason: str) -> asyncio.Task[None]:
        """Report this connection gone now and close its websocket in the background.

        Used when the same identity connects again: the old socket is often half-dead (that is
        why the charger reconnected), and its closing handshake must not delay the new one.
        """
        self._retired = True
        closing = asyncio.create_task(self._ws.close(1000, reason[:120]))
        await self.report_disconnected(reason)
        return closing

    async def run(self) -> str:
        """Route frames until the connection closes; return why it closed."""
        try:
            await self.start()
        except ConnectionClosed as closed:
            return str(closed) or "connection closed"
        finally:
            self._closed = True
            self._fail_pending()
        return "connection closed"  # pragma: no cover - start() only ends by ConnectionClosed

    async def start(self) -> None:
        while True:
            await self.route_message(await self._connection.recv())

    def _fail_pending(self) -> None:
        for pending in self._pending.values():
            if not pending.reply.done():
                pending.reply.set_exception(ChargerOfflineError(self.id))

    # --- frames in --------------------------------------------------------------------

    async def route_message(self, raw_msg: str | bytes) -> None:
        """Answer or route one incoming frame; nothing here may end the connection."""
        raw = raw_msg if isinstance(raw_msg, str) else raw_msg.decode("utf-8", "replace")
        try:
            try:
                msg = parse_frame(raw_msg)
            except FrameError as error:
                await self._reject_frame(raw, error)
                return
            if isinstance(msg, Call):
                self._record("in", raw, FrameSummary(2, msg.unique_id, action=msg.action))
                await self._answer_call(msg, _may_hold_surrogates(raw_msg))
            else:
                self._route_reply(msg, raw)
        except asyncio.CancelledError:
            raise
        except ConnectionClosed:
            # Our reply could not be sent; frames the charge point sent before closing may still
            # be buffered (e.g. the reply to a command), so reading goes on until recv() fails.
            log.debug("reply not sent: connection closed", extra=self.log_extra())
        except Exception:
            log.error("unexpected error routing a frame", exc_info=True, extra=self.log_extra())

    async def _reject_frame(self, raw: str, error: FrameError) -> None:
        known_id = "" if error.message_id == UNKNOWN_MESSAGE_ID else error.message_id
        self._record("in", raw, FrameSummary(error.message_type, known_id, action=error.action))
        log.warning(
            "malformed frame",
            extra=self.log_extra(
                message_id=error.message_id, error_code=error.code, cause=error.description
            ),
        )
        if error.reply:
            await self._send_call_error(
                error.message_id, error.code, error.description, error.action
            )

    async def _answer_call(self, msg: Call, check_unicode: bool = False) -> None:
        if check_unicode and not _is_unicode(msg):
            await self._send_call_error(
                msg.unique_id,
                "FormationViolation",
                "Payload text is not valid Unicode (an escaped lone surrogate)",
                msg.action,
            )
            return
        if await self._answered_before(msg):
            return
        try:
            await self._handle_call(msg)
        except PayloadError as error:
            log.warning(
                "CALL payload violates the schema",
                extra=self.log_extra(
                    action=msg.action, message_id=msg.unique_id, error_code=error.code
                ),
            )
            details = {"path": error.path} if error.path else {}
            await self._send_call_error(
                msg.unique_id, error.code, error.description, msg.action, details
            )
        except OCPPError as error:
            await self._send_call_error(msg.unique_id, error.code, error.description, msg.action)

    async def _answered_before(self, msg: Call) -> bool:
        """True when `msg` repeats a CALL already answered (its reply has been sent again)."""
        if not self._recent.seen(msg.unique_id):
            return False
        reply = self._recent.repeated_reply(msg)
        if reply is not None:
            log.info(
                "CALL received again; answered as before, not applied twice",
                extra=self.log_extra(action=msg.action, message_id=msg.unique_id),
            )
            await self._send_frame(reply, FrameSummary(3, msg.unique_id, action=msg.action))
            return True
        await self._report_issue(
            DUPLICATE_MESSAGE_ID,
            f"message id {msg.unique_id!r} reused for a different {msg.action} CALL; "
            "processed as a new CALL",
            json.dumps([2, msg.unique_id, msg.action, msg.payload]),
        )
        return False

    async def _report_issue(self, kind: str, detail: str, payload: str) -> None:
        """Hand a data issue to the sink, which keeps it for an operator."""
        log.warning("charger data issue", extra=self.log_extra(issue_kind=kind, detail=detail))
        try:
            await self._sink.data_issue(self.id, kind, detail, payload)
        except Exception:
            log.error("sink failed to record a data issue", exc_info=True, extra=self.log_extra())

    async def _handle_call(self, msg: Call) -> None:
        handlers = self.route_map.get(msg.action, {})
        handler = handlers.get("_on_action")
        if handler is None:
            code, description = _unhandled_action(msg.action)
            log.info(
                "CALL for an unhandled action",
                extra=self.log_extra(action=msg.action, error_code=code),
            )
            await self._send_call_error(msg.unique_id, code, description, msg.action)
            return
        validate = not handlers.get("_skip_schema_validation", False)
        if validate:
            validate_call_payload(msg.action, msg.payload)
        try:
            result = await handler(**camel_to_snake_case(msg.payload))
            payload = snake_to_camel_case(remove_nones(serialize_as_dict(result)))
            if validate:
                validate_call_result_payload(msg.action, payload)
        except OCPPError:
            raise
        except Exception:
            log.error(
                "CALL handler failed",
                exc_info=True,
                extra=self.log_extra(action=msg.action, message_id=msg.unique_id),
            )
            await self._send_call_error(
                msg.unique_id, "InternalError", "The central system could not process the CALL"
            )
            return
        reply = msg.create_call_result(payload).to_json()
        self._recent.remember(msg, reply)
        await self._send_frame(reply, FrameSummary(3, msg.unique_id, action=msg.action))

    def _route_reply(self, msg: CallResult | CallError, raw: str) -> None:
        pending = self._pending.get(msg.unique_id)
        is_error = isinstance(msg, CallError)
        summary = FrameSummary(
            4 if is_error else 3,
            msg.unique_id,
            action=pending.action if pending else "",
            error_code=msg.error_code if isinstance(msg, CallError) else "",
        )
        self._record("in", raw, summary)
        if pending is None or pending.reply.done():
            log.warning(
                "reply matches no pending CALL; ignored",
                extra=self.log_extra(message_id=msg.unique_id),
            )
            return
        pending.reply.set_result(msg)

    # --- frames out -------------------------------------------------------------------

    async def _send(self, message: str) -> None:
        """Frames the library sends itself (the CALLs of `call()`)."""
        summary = summarize(message)
        if summary.message_type == MessageType.Call:
            pending = self._pending.get(summary.message_id)
            if pending is None:
                pending = self._register(summary.message_id, summary.action, None)
            pending.sent = True
            summary = FrameSummary(2, summary.message_id, action=summary.action)
        await self._send_frame(message, summary)

    async def _send_frame(self, raw: str, summary: FrameSummary) -> None:
        self._record("out", raw, summary)
        await self._connection.send(raw)

    async def _send_call_error(
        self,
        message_id: str,
        code: str,
        description: str,
        action: str = "",
        details: dict[str, Any] | None = None,
    ) -> None:
        code = v16_error_code(code)
        raw = call_error_frame(message_id, code, description, details)
        await self._send_frame(raw, FrameSummary(4, message_id, action=action, error_code=code))

    def _record(self, direction: str, raw: str, summary: FrameSummary) -> None:
        frame = FrameRecord(
            identity=self.id,
            direction=direction,
            raw=raw,
            message_type=summary.message_type,
            message_id=_storable(summary.message_id),
            action=_storable(summary.action),
            error_code=summary.error_code,
            at=convert.utc_now(),
        )
        try:
            self._sink.record_frame(frame)
        except Exception:
            log.error("sink failed to record a frame", exc_info=True, extra=self.log_extra())

    # --- CSMS -> charge point ---------------------------------------------------------

    async def send_command(self, request: Any, timeout: float | None = None) -> Any:
        """Send a v16 `call.*` request and return the `call_result.*` reply (see CommandPort).

        The timeout counts from when the CALL is sent; commands queue behind each other on the
        library's call lock (one outstanding CALL per charge point, as OCPP requires).
        """
        if not self.is_open:
            raise ChargerOfflineError(self.id)
        unique_id = str(self._unique_id_generator())
        pending = self._register(unique_id, type(request).__name__, timeout)
        try:
            return await self.call(request, suppress=False, unique_id=unique_id)
        except TimeoutError:
            raise CommandTimeoutError(
                f"{self.id} did not answer {pending.action} within {pending.timeout}s"
            ) from None
        except ConnectionClosed:
            raise ChargerOfflineError(self.id) from None
        except (OCPPError, UnknownCallErrorCodeError) as exc:
            raise pending.command_error(exc) from None
        finally:
            self._pending.pop(unique_id, None)
            if pending.reply.done() and not pending.reply.cancelled():
                pending.reply.exception()  # mark retrieved: no "never retrieved" warning

    def _register(self, unique_id: str, action: str, timeout: float | None) -> PendingCall:
        pending = PendingCall(action=action, timeout=timeout or self._response_timeout)
        if self._closed:
            pending.reply.set_exception(ChargerOfflineError(self.id))
        self._pending[unique_id] = pending
        return pending

    async def _get_specific_response(
        self, unique_id: str, timeout: float
    ) -> CallResult | CallError:
        pending = self._pending.get(unique_id) or self._register(unique_id, "", timeout)
        try:
            return await asyncio.wait_for(asyncio.shield(pending.reply), pending.timeout)
        finally:
            self._pending.pop(unique_id, None)

    # --- helpers ----------------------------------------------------------------------

    def log_extra(self, **fields: Any) -> dict[str, Any]:
        return {"identity": self.id, "remote": self.remote_address, **fields}
