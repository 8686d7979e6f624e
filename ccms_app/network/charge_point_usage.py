"""Taking a charge point (or a whole station) out of service and back: enable / disable.

The usage state (`enabled`) takes a charge point out of service without unregistering it:
disabled, it is sent ChangeAvailability Inoperative (connector 0) when connected, and
Authorize / StartTransaction answer Invalid for it (drivers.authorization); enabled again,
it is sent Operative. A charge point that is offline gets no command (it answers Invalid
anyway); send it again from the charge point page once it is back if it should show it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlmodel import col, select

from ccms_app.control import commands
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.i18n import tr
from ccms_app.core.rows import stored_id
from ccms_app.network.assets import get_scoped, publish_change
from ccms_app.network.models import ChargePoint, Station

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UsageResult:
    """What enabling or disabling did to one charge point."""

    charge_point_id: int
    identity: str
    enabled: bool
    changed: bool
    command_status: str = ""  # "" = no command (offline or unchanged); else its final status

    def describe(self) -> str:
        """ "CP-1 disabled; ChangeAvailability Inoperative: accepted", in the reader's
        language (OCPP names and the command's status as they are)."""
        if self.changed:
            text = (
                tr("{identity} enabled", identity=self.identity)
                if self.enabled
                else tr("{identity} disabled", identity=self.identity)
            )
        else:
            text = (
                tr("{identity} was enabled", identity=self.identity)
                if self.enabled
                else tr("{identity} was disabled", identity=self.identity)
            )
        availability = "Operative" if self.enabled else "Inoperative"
        if self.command_status:
            return tr(
                "{text}; ChangeAvailability {availability}: {status}",
                text=text,
                availability=availability,
                status=self.command_status,
            )
        if self.changed:
            return tr("{text} (offline: no ChangeAvailability sent)", text=text)
        return text


async def set_charge_point_enabled(
    scope: Collection[int], charge_point_id: int, enabled: bool, requested_by: str
) -> UsageResult:
    """Enable or disable one charge point; if connected, send it ChangeAvailability."""
    changed = await asyncio.to_thread(_set_enabled, scope, [charge_point_id], enabled)
    ((cp_id, identity, was_changed),) = changed
    return await _tell_charge_point(cp_id, identity, enabled, was_changed, requested_by)


async def set_station_enabled(
    scope: Collection[int], station_id: int, enabled: bool, requested_by: str
) -> list[UsageResult]:
    """Enable or disable every charge point of a station (in scope)."""
    ids = await asyncio.to_thread(_station_charge_points, scope, station_id)
    changed = await asyncio.to_thread(_set_enabled, scope, ids, enabled)
    return list(
        await asyncio.gather(
            *(
                _tell_charge_point(
                    cp_id, identity, enabled, was, requested_by, only_if_changed=True
                )
                for cp_id, identity, was in changed
            )
        )
    )


def _station_charge_points(scope: Collection[int], station_id: int) -> list[int]:
    with read_session() as session:
        get_scoped(session, Station, station_id, scope)
        return [
            stored_id(i)
            for i in session.exec(
                select(ChargePoint.id).where(
                    ChargePoint.station_id == station_id,
                    col(ChargePoint.organisation_id).in_(list(scope)),
                )
            ).all()
        ]


def _set_enabled(
    scope: Collection[int], charge_point_ids: Sequence[int], enabled: bool
) -> list[tuple[int, str, bool]]:
    result = []
    with session_scope() as session:
        for cp_id in charge_point_ids:
            cp = get_scoped(session, ChargePoint, cp_id, scope)
            changed = cp.enabled != enabled
            cp.enabled = enabled
            session.add(cp)
            result.append((cp_id, cp.identity, changed))
    for cp_id, identity, changed in result:
        if changed:
            log.info("charge point usage", extra={"identity": identity, "enabled": enabled})
            publish_change("usage", cp_id, identity)
    return result


async def _tell_charge_point(
    charge_point_id: int,
    identity: str,
    enabled: bool,
    changed: bool,
    requested_by: str,
    only_if_changed: bool = False,
) -> UsageResult:
    port = commands.get_command_port()
    if (only_if_changed and not changed) or port is None or not port.is_connected(identity):
        return UsageResult(charge_point_id, identity, enabled, changed)
    params = {"connector_id": "0", "type": "Operative" if enabled else "Inoperative"}
    view = await commands.send_command(charge_point_id, "ChangeAvailability", params, requested_by)
    return UsageResult(charge_point_id, identity, enabled, changed, view.status)
