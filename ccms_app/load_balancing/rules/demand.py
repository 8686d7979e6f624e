"""What a car takes: a car whose on-board charger is smaller than the connector draws less
than it is given; the current it leaves unused goes to the others.

The measurement must be one taken after the car had its limit for `SETTLE_S` (a car ramps
up, a profile takes a moment to apply): judging earlier would take current from a car that
is about to use it. What is learnt is kept for `FORGET_AFTER_S` and then forgotten, so a car
that drew less for a while (pre-conditioning, a cold battery) gets its full share back:
without the memory a capped car near its own maximum would look "full" every other
recomputation and flap between its maximum and its draw.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

SETTLE_S = 20
FORGET_AFTER_S = 15 * 60
UNUSED_DA = 20  # drawing 2 A less than given: the car, not the limit, decides
HEADROOM_DA = 10  # what a learnt demand keeps above the draw (1 A)


@dataclass(frozen=True)
class Demand:
    current_da: int | None  # None: no learnt demand (the connector's maximum)
    learnt_at: datetime | None


def car_demand(
    previous: Demand,
    sent_da: int | None,
    sent_at: datetime | None,
    measured_da: int | None,
    measured_at: datetime | None,
    min_da: int,
    now: datetime,
) -> Demand:
    """The demand to use now, given the last one and the newest measurement."""
    settled = (
        sent_da is not None
        and sent_at is not None
        and measured_da is not None
        and measured_at is not None
        and measured_at >= sent_at + timedelta(seconds=SETTLE_S)
    )
    unused = (
        settled
        and measured_da is not None
        and sent_da is not None
        and measured_da < sent_da - UNUSED_DA
    )
    if unused and measured_da is not None:
        learnt = max(min_da, measured_da + HEADROOM_DA)
        if previous.current_da is None or learnt < previous.current_da:
            return Demand(learnt, now)
        return previous
    if previous.learnt_at is not None and now - previous.learnt_at >= timedelta(
        seconds=FORGET_AFTER_S
    ):
        return Demand(None, None)
    return previous
