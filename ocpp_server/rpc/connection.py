"""One websocket speaking OCPP-J RPC, CSMS side, for any OCPP version.

What it guarantees (each a decision, see the tests in tests/ocpp_server):
- every frame in and out is handed to `observer.record_frame`, and no single frame can end the
  connection: a frame that cannot be routed gets the CALLERROR ocpp_server.rpc.frames gives it
  (in the version's spelling), an unexpected error is logged and reading goes on;
- a CALL whose text holds a lone surrogate (valid JSON, e.g. "\\ud800", but not Unicode:
  nothing downstream can store it) gets FormationViolation (1.6 spelling);
- an action no route handles gets NotImplemented (unknown) or NotSupported (known) as OCPP-J
  Table 7 says; a payload against the schema gets the schema CALLERROR before the handler
  runs; a handler raising OCPPError answers that error, any other failure InternalError, and
  nothing is half-written: the CALLRESULT is only sent once the handler returned;
- the last RECENT_CALLS answered CALLs are remembered (ocpp_server.recent_calls): a CALL sent
  again after a missed reply gets the same CALLRESULT without being applied twice; the same
  id with another payload is processed as new and reported to `observer.data_issue`;
- our CALLs (`call`) go one at a time (OCPP allows one outstanding CALL per side); each waits
  on its own future (ocpp_server.rpc.pending) with a timeout counted from when it was sent,
  and a closed connection fails every waiting CALL at once with ChargerOfflineError.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any, Protocol

from ocpp.exceptions import OCPPError
from ocpp.messages import Call, CallError, CallResult
from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from ocpp_server.convert import utc_now
from ocpp_server.ports import (
    ChargerOfflineError,
    CommandCallError,
    CommandTimeoutError,
    FrameRecord,
)
from ocpp_server.recent_calls import DUPLICATE_MESSAGE_ID, RecentCalls
from ocpp_server.rpc import codec, frames
from ocpp_server.rpc.frames import UNKNOWN_MESSAGE_ID, FrameError, FrameSummary
from ocpp_server.rpc.pending import PendingCalls
from ocpp_server.rpc.protocol import ProtocolVersion, Routes
from ocpp_server.rpc.schemas import PayloadError, UnknownSchemaError

log = logging.getLogger(__name__)

_NOT_UNICODE = "Payload text is not valid Unicode (an escaped lone surrogate)"


class RpcObserver(Protocol):
    """Where the connection reports what crossed the wire (the app's ChargerEventSink)."""

    def record_frame(self, frame: FrameRecord) -> None: ...

    async def data_issue(self, identity: str, kind: str, detail: str, payload: str) -> None: ...


def _may_hold_surrogates(raw: str | bytes) -> bool:
    """Only a \\u escape in a text frame (or a binary frame, which json decodes with
    surrogatepass) can carry a lone surrogate: websockets checks text frames are UTF-8."""
    return isinstance(raw, bytes) or "\\u" in raw


def _storable(text: str) -> str:
    """`text` with any lone surrogate escaped, so the message log can store it."""
    if text.isascii():  # nearly every id and action: no encode/decode round trip per frame
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


class RpcConnection:
    """The CSMS end of one charge point's websocket: frames in, CALLs routed, our CALLs out.

    Thousands live at once (one per charge point), so instances have slots, and what only our
    own CALLs need (the pending-call table, the one-CALL-at-a-time lock) is made on first use:
    most connections never get a command.
    """

    __slots__ = (
        "_call_lock",
        "_closed",
        "_observer",
        "_pending_calls",
        "_recent",
        "_response_timeout",
        "_routes",
        "_version",
        "_ws",
        "id",
        "remote_address",
    )

    def __init__(
        self,
        identity: str,
        websocket: ServerConnection,
        version: ProtocolVersion,
        routes: Routes,
        observer: RpcObserver,
        response_timeout: float = 30,
        remote_address: str = "",
    ) -> None:
        self.id = identity
        self.remote_address = remote_address
        self._ws = websocket
        self._version = version
        self._routes = routes
        self._observer = observer
        self._response_timeout = response_timeout
        self._pending_calls: PendingCalls | None = None
        self._call_lock: asyncio.Lock | None = None
        self._recent = RecentCalls()
        self._closed = False

    async def run(self) -> str:
        """Route frames until the connection closes; return why it closed."""
        try:
            while True:
                await self.receive(await self._ws.recv())
        except ConnectionClosed as closed:
            return str(closed) or "connection closed"
        finally:
            self._closed = True
            if self._pending_calls is not None:  # a CALL after this fails on `_closed`
                self._pending_calls.fail_all(lambda: ChargerOfflineError(self.id))

    @property
    def _pending(self) -> PendingCalls:
        """Our CALLs waiting for a reply (made on the first CALL)."""
        if self._pending_calls is None:
            self._pending_calls = PendingCalls()
        return self._pending_calls

    # --- frames in --------------------------------------------------------------------

    async def receive(self, raw: str | bytes) -> None:
        """Answer or route one incoming frame; nothing here may end the connection."""
        text = raw if isinstance(raw, str) else raw.decode("utf-8", "replace")
        try:
            try:
                msg = frames.parse_frame(raw)
            except FrameError as error:
                await self._reject_frame(text, error)
                return
            if isinstance(msg, Call):
                self._record("in", text, FrameSummary(2, msg.unique_id, action=msg.action))
                await self._answer_call(msg, _may_hold_surrogates(raw))
            else:
                self._route_reply(msg, text)
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
        code = self._version.spell(error.code)
        log.warning(
            "malformed frame",
            extra=self.log_extra(
                message_id=error.message_id, error_code=code, cause=error.description
            ),
        )
        if error.reply:
            await self._send_call_error(error.message_id, code, error.description, error.action)

    async def _answer_call(self, msg: Call, check_unicode: bool) -> None:
        if check_unicode and not codec.is_unicode([msg.unique_id, msg.action, msg.payload]):
            await self._send_call_error(
                msg.unique_id, frames.FORMAT_VIOLATION, _NOT_UNICODE, msg.action
            )
            return
        if await self._answered_before(msg):
            return
        try:
            await self._dispatch(msg)
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
            codec.dumps([2, msg.unique_id, msg.action, msg.payload]),
        )
        return False

    async def _report_issue(self, kind: str, detail: str, payload: str) -> None:
        """Hand a data issue to the observer, which keeps it for an operator."""
        log.warning("charger data issue", extra=self.log_extra(issue_kind=kind, detail=detail))
        try:
            await self._observer.data_issue(self.id, kind, detail, payload)
        except Exception:
            log.error("sink failed to record a data issue", exc_info=True, extra=self.log_extra())

    async def _dispatch(self, msg: Call) -> None:
        """Run the action's route; PayloadError / OCPPError propagate to `_answer_call`."""
        handler = self._routes.get(msg.action)
        if handler is None:
            code, description = self._version.unhandled(msg.action)
            log.info(
                "CALL for an unhandled action",
                extra=self.log_extra(action=msg.action, error_code=code),
            )
            await self._send_call_error(msg.unique_id, code, description, msg.action)
            return
        schemas = self._version.schemas
        schemas.check_call(msg.action, msg.payload)
        try:
            payload = await handler(self.id, msg.payload)
            schemas.check_call_result(msg.action, payload)
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
        reply = frames.call_result_frame(msg.unique_id, payload)
        self._recent.remember(msg, reply)
        await self._send_frame(reply, FrameSummary(3, msg.unique_id, action=msg.action))

    def _route_reply(self, msg: CallResult | CallError, raw: str) -> None:
        waiting = self._pending_calls
        pending = waiting.get(msg.unique_id) if waiting is not None else None
        is_error = isinstance(msg, CallError)
        summary = FrameSummary(
            4 if is_error else 3,
            msg.unique_id,
            action=pending.action if pending else "",
            error_code=msg.error_code if isinstance(msg, CallError) else "",
        )
        self._record("in", raw, summary)
        if waiting is None or not waiting.resolve(msg.unique_id, msg):
            log.warning(
                "reply matches no pending CALL; ignored",
                extra=self.log_extra(message_id=msg.unique_id),
            )

    # --- frames out -------------------------------------------------------------------

    async def _send_frame(self, raw: str, summary: FrameSummary) -> None:
        self._record("out", raw, summary)
        await self._ws.send(raw)

    async def _send_call_error(
        self,
        message_id: str,
        code: str,
        description: str,
        action: str = "",
        details: dict[str, Any] | None = None,
    ) -> None:
        code = self._version.spell(code)
        raw = frames.call_error_frame(message_id, code, description, details)
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
            at=utc_now(),
        )
        try:
            self._observer.record_frame(frame)
        except Exception:
            log.error("sink failed to record a frame", exc_info=True, extra=self.log_extra())

    # --- our CALLs ----------------------------------------------------------------------

    async def call(
        self, action: str, payload: dict[str, Any], timeout: float | None = None
    ) -> dict[str, Any]:
        """Send a CALL and return the charge point's CALLRESULT payload (schema-checked).

        Raises ValueError (our payload breaks the schema: nothing is sent), ChargerOfflineError,
        CommandTimeoutError (counted from when the CALL is sent: CALLs queue one at a time) or
        CommandCallError (the charge point's CALLERROR, or a reply against the schema).
        """
        if self._closed:
            raise ChargerOfflineError(self.id)
        try:
            self._version.schemas.check_call(action, payload)
        except (PayloadError, UnknownSchemaError) as exc:
            raise ValueError(f"invalid {action} request: {exc}") from None
        unique_id = str(uuid.uuid4())
        pending = self._pending.register(unique_id, action, timeout or self._response_timeout)
        if self._call_lock is None:
            self._call_lock = asyncio.Lock()
        try:
            async with self._call_lock:
                if not pending.reply.done():
                    raw = frames.call_frame(unique_id, action, payload)
                    await self._send_frame(raw, FrameSummary(2, unique_id, action=action))
                reply = await asyncio.wait_for(asyncio.shield(pending.reply), pending.timeout)
        except TimeoutError:
            raise CommandTimeoutError(
                f"{self.id} did not answer {action} within {pending.timeout}s"
            ) from None
        except ConnectionClosed:
            raise ChargerOfflineError(self.id) from None
        finally:
            self._pending.forget(unique_id)
        return self._reply_payload(action, reply)

    def _reply_payload(self, action: str, reply: CallResult | CallError) -> dict[str, Any]:
        if isinstance(reply, CallError):
            raise CommandCallError(reply.error_code, reply.error_description, reply.error_details)
        try:
            return self._version.schemas.check_call_result(action, reply.payload)
        except PayloadError as exc:
            raise CommandCallError(
                self._version.spell(exc.code), f"invalid reply from charge point: {exc}"
            ) from None

    # --- helpers ----------------------------------------------------------------------

    def log_extra(self, **fields: Any) -> dict[str, Any]:
        return {"identity": self.id, "remote": self.remote_address, **fields}
