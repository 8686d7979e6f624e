"""Diagnostics: GetDiagnostics with CCMS itself as the upload target, the uploads stored per
charge point, and the operator's download of them."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from sqlmodel import col, select

from ccms_app.control import commands
from ccms_app.control.firmware.errors import DiagnosticsTooLargeError, UnknownChargePointError
from ccms_app.control.firmware.storage import inside, sanitise_file_name, temporary_file
from ccms_app.control.models import DiagnosticsFile
from ccms_app.core.config import get_settings
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.events import NetworkEvent, get_event_bus
from ccms_app.core.i18n import tr
from ccms_app.core.rows import stored_id
from ccms_app.network.models import ChargePoint

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DiagnosticsView:
    id: int
    charge_point_id: int
    identity: str
    file_name: str
    size: int
    sha256: str
    uploaded_at: datetime

    @property
    def download_path(self) -> str:
        """Relative link for the operator's browser (same origin as the pages)."""
        return f"/diagnostics/{quote(self.identity, safe='')}/{quote(self.file_name)}"


def diagnostics_location(identity: str) -> str:
    """The upload URL given in GetDiagnostics: the charger adds its file name (HTTP PUT/POST)."""
    return f"{get_settings().charger_base_url}/diagnostics/{quote(identity, safe='')}/"


async def request_diagnostics(
    charge_point_id: int,
    requested_by: str,
    *,
    scope: Collection[int] | None = None,
    start_time: datetime | None = None,
    stop_time: datetime | None = None,
    retries: int | None = None,
    retry_interval: int | None = None,
) -> commands.CommandView:
    """GetDiagnostics with CCMS itself as the upload location."""
    identity = await asyncio.to_thread(_identity_in_scope, charge_point_id, scope)
    params = {
        "location": diagnostics_location(identity),
        "start_time": start_time,
        "stop_time": stop_time,
        "retries": retries,
        "retry_interval": retry_interval,
    }
    return await commands.send_command(charge_point_id, "GetDiagnostics", params, requested_by)


def _identity_in_scope(charge_point_id: int, scope: Collection[int] | None) -> str:
    with read_session() as session:
        cp = session.get(ChargePoint, charge_point_id)
    if cp is None or (scope is not None and cp.organisation_id not in scope):
        raise UnknownChargePointError(
            tr("charge point {charge_point_id} does not exist", charge_point_id=charge_point_id)
        )
    return cp.identity


def _charge_point_by_identity(identity: str) -> ChargePoint:
    with read_session() as session:
        cp = session.exec(select(ChargePoint).where(ChargePoint.identity == identity)).first()
    if cp is None:
        raise UnknownChargePointError(f"unknown charge point {identity!r}")
    return cp


async def save_diagnostics(
    identity: str, file_name: str, chunks: AsyncIterator[bytes], remote_address: str = ""
) -> DiagnosticsView:
    """Store an upload under CCMS_DIAGNOSTICS_DIR/<identity>/ (never overwriting) and record
    it. Raises UnknownChargePointError, FirmwareError (name) or DiagnosticsTooLargeError."""
    settings = get_settings()
    cp = await asyncio.to_thread(_charge_point_by_identity, identity)
    safe = sanitise_file_name(file_name)
    directory = settings.diagnostics_dir / sanitise_file_name(identity)
    limit = settings.diagnostics_max_mb * 1024 * 1024
    with temporary_file(directory) as (out, temp):
        digest, size = hashlib.sha256(), 0
        async for chunk in chunks:
            size += len(chunk)
            if size > limit:
                raise DiagnosticsTooLargeError(
                    tr(
                        "diagnostics upload is over {diagnostics_max_mb} MB",
                        diagnostics_max_mb=settings.diagnostics_max_mb,
                    )
                )
            digest.update(chunk)
            out.write(chunk)
        out.close()
        view = await asyncio.to_thread(
            _record_diagnostics, cp, directory, safe, temp, size, digest.hexdigest(), remote_address
        )
    log.info(
        "diagnostics uploaded",
        extra={"identity": identity, "file": view.file_name, "size": size},
    )
    get_event_bus().publish(
        NetworkEvent(
            kind="firmware",
            charge_point_id=cp.id,
            identity=cp.identity,
            data={"diagnostics_file": view.file_name},
        )
    )
    return view


def _free_name(directory: Path, name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    stem, ext = (stem, f".{ext}") if dot and stem else (name, "")
    candidate, n = name, 1
    while (directory / candidate).exists():
        candidate, n = f"{stem}-{n}{ext}", n + 1
    return candidate


def _record_diagnostics(
    cp: ChargePoint,
    directory: Path,
    name: str,
    temp: Path,
    size: int,
    sha256: str,
    remote_address: str,
) -> DiagnosticsView:
    with session_scope() as session:
        final = _free_name(directory, name)
        row = DiagnosticsFile(
            organisation_id=cp.organisation_id,
            charge_point_id=stored_id(cp.id),
            file_name=final,
            size=size,
            sha256=sha256,
            remote_address=remote_address[:64],
        )
        session.add(row)
        session.flush()
        os.replace(temp, directory / final)
    return _diagnostics_view(row, cp.identity)


def _diagnostics_view(row: DiagnosticsFile, identity: str) -> DiagnosticsView:
    return DiagnosticsView(
        id=stored_id(row.id),
        charge_point_id=row.charge_point_id,
        identity=identity,
        file_name=row.file_name,
        size=row.size,
        sha256=row.sha256,
        uploaded_at=row.uploaded_at,
    )


def list_diagnostics(organisation_ids: Collection[int], limit: int = 50) -> list[DiagnosticsView]:
    with read_session() as session:
        rows = session.exec(
            select(DiagnosticsFile, col(ChargePoint.identity))
            .join(ChargePoint, col(ChargePoint.id) == col(DiagnosticsFile.charge_point_id))
            .where(col(DiagnosticsFile.organisation_id).in_(list(organisation_ids)))
            .order_by(col(DiagnosticsFile.uploaded_at).desc(), col(DiagnosticsFile.id).desc())
            .limit(limit)
        ).all()
    return [_diagnostics_view(row, identity) for row, identity in rows]


def diagnostics_file(identity: str, file_name: str, scope: Collection[int]) -> Path | None:
    """The stored file for an operator's download link, or None (unknown or not theirs)."""
    with read_session() as session:
        row = session.exec(
            select(DiagnosticsFile)
            .join(ChargePoint, col(ChargePoint.id) == col(DiagnosticsFile.charge_point_id))
            .where(ChargePoint.identity == identity, DiagnosticsFile.file_name == file_name)
        ).first()
    if row is None or row.organisation_id not in scope:
        return None
    directory = get_settings().diagnostics_dir / sanitise_file_name(identity)
    path = inside(directory, file_name)
    return path if path is not None and path.is_file() else None
