"""Charging from the driver app: what a connector offers, start, the live session, stop.

Starting sends RemoteStartTransaction with the driver's app id tag through the command
service (`control.commands.send_command`: a command record with its lifecycle, as an
operator's remote start), after the same checks the offer shows (charging_offer): the
session itself appears when the charger sends StartTransaction, and goes through the usual
id tag, payment and pricing path. Stopping sends RemoteStopTransaction for one of the
driver's own running sessions only; any other id is not found and nothing is sent.

The use cases live in charging_offer (the connector), charging_sessions (the sessions) and
here (the commands); this module is the app's one door to them.
"""

from __future__ import annotations

import asyncio
import logging

from ccms_app.control.commands import UnknownChargePointError, send_command
from ccms_app.control.rules.commands import CommandInputError
from ccms_app.core.db import read_session
from ccms_app.core.i18n import tr
from ccms_app.driver_app.charging_offer import ChargeOffer, connector_offer, offer_by_id
from ccms_app.driver_app.charging_sessions import (
    SessionView,
    last_finished,
    own_running_session,
    running_sessions,
    session_view,
)
from ccms_app.driver_app.driver_accounts import DriverPrincipal, require_verified
from ccms_app.driver_app.errors import DriverAppError
from ccms_app.driver_app.rules.charging import Outcome, start_outcome, stop_outcome

log = logging.getLogger(__name__)

REMOTE_START = "RemoteStartTransaction"
REMOTE_STOP = "RemoteStopTransaction"

__all__ = [
    "ChargeOffer",
    "Outcome",
    "SessionView",
    "connector_offer",
    "last_finished",
    "running_sessions",
    "session_view",
    "start_charging",
    "stop_charging",
]


def requested_by(driver: DriverPrincipal) -> str:
    """Who asked, as the command record (and so the operator's charge point page) says."""
    return f"driver app: {driver.email}"[:320]


async def start_charging(
    driver: DriverPrincipal, charge_point_id: int, connector_id: int, timeout: float | None = None
) -> Outcome:
    """Check, then RemoteStartTransaction with the app id tag; the charger's answer worded.
    DriverAppError (with the offer's refusal code) when the driver cannot start there;
    DriverAppNotFound for a charge point or connector they may not use."""
    require_verified(driver)
    offer = await asyncio.to_thread(offer_by_id, driver, charge_point_id, connector_id)
    if not offer.can_start:
        raise DriverAppError(offer.refusal, code=offer.refusal_code)
    params = {"id_tag": driver.app_id_tag, "connector_id": connector_id}
    view = await _send(charge_point_id, REMOTE_START, params, driver, timeout)
    log.info(
        "driver started charging",
        extra={"account_id": driver.account_id, "cp": charge_point_id, "status": view},
    )
    return start_outcome(view)


async def stop_charging(
    driver: DriverPrincipal, session_id: int, timeout: float | None = None
) -> Outcome:
    """RemoteStopTransaction for the driver's own running session; DriverAppNotFound (and
    nothing sent) for any other."""
    charge_point_id = await asyncio.to_thread(_own_charge_point, driver, session_id)
    view = await _send(
        charge_point_id, REMOTE_STOP, {"transaction_id": session_id}, driver, timeout
    )
    log.info(
        "driver stopped charging",
        extra={"account_id": driver.account_id, "transaction_id": session_id, "status": view},
    )
    return stop_outcome(view)


def _own_charge_point(driver: DriverPrincipal, session_id: int) -> int:
    with read_session() as db:
        return own_running_session(db, driver, session_id).charge_point_id


async def _send(
    charge_point_id: int,
    action: str,
    params: dict[str, object],
    driver: DriverPrincipal,
    timeout: float | None,
) -> str:
    """The command's final status; a command that could not even be recorded is refused."""
    try:
        view = await send_command(charge_point_id, action, params, requested_by(driver), timeout)
    except (CommandInputError, UnknownChargePointError) as exc:
        log.warning("driver command not sent", extra={"action": action, "error": str(exc)})
        raise DriverAppError(tr("That could not be sent to the charger. Try again.")) from exc
    return str(view.status)
