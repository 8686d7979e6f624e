"""What a driver may do at a connector, decided from facts the use cases read (no database).

A connector, as the driver app shows it:
- offline: the charge point is not connected (a remote start could not reach it);
- faulted: connected but out of service: Faulted / Unavailable (the charge point or the
  connector), or taken out of service by the operator (disabled, not registered);
- yours: the driver is charging there now (a running session with one of their id tags);
- reserved_for_you: Reserved, by a reservation made with the driver's app id tag;
- busy: in use (Charging, Suspended*, Finishing) or reserved for someone else;
- free: Available, or Preparing (a car is plugged in and waits for an authorisation:
  usually the driver's own, who plugged in first and then scanned the QR label);
- unknown: connected, but no status reported yet: the charger decides.

Whether the driver can start there, and if not why, in words that say what to do: the
e-mail address first (nothing works without it), then the charger's state, then whether
they can pay (finance's `payer_refusal`: the charger would answer Blocked), then anything
else the id tag check would refuse. The first reason wins.
"""

from __future__ import annotations

from dataclasses import dataclass

from ccms_app.core.i18n import N_, tr

FREE = "free"
BUSY = "busy"
YOURS = "yours"
RESERVED_FOR_YOU = "reserved_for_you"
FAULTED = "faulted"
OFFLINE = "offline"
UNKNOWN = "unknown"
STARTABLE = frozenset({FREE, RESERVED_FOR_YOU, UNKNOWN})

LABELS = {
    FREE: N_("Free"),
    BUSY: N_("In use"),
    YOURS: N_("You are charging here"),
    RESERVED_FOR_YOU: N_("Reserved for you"),
    FAULTED: N_("Out of service"),
    OFFLINE: N_("Offline"),
    UNKNOWN: N_("Status not reported yet"),
}
COLOURS = {
    FREE: "green",
    BUSY: "blue",
    YOURS: "teal",
    RESERVED_FOR_YOU: "amber",
    FAULTED: "red",
    OFFLINE: "gray",
    UNKNOWN: "gray",
}

_IN_USE = frozenset({"Charging", "SuspendedEV", "SuspendedEVSE", "Finishing"})
_DOWN = frozenset({"Faulted", "Unavailable"})
_FREE = frozenset({"Available", "Preparing"})

# What the page's button next to a refusal opens (code -> app path).
UNVERIFIED, WALLET_LOW, NO_CARD, CARDS_OFF = "unverified", "wallet_low", "no_card", "cards_off"
ACTIONS = {WALLET_LOW: "/app/wallet", NO_CARD: "/app/wallet", CARDS_OFF: "/app/wallet"}
ACTION_LABELS = {
    WALLET_LOW: N_("Top up your wallet"),
    NO_CARD: N_("Save a card"),
    CARDS_OFF: N_("Choose how you pay"),
}


@dataclass(frozen=True)
class ConnectorFacts:
    online: bool
    in_service: bool  # registered and enabled by the operator
    charge_point_status: str  # connector 0
    connector_status: str
    driver_session_here: bool = False
    reserved_for_driver: bool = False


def connector_state(facts: ConnectorFacts) -> str:
    """One of the states above, for this driver."""
    if not facts.online:
        return OFFLINE
    if facts.driver_session_here:
        return YOURS
    if not facts.in_service or facts.charge_point_status in _DOWN:
        return FAULTED
    status = facts.connector_status
    if status in _DOWN:
        return FAULTED
    if status == "Reserved":
        return RESERVED_FOR_YOU if facts.reserved_for_driver else BUSY
    if status in _IN_USE:
        return BUSY
    if status in _FREE:
        return FREE
    return UNKNOWN


@dataclass(frozen=True)
class Payer:
    """How the driver pays, as finance knows it (amounts already worded as money)."""

    method: str  # finance.payments.models.PaymentMethod value
    refusal: str | None  # finance.rules.session_payment.payer_refusal's reason, None: may
    balance: str = ""
    minimum: str = ""


@dataclass(frozen=True)
class Refusal:
    """Why the driver cannot start, for the driver; `code` for pages and tests."""

    code: str
    message: str

    @property
    def action_path(self) -> str:
        return ACTIONS.get(self.code, "")

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.code, "")


def start_refusal(
    *,
    verified: bool,
    email: str,
    has_app_tag: bool,
    state: str,
    payer: Payer,
    running_elsewhere: str = "",
    tag_status: str = "Accepted",
) -> Refusal | None:
    """Why the driver cannot start at a connector in `state` (None: they can).
    `running_elsewhere`: where their app session runs now ("" when none): the app id tag
    charges one car at a time. `tag_status`: the id tag check's answer (drivers.authorization)."""
    if not verified:
        return Refusal(
            UNVERIFIED,
            tr(
                "Confirm your e-mail address first: open the link we sent to {email}.",
                email=email,
            ),
        )
    if not has_app_tag:
        return Refusal("no_tag", tr("Your account cannot start charging. Contact the operator."))
    refusal = _connector_refusal(state)
    if refusal is not None:
        return refusal
    refusal = _payer_refusal(payer)
    if refusal is not None:
        return refusal
    if running_elsewhere:
        return Refusal(
            "charging_elsewhere",
            tr(
                "You are already charging at {place}. Stop that session first.",
                place=running_elsewhere,
            ),
        )
    if tag_status != "Accepted":
        return Refusal(
            "tag_refused",
            tr(
                "Your account cannot start charging right now ({status}). Contact the operator.",
                status=tag_status,
            ),
        )
    return None


def _connector_refusal(state: str) -> Refusal | None:
    if state == OFFLINE:
        return Refusal(
            OFFLINE, tr("This charger is offline. Try again later or use another charger.")
        )
    if state == FAULTED:
        return Refusal(FAULTED, tr("This connector is out of service. Use another one."))
    if state == BUSY:
        return Refusal(BUSY, tr("This connector is in use. Use another one or come back later."))
    if state == YOURS:
        return Refusal(YOURS, tr("You are already charging here."))
    return None


def _payer_refusal(payer: Payer) -> Refusal | None:
    if payer.refusal is None:
        return None
    if payer.method == "wallet":
        return Refusal(
            WALLET_LOW,
            tr(
                "Top up your wallet (at least {minimum}): charging needs a balance of "
                "{minimum} or more, you have {balance}.",
                minimum=payer.minimum,
                balance=payer.balance,
            ),
        )
    if payer.refusal == "no saved card":
        return Refusal(NO_CARD, tr("Save a card in your wallet first: you pay by card."))
    return Refusal(
        CARDS_OFF,
        tr("Card payments are not available right now. Choose another way to pay."),
    )


# --- commands, worded ----------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status: str  # the command's final status (control.models.CommandStatus value)
    message: str


def start_outcome(status: str) -> Outcome:
    """What the charger's answer to RemoteStartTransaction means for the driver."""
    messages = {
        "accepted": N_(
            "The charger accepted. Plug in your car if you have not yet: charging starts "
            "in a moment."
        ),
        "rejected": N_(
            "The charger refused to start. Check that the cable is plugged in properly, "
            "or try another connector."
        ),
        "offline": N_("The charger is offline right now. Try again later."),
        "timed_out": N_("The charger did not answer. Try again in a moment."),
    }
    text = messages.get(status, N_("The start could not be sent. Try again in a moment."))
    return Outcome(status == "accepted", status, tr(text))


def stop_outcome(status: str) -> Outcome:
    """What the charger's answer to RemoteStopTransaction means for the driver."""
    messages = {
        "accepted": N_("The charger is stopping. You can unplug once it has stopped."),
        "rejected": N_(
            "The charger refused to stop. Stop it at the charger, or contact the operator."
        ),
        "offline": N_("The charger is offline right now. Stop it at the charger."),
        "timed_out": N_("The charger did not answer. Try again in a moment."),
    }
    text = messages.get(status, N_("The stop could not be sent. Try again in a moment."))
    return Outcome(status == "accepted", status, tr(text))


def duration_text(seconds: float) -> str:
    """ "1 h 05 min", "12 min", "< 1 min": how long a session has run."""
    whole = max(int(seconds), 0)
    hours, minutes = divmod(whole // 60, 60)
    if hours:
        return tr("{hours} h {minutes} min", hours=hours, minutes=f"{minutes:02d}")
    if minutes:
        return tr("{minutes} min", minutes=minutes)
    return tr("< 1 min")
