"""Background work that keeps to a share of the process's time.

A job that re-reads the whole network (the live costs of every running session) grows with
the network; on one event loop and one GIL, a refresh that takes seconds delays every OCPP
reply and live push queued behind it. Paced, the job works a slice, then rests long enough
that its work is at most `share` of the time: it takes longer when the network is big, and
the chargers do not notice it.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class DutyCycle:
    """Call `rest()` between units of work (in a worker thread: it sleeps). Once the work since
    the last rest reaches `slice_s`, it sleeps so that work is `share` of the time; before
    that it only lets other threads have the GIL."""

    def __init__(
        self,
        share: float,
        slice_s: float = 0.05,
        clock: Callable[[], float] = time.perf_counter,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not 0 < share <= 1:
            raise ValueError(f"share must be in (0, 1], got {share}")
        self._share = share
        self._slice = slice_s
        self._clock = clock
        self._sleep = sleep
        self._began = clock()
        self.worked = 0.0  # seconds of work so far (rests excluded)
        self.rested = 0.0

    def rest(self) -> None:
        worked = self._clock() - self._began
        if worked < self._slice:
            self._sleep(0)  # a pause for the GIL: the event loop serves chargers meanwhile
            return
        pause = worked * (1 / self._share - 1)
        self.worked += worked
        self.rested += pause
        self._sleep(pause)
        self._began = self._clock()

    def done(self) -> float:
        """Seconds of work in all (the last slice included)."""
        self.worked += self._clock() - self._began
        self._began = self._clock()
        return self.worked
