"""Reserving in the driver app (pure): how long, how many at once, how outcomes read.

The charging module sets no limit on a reservation's length (an operator may reserve for
any time); the app offers a few short holds so a connector is not kept from others for
long, and one open reservation per driver. Statuses are `charging.models.Reservation`'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ccms_app.core.i18n import N_

DURATIONS = (15, 30, 60)  # minutes the app offers
DEFAULT_MINUTES = 30
MAX_OPEN = 1  # open reservations (requested or accepted) per driver
LISTED = 50  # reservations the list shows, newest first
OPEN = ("requested", "accepted")


@dataclass(frozen=True)
class Worded:
    text: str  # a message id
    tone: str  # green, amber, red, gray, blue


# What the charge point's answer to ReserveNow means for the driver.
OUTCOMES: dict[str, Worded] = {
    "accepted": Worded(N_("Reserved: the connector is held for you until {until}."), "green"),
    "occupied": Worded(N_("The connector is in use right now: nothing was reserved."), "amber"),
    "rejected": Worded(N_("The charger refused the reservation: nothing was reserved."), "red"),
    "faulted": Worded(N_("The connector has a fault: nothing was reserved."), "red"),
    "unavailable": Worded(N_("The connector is out of service: nothing was reserved."), "red"),
    "offline": Worded(N_("The charger is offline: nothing was reserved."), "red"),
    "timed_out": Worded(N_("The charger did not answer: nothing was reserved."), "red"),
    "failed": Worded(N_("The reservation could not be sent: nothing was reserved."), "red"),
}
UNKNOWN_OUTCOME = Worded(N_("The charger's answer is unknown: nothing was reserved."), "red")

STATUSES: dict[str, Worded] = {
    "requested": Worded(N_("Waiting for the charger"), "blue"),
    "accepted": Worded(N_("Reserved"), "green"),
    "used": Worded(N_("Used for charging"), "gray"),
    "cancelled": Worded(N_("Cancelled"), "gray"),
    "expired": Worded(N_("Expired unused"), "amber"),
    "occupied": Worded(N_("Not reserved: in use"), "gray"),
    "rejected": Worded(N_("Not reserved: refused"), "gray"),
    "faulted": Worded(N_("Not reserved: fault"), "gray"),
    "unavailable": Worded(N_("Not reserved: out of service"), "gray"),
    "offline": Worded(N_("Not reserved: charger offline"), "gray"),
    "timed_out": Worded(N_("Not reserved: no answer"), "gray"),
    "failed": Worded(N_("Not reserved"), "gray"),
}


def outcome(status: str) -> Worded:
    return OUTCOMES.get(status, UNKNOWN_OUTCOME)


def status_words(status: str) -> Worded:
    return STATUSES.get(status, Worded(status, "gray"))


def minutes_choice(value: object) -> int | None:
    """The minutes the driver chose, if the app offers them (anything else: None)."""
    text = str(value).strip()
    if not text.isdigit():
        return None
    minutes = int(text)
    return minutes if minutes in DURATIONS else None


def expiry(now: datetime, minutes: int) -> datetime:
    """When a reservation made now for `minutes` ends (whole seconds)."""
    return (now + timedelta(minutes=minutes)).replace(microsecond=0)


def is_open(status: str, expiry_date: datetime, now: datetime) -> bool:
    """Still holding (or about to hold) the connector: cancellable."""
    return status in OPEN and expiry_date > now
