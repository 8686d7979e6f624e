"""The state one simulated connector keeps: status, availability, meter register, session."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import datetime

from ocpp_server.simulator.charging_curve import EvProfile, advance

# Statuses in which a connector can take a new session (OCPP 1.6 ChargePointStatus).
FREE_STATUSES = frozenset({"Available", "Preparing"})


@dataclass
class Session:
    """A running transaction and the car behind it."""

    transaction_id: int
    id_tag: str
    ev: EvProfile
    power_limit_w: float
    meter_start_wh: int
    started_at: datetime
    soc: float
    power_w: float = 0.0
    last_update: float = field(default_factory=time.monotonic)
    stop_requested: asyncio.Event = field(default_factory=asyncio.Event)
    meter_task: asyncio.Task[None] | None = None

    @property
    def full(self) -> bool:
        return self.soc >= 100.0


@dataclass
class ReservationHold:
    """A ReserveNow the connector accepted: only `id_tag` may start here until `expiry`."""

    reservation_id: int
    id_tag: str
    expiry: datetime
    parent_id_tag: str | None = None
    timer: asyncio.Task[None] | None = None

    def matches(self, id_tag: str) -> bool:
        return id_tag.lower() == self.id_tag.lower()  # OCPP id tokens are case-insensitive

    def release(self) -> None:
        """Stop the expiry timer (the reservation was used, cancelled or replaced)."""
        if self.timer is not None and self.timer is not asyncio.current_task():
            self.timer.cancel()


@dataclass
class ConnectorState:
    """One outlet. The energy register persists across sessions, like a real meter."""

    connector_id: int
    register_wh: float = 0.0
    status: str = "Available"
    error_code: str = "NoError"
    vendor_error_code: str = ""
    operative: bool = True
    inoperative_scheduled: bool = False
    claimed: bool = False  # a start is in progress (plug-in or RemoteStart accepted)
    session: Session | None = None
    reservation: ReservationHold | None = None
    last_meter_values: list[dict[str, str]] = field(default_factory=list)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def is_free(self) -> bool:
        """Can a new session start here right now?"""
        return (
            self.operative
            and not self.claimed
            and self.session is None
            and self.status in FREE_STATUSES
        )

    def accepts(self, id_tag: str) -> bool:
        """Can `id_tag` start a session here now (free, or reserved for this id tag)?"""
        if self.reservation is None:
            return self.is_free
        return (
            self.reservation.matches(id_tag)
            and self.operative
            and not self.claimed
            and self.session is None
            and self.status in (*FREE_STATUSES, "Reserved")
        )

    def take_reservation(self, id_tag: str) -> int | None:
        """The reservation id a session for `id_tag` starting here uses up, if any."""
        hold = self.reservation
        if hold is None or not hold.matches(id_tag):
            return None
        hold.release()
        self.reservation = None
        return hold.reservation_id

    @property
    def idle_status(self) -> str:
        """The status to fall back to when nothing is plugged in."""
        if self.error_code != "NoError" or self.status == "Faulted":
            return "Faulted"
        if not self.operative:
            return "Unavailable"
        return "Reserved" if self.reservation is not None else "Available"

    def charge_until_now(self) -> None:
        """Advance the running session's battery and this meter's register to now."""
        session = self.session
        if session is None:
            return
        now = time.monotonic()
        step = advance(
            session.soc, session.ev.capacity_wh, session.power_limit_w, now - session.last_update
        )
        session.last_update = now
        session.soc = step.soc
        session.power_w = step.power_w
        self.register_wh += step.energy_wh
