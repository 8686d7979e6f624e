"""Registering a charge point that connected with an unknown identity.

An unknown identity is recorded as unregistered and answered Pending (network.charge_points).
The operator assigns it to a station here (provisioning.register_charge_point does the
registering, so the CLI and the UI behave alike); if it is connected, it is then sent
TriggerMessage(BootNotification), so its next boot comes at once and is Accepted, instead of
after its Pending retry interval.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from sqlmodel import select

from ccms_app.control import commands
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.i18n import tr
from ccms_app.core.rows import stored_id
from ccms_app.network import provisioning
from ccms_app.network.assets import AssetError, get_scoped, invalid, publish_change
from ccms_app.network.charge_point_admin import DETAIL_FIELDS
from ccms_app.network.models import ChargePoint, RegistrationState, Station
from ccms_app.network.rules.asset_validation import validate_charge_point

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RegistrationResult:
    charge_point_id: int
    identity: str
    station_id: int
    station: str
    trigger_status: str = ""  # TriggerMessage(BootNotification): "" if not connected

    def describe(self) -> str:
        """What happened, in the reader's language (English for the API)."""
        text = tr(
            "{identity} registered at {station}", identity=self.identity, station=self.station
        )
        if self.trigger_status == "accepted":
            return tr("{text}; it was asked to boot again and will be Accepted", text=text)
        if self.trigger_status:
            return tr(
                "{text}; the boot request was {status}: it will be Accepted when it next boots",
                text=text,
                status=self.trigger_status,
            )
        return tr("{text}; it will be Accepted when it next boots", text=text)


async def register_unregistered(
    scope: Collection[int],
    charge_point_id: int,
    station_id: int | None,
    requested_by: str,
    details: Mapping[str, str] | None = None,
) -> RegistrationResult:
    """Assign an unregistered charge point to a station (both in scope) and optionally set
    its details (charge point form fields; the identity stays). Raises AssetError with field
    errors (a full licence of the station's owner among them), AssetNotFound for rows
    outside the scope."""
    identity, station = await asyncio.to_thread(
        _register, scope, charge_point_id, station_id, details
    )
    publish_change("registered", charge_point_id, identity)
    status = ""
    port = commands.get_command_port()
    if port is not None and port.is_connected(identity):
        view = await commands.send_command(
            charge_point_id,
            "TriggerMessage",
            {"requested_message": "BootNotification"},
            requested_by,
        )
        status = view.status
    log.info(
        "unknown charge point registered",
        extra={"identity": identity, "station": station.name, "trigger": status},
    )
    return RegistrationResult(
        charge_point_id, identity, stored_id(station.id), station.name, status
    )


def _register(
    scope: Collection[int],
    charge_point_id: int,
    station_id: int | None,
    details: Mapping[str, str] | None,
) -> tuple[str, Station]:
    with read_session() as session:
        cp = get_scoped(session, ChargePoint, charge_point_id, scope)
        station = session.get(Station, station_id) if station_id is not None else None
        if cp.registration_state == RegistrationState.REGISTERED:
            raise AssetError(tr("{identity} is already registered", identity=cp.identity))
        current = {name: getattr(cp, name) for name in DETAIL_FIELDS}
        identity = cp.identity
    errors: dict[str, str] = {}
    if station is None or station.organisation_id not in scope:
        errors["station_id"] = tr("Choose the station the charge point stands at")
    fields = None
    if details is not None:
        fields, detail_errors = validate_charge_point({**details, "identity": identity})
        errors |= detail_errors
    if errors:
        raise invalid(errors, "Registration")
    assert station is not None
    try:
        provisioning.register_charge_point(identity, station.name, station.organisation_id)
    except provisioning.ProvisioningError as exc:  # e.g. the station owner's licence is full
        raise AssetError(tr("Not registered: {exc}", exc=exc), {"station_id": str(exc)}) from exc
    if fields is not None:
        _apply_details(identity, {n: getattr(fields, n) for n in DETAIL_FIELDS}, current)
    return identity, station


def _apply_details(identity: str, wanted: dict[str, object], current: dict[str, object]) -> None:
    """Set what the operator typed; a field left empty keeps what the charger reported."""
    with session_scope() as session:
        cp = session.exec(select(ChargePoint).where(ChargePoint.identity == identity)).one()
        for name, value in wanted.items():
            if value not in (None, "") and value != current[name]:
                setattr(cp, name, value)
        session.add(cp)
