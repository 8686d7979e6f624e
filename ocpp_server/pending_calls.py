"""Our CALLs waiting for the charge point's reply: one future per unique id, so a stray or
late reply never confuses the next command, and a closed connection fails them at once."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from ocpp.messages import CallError, CallResult

from ocpp_server.framing import v16_error_code
from ocpp_server.ports import CommandCallError


def _new_future() -> asyncio.Future[CallResult | CallError]:
    return asyncio.get_running_loop().create_future()


@dataclass
class PendingCall:
    """A CSMS CALL waiting for the charge point's CALLRESULT or CALLERROR."""

    action: str
    timeout: float
    reply: asyncio.Future[CallResult | CallError] = field(default_factory=_new_future)
    sent: bool = False

    def received(self) -> CallResult | CallError | None:
        if self.reply.done() and not self.reply.cancelled() and self.reply.exception() is None:
            return self.reply.result()
        return None

    def command_error(self, exc: Exception) -> Exception:
        """What the command's caller gets when the library raised `exc` for this CALL: the
        charger's CALLERROR, our own invalid request, or the charger's invalid reply."""
        reply = self.received()
        if isinstance(reply, CallError):
            return CommandCallError(reply.error_code, reply.error_description, reply.error_details)
        if not self.sent:
            return ValueError(f"invalid {self.action} request: {exc}")
        code = v16_error_code(getattr(exc, "code", "GenericError"))
        description = getattr(exc, "description", str(exc))
        return CommandCallError(code, f"invalid reply from charge point: {description}")
