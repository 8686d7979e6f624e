"""The sync's bookkeeping per charge point: what it holds and should hold when a sync starts
(`SyncContext`), and what each exchange did (the version it reported, the updates it accepted,
the outcome), stored in LocalListSyncState / LocalListSentEntry and published as
NetworkEvent(kind="local_list")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, delete

from ccms_app.control.commands import UnknownChargePointError
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.events import NetworkEvent, get_event_bus
from ccms_app.core.i18n import tr
from ccms_app.core.types import utc_now
from ccms_app.drivers.local_lists.marks import sync_state_row
from ccms_app.drivers.local_lists.outcomes import SyncResult
from ccms_app.drivers.local_lists.status import desired_lists, list_limits, sent_lists
from ccms_app.drivers.models import LocalListSentEntry
from ccms_app.drivers.rules.local_list import ListEntry, LocalListUpdate, apply_update
from ccms_app.network.models import ChargePoint


@dataclass(frozen=True)
class SyncContext:
    """A charge point's list as CCMS knows it when a sync starts."""

    charge_point_id: int
    identity: str
    accepted_version: int
    reported_version: int | None
    change_count: int
    boot_at: datetime | None
    sent: list[ListEntry]
    desired: list[ListEntry]
    limits: dict[str, int | None]


def load_context(charge_point_id: int) -> SyncContext:
    """Raises UnknownChargePointError for an unknown id."""
    with session_scope() as session:
        cp = session.get(ChargePoint, charge_point_id)
        if cp is None:
            raise UnknownChargePointError(
                tr("charge point {charge_point_id} does not exist", charge_point_id=charge_point_id)
            )
        state = sync_state_row(session, charge_point_id)
        ids = [charge_point_id]
        return SyncContext(
            charge_point_id=charge_point_id,
            identity=cp.identity,
            accepted_version=state.accepted_version,
            reported_version=state.reported_version,
            change_count=state.change_count,
            boot_at=cp.last_boot_at,
            sent=sent_lists(session, ids).get(charge_point_id, []),
            desired=desired_lists(session, ids, utc_now()).get(charge_point_id, []),
            limits=list_limits(session, charge_point_id),
        )


def charge_point_identity(charge_point_id: int) -> str:
    """The charge point's identity ("" for an unknown id)."""
    with read_session() as session:
        cp = session.get(ChargePoint, charge_point_id)
        return cp.identity if cp else ""


def record_reported(charge_point_id: int, version: int) -> None:
    """The charge point answered GetLocalListVersion with `version`."""
    with session_scope() as session:
        state = sync_state_row(session, charge_point_id)
        state.reported_version, state.reported_at = version, utc_now()
        session.add(state)


def record_accepted(
    charge_point_id: int, update: LocalListUpdate, current: list[ListEntry]
) -> None:
    """The charge point accepted `update`: its list is now `apply_update(current, update)`."""
    now = utc_now()
    with session_scope() as session:
        session.exec(
            delete(LocalListSentEntry).where(
                col(LocalListSentEntry.charge_point_id) == charge_point_id
            )
        )
        session.flush()
        for entry in apply_update(current, update):
            session.add(
                LocalListSentEntry(
                    charge_point_id=charge_point_id,
                    id_tag=entry.id_tag,
                    status=entry.status,
                    expiry_date=entry.expiry_date,
                    parent_id_tag=entry.parent_id_tag,
                    version=update.version,
                    sent_at=now,
                )
            )
        state = sync_state_row(session, charge_point_id)
        state.accepted_version = state.reported_version = update.version
        state.reported_at = state.updated_at = now
        state.last_update_type = update.update_type
        session.add(state)


def record_result(ctx: SyncContext, result: SyncResult) -> None:
    """Store the outcome; a success clears the changes known when the sync started."""
    now = utc_now()
    with session_scope() as session:
        state = sync_state_row(session, ctx.charge_point_id)
        state.last_result, state.last_detail = result.result, result.detail[:500]
        state.last_attempt_at = state.updated_at = now
        if result.ok:
            state.synced_change_count = ctx.change_count  # later changes stay pending
            state.synced_boot_at = ctx.boot_at
            state.last_success_at = now
        if result.fell_back_to_full:
            state.full_fallbacks += 1
        session.add(state)


def publish(result: SyncResult) -> None:
    get_event_bus().publish(
        NetworkEvent(
            kind="local_list",
            charge_point_id=result.charge_point_id,
            identity=result.identity,
            data={"result": result.result, "version": result.version},
        )
    )
