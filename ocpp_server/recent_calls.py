"""The CALLs a connection answered lately, so a CALL the charger sends again is not applied twice.

A charger that missed our CALLRESULT sends the same CALL again (same unique id, same action and
payload): it gets the same CALLRESULT without the CALL being applied twice. The same id with
another payload is a new CALL (and a data issue, docs/data-policy.md "Duplicate message ids").
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from ocpp.messages import Call

from ocpp_server.rpc import codec

RECENT_CALLS = 50  # answered CALLs remembered per connection to recognise a resent CALL
MAX_REMEMBERED_ID = 64
DUPLICATE_MESSAGE_ID = "duplicate_message_id"  # data issue kind (ccms_app.charging.data_issues)


@dataclass(frozen=True)
class _Answered:
    """A CALL we answered with a CALLRESULT, to recognise it when the charger resends it."""

    fingerprint: int
    reply: str


def _fingerprint(msg: Call) -> int:
    """Equal for the same action and payload, whatever the key order or spacing."""
    return hash((msg.action, codec.canonical(msg.payload)))


class RecentCalls:
    """The last RECENT_CALLS answered CALLs of one connection: unique id -> our CALLRESULT."""

    def __init__(self, size: int = RECENT_CALLS) -> None:
        self._size = size
        self._answered: OrderedDict[str, _Answered] = OrderedDict()

    def seen(self, unique_id: str) -> bool:
        return unique_id in self._answered

    def repeated_reply(self, msg: Call) -> str | None:
        """Our CALLRESULT when `msg` repeats an answered CALL; None when its id was used for
        another CALL (the old one is then forgotten: `msg` is processed as new)."""
        previous = self._answered.get(msg.unique_id)
        if previous is None:
            return None
        if previous.fingerprint != _fingerprint(msg):
            del self._answered[msg.unique_id]
            return None
        self._answered.move_to_end(msg.unique_id)
        return previous.reply

    def remember(self, msg: Call, reply: str) -> None:
        if len(msg.unique_id) > MAX_REMEMBERED_ID:
            return  # OCPP-J ids are at most 36 characters; huge ones are not worth memory
        self._answered[msg.unique_id] = _Answered(_fingerprint(msg), reply)
        self._answered.move_to_end(msg.unique_id)
        while len(self._answered) > self._size:
            self._answered.popitem(last=False)
