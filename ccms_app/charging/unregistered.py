"""What a charge point CCMS has not registered may cost: messages per second, bytes logged.

Anyone can open a websocket with a new identity, and with the unknown-identity policy
"pending" CCMS keeps it for an operator to register. Until then (and for a registered one
that is disabled or unregistered again) its traffic is bounded, so one stranger cannot fill
the database or the writer: measured before this existed, one Pending identity sent 300 x 1 MB
DataTransfer frames and grew the message log by 300 MB in 4 s.

- Messages: a token bucket per identity (`rate` per second, `burst` at once). A CALL over the
  limit is answered with a CALLERROR and not applied (`allow_call`, by the sink).
- Frames logged: a second bucket, twice as large (a CALL and its reply), for every frame in
  and out; frames beyond it are not logged at all (`loggable`).
- Bytes: each logged frame of such an identity keeps at most `max_logged_bytes` characters,
  with a note of how much was cut.
Whether an identity is limited is learnt when it connects (the charge point's stored state:
an unknown identity is limited from its first message) and from every BootNotification answer
(Accepted lifts the limit, Pending or Rejected sets it).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable

from ocpp_server.ports import FrameRecord

log = logging.getLogger(__name__)

RATE_PER_SECOND = 2.0
BURST = 20
MAX_LOGGED_BYTES = 4096


@dataclasses.dataclass
class _Bucket:
    tokens: float
    at: float
    refused: int = 0  # CALLs refused since the last warning


class UnregisteredLimits:
    def __init__(
        self,
        rate: float = RATE_PER_SECOND,
        burst: int = BURST,
        max_logged_bytes: int = MAX_LOGGED_BYTES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._rate = rate
        self._burst = burst
        self._max_bytes = max_logged_bytes
        self._clock = clock
        self._limited: set[str] = set()
        self._buckets: dict[str, _Bucket] = {}  # CALLs applied
        self._log_buckets: dict[str, _Bucket] = {}  # frames logged

    def set_registered(self, identity: str, registered: bool) -> None:
        if registered:
            self._limited.discard(identity)
            self._buckets.pop(identity, None)
            self._log_buckets.pop(identity, None)
        else:
            self._limited.add(identity)

    def forget(self, identity: str) -> None:
        """The charge point disconnected: nothing is kept for it."""
        self._limited.discard(identity)
        self._buckets.pop(identity, None)
        self._log_buckets.pop(identity, None)

    def _take(self, buckets: dict[str, _Bucket], identity: str, scale: int) -> _Bucket | None:
        """One token of `identity`'s bucket (rate and burst times `scale`); None if empty."""
        now = self._clock()
        burst = self._burst * scale
        bucket = buckets.get(identity)
        if bucket is None:
            bucket = buckets[identity] = _Bucket(float(burst), now)
        bucket.tokens = min(burst, bucket.tokens + (now - bucket.at) * self._rate * scale)
        bucket.at = now
        if bucket.tokens < 1:
            return None
        bucket.tokens -= 1
        return bucket

    def allow_call(self, identity: str) -> bool:
        """Whether a CALL from `identity` may be applied now (always, once registered)."""
        if identity not in self._limited:
            return True
        if self._take(self._buckets, identity, 1) is not None:
            return True
        bucket = self._buckets[identity]
        bucket.refused += 1
        if bucket.refused == 1 or bucket.refused % 1000 == 0:
            log.warning(
                "unregistered charge point over its message rate",
                extra={"identity": identity, "refused": bucket.refused},
            )
        return False

    def loggable(self, frame: FrameRecord) -> FrameRecord | None:
        """The frame as the message log keeps it: unchanged for a registered charge point;
        for another, None beyond its frame rate, else cut to the byte limit."""
        if frame.identity not in self._limited:
            return frame
        if self._take(self._log_buckets, frame.identity, 2) is None:
            return None
        if len(frame.raw) <= self._max_bytes:
            return frame
        cut = len(frame.raw) - self._max_bytes
        note = f"...[{cut} more characters not kept: unregistered charge point]"
        return dataclasses.replace(frame, raw=frame.raw[: self._max_bytes] + note)
