"""Our CALLs waiting for the charge point's reply: one future per unique id, so a stray or
late reply never confuses the next command, and a closed connection fails them at once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeAlias

from ocpp.messages import CallError, CallResult

Reply: TypeAlias = CallResult | CallError


def _new_future() -> asyncio.Future[Reply]:
    return asyncio.get_running_loop().create_future()


@dataclass
class PendingCall:
    """A CSMS CALL waiting for the charge point's CALLRESULT or CALLERROR."""

    action: str
    timeout: float
    reply: asyncio.Future[Reply] = field(default_factory=_new_future)


class PendingCalls:
    """The CALLs of one connection that wait for a reply, by unique id."""

    def __init__(self) -> None:
        self._waiting: dict[str, PendingCall] = {}
        self._failure: Callable[[], Exception] | None = None

    def register(self, unique_id: str, action: str, timeout: float) -> PendingCall:
        """Track a CALL about to be sent; after `fail_all` it fails at once."""
        pending = PendingCall(action=action, timeout=timeout)
        if self._failure is not None:
            pending.reply.set_exception(self._failure())
        self._waiting[unique_id] = pending
        return pending

    def get(self, unique_id: str) -> PendingCall | None:
        return self._waiting.get(unique_id)

    def forget(self, unique_id: str) -> None:
        pending = self._waiting.pop(unique_id, None)
        if pending is not None and pending.reply.done() and not pending.reply.cancelled():
            pending.reply.exception()  # mark retrieved: no "never retrieved" warning

    def resolve(self, unique_id: str, reply: Reply) -> bool:
        """Hand `reply` to the CALL it answers; False when no CALL waits for it."""
        pending = self._waiting.get(unique_id)
        if pending is None or pending.reply.done():
            return False
        pending.reply.set_result(reply)
        return True

    def fail_all(self, failure: Callable[[], Exception]) -> None:
        """The connection closed: every waiting CALL, and every later one, fails with
        `failure()` (e.g. ChargerOfflineError)."""
        self._failure = failure
        for pending in self._waiting.values():
            if not pending.reply.done():
                pending.reply.set_exception(failure())
