"""Charge point configuration keys (OCPP GetConfiguration / ChangeConfiguration), stored per
charge point so the UI can show and edit them, read-only keys marked as such.

What is stored: the keys as the charge point last reported them, plus values it accepted
since. A key the charge point answers in `unknownKey` is not stored (a row for it is removed:
the charger says it has no such key); the list stays in the command's reply JSON, read it with
`unknown_keys(view)`. A full fetch (no keys asked) replaces the stored set. A change answered
RebootRequired is stored and the command is accepted; `reboot_required(view)` tells the UI.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, delete, select

from ccms_app.control.commands import CommandView, send_command
from ccms_app.control.models import ChargePointConfiguration, CommandStatus
from ccms_app.control.rules.commands import (
    CONFIG_KEY_MAX,
    CONFIG_VALUE_MAX,
    CommandInputError,
    build_request,
)
from ccms_app.control.rules.redaction import redact
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.events import NetworkEvent, get_event_bus
from ccms_app.core.i18n import tr
from ccms_app.core.types import utc_now

log = logging.getLogger(__name__)

REBOOT_REQUIRED = "RebootRequired"


class ReadOnlyKeyError(CommandInputError):
    """The operator tried to change a key the charge point reported as read-only."""


@dataclass(frozen=True)
class ConfigurationEntry:
    key: str
    value: str | None  # None: the charge point reported the key without a value
    readonly: bool
    updated_at: datetime


def _reply(view: CommandView) -> dict[str, Any]:
    try:
        data = json.loads(view.response or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def unknown_keys(view: CommandView) -> list[str]:
    """The keys a GetConfiguration reply said the charge point does not know."""
    return [str(k) for k in _reply(view).get("unknown_key") or []]


def reboot_required(view: CommandView) -> bool:
    """A ChangeConfiguration the charge point accepted but applies only after a reboot."""
    return view.status == CommandStatus.ACCEPTED and _reply(view).get("status") == REBOOT_REQUIRED


def _publish(charge_point_id: int, keys: list[str]) -> None:
    get_event_bus().publish(
        NetworkEvent(kind="configuration", charge_point_id=charge_point_id, data={"keys": keys})
    )


def _upsert(session: Session, charge_point_id: int, entries: list[dict[str, Any]]) -> None:
    keys = [str(e.get("key", ""))[:CONFIG_KEY_MAX] for e in entries]
    existing = {
        row.key: row
        for row in session.exec(
            select(ChargePointConfiguration).where(
                ChargePointConfiguration.charge_point_id == charge_point_id,
                col(ChargePointConfiguration.key).in_(keys),
            )
        ).all()
    }
    now = utc_now()
    for key, entry in zip(keys, entries, strict=True):
        row = existing.get(key) or ChargePointConfiguration(
            charge_point_id=charge_point_id, key=key
        )
        value = redact(entry).get("value")  # a charger password is never stored
        row.value = None if value is None else str(value)[:CONFIG_VALUE_MAX]
        row.readonly = bool(entry.get("readonly", row.readonly))
        row.updated_at = now
        session.add(row)


def _remove(
    session: Session, charge_point_id: int, keep: list[str] | None, drop: list[str]
) -> None:
    """Delete rows for `drop` keys, and with `keep` given, every key not in it."""
    table = ChargePointConfiguration
    of_charge_point = col(table.charge_point_id) == charge_point_id
    if keep is not None:
        session.exec(delete(table).where(of_charge_point, col(table.key).not_in(keep)))
    if drop:
        session.exec(delete(table).where(of_charge_point, col(table.key).in_(drop)))


def _store_reply(charge_point_id: int, reply: dict[str, Any], full: bool) -> list[str]:
    entries = [e for e in reply.get("configuration_key") or [] if isinstance(e, dict)]
    unknown = [str(k) for k in reply.get("unknown_key") or []]
    with session_scope() as session:
        _upsert(session, charge_point_id, entries)
        reported = [str(e.get("key", ""))[:CONFIG_KEY_MAX] for e in entries]
        _remove(session, charge_point_id, reported if full else None, unknown)
    return reported


async def fetch_configuration(
    charge_point_id: int, requested_by: str, keys: list[str] | None = None
) -> CommandView:
    """GetConfiguration (all keys, or `keys`); on a reply the stored configuration follows it.

    Raises CommandInputError / UnknownChargePointError before anything is sent.
    """
    asked = build_request("GetConfiguration", {"keys": keys}).key
    view = await send_command(charge_point_id, "GetConfiguration", {"keys": asked}, requested_by)
    if view.status == CommandStatus.ACCEPTED:
        stored = await asyncio.to_thread(_store_reply, charge_point_id, _reply(view), asked is None)
        _publish(charge_point_id, stored)
        log.info(
            "configuration fetched",
            extra={"charge_point_id": charge_point_id, "keys": len(stored), "by": requested_by},
        )
    return view


def list_configuration(charge_point_id: int) -> list[ConfigurationEntry]:
    """The stored keys of a charge point, sorted by key (case-insensitive)."""
    with read_session() as session:
        rows = session.exec(
            select(ChargePointConfiguration).where(
                ChargePointConfiguration.charge_point_id == charge_point_id
            )
        ).all()
    entries = [ConfigurationEntry(r.key, r.value, r.readonly, r.updated_at) for r in rows]
    return sorted(entries, key=lambda e: (e.key.lower(), e.key))


def _check_writable(charge_point_id: int, key: str) -> None:
    with read_session() as session:
        row = session.exec(
            select(ChargePointConfiguration).where(
                ChargePointConfiguration.charge_point_id == charge_point_id,
                ChargePointConfiguration.key == key,
            )
        ).first()
    if row is not None and row.readonly:
        raise ReadOnlyKeyError(
            tr("{key} is read-only on this charge point and cannot be changed", key=key)
        )


def _store_value(charge_point_id: int, key: str, value: str) -> None:
    with session_scope() as session:
        _upsert(session, charge_point_id, [{"key": key, "value": value, "readonly": False}])


async def change_configuration(
    charge_point_id: int, key: str, value: str, requested_by: str
) -> CommandView:
    """ChangeConfiguration; Accepted or RebootRequired stores the new value.

    A key known to be read-only is refused (ReadOnlyKeyError, a CommandInputError) before
    anything is sent. `reboot_required(view)` says whether the charger needs a reboot.
    """
    request = build_request("ChangeConfiguration", {"key": key, "value": value})
    await asyncio.to_thread(_check_writable, charge_point_id, request.key)
    params = {"key": request.key, "value": request.value}
    view = await send_command(charge_point_id, "ChangeConfiguration", params, requested_by)
    if view.status == CommandStatus.ACCEPTED:
        await asyncio.to_thread(_store_value, charge_point_id, request.key, request.value)
        _publish(charge_point_id, [request.key])
    return view
