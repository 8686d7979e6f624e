"""Firmware Management on the simulated charge point: UpdateFirmware and GetDiagnostics.

UpdateFirmware is Accepted; at retrieveDate the charger really downloads `location` over HTTP(S)
(stdlib urllib in a thread), reports Downloading, Downloaded (or DownloadFailed), Installing,
Installed, then reboots and boots with the new firmware version. The version comes from the
file name: its first dotted number (`fw-2.1.0.bin` -> 2.1.0; none: `<old>-updated`). A file name
that starts with 12 hex digits and a dash (how CCMS stores images) is a sha256 prefix: content
that does not match it is a DownloadFailed, as a corrupt download would be on a real charger.

GetDiagnostics answers with a file name and uploads a small generated log to `location` with an
HTTP PUT (`location` + file name when it ends with "/"), reporting Uploading, then Uploaded or
UploadFailed.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import urllib.error
import urllib.request
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from ocpp.v16 import call, call_result

from ocpp_server.simulator.link import Decision

if TYPE_CHECKING:
    from ocpp_server.simulator.connection import CsmsConnection
    from ocpp_server.simulator.tasks import BackgroundTasks

log = logging.getLogger(__name__)

HTTP_TIMEOUT = 30.0
VERSION_IN_NAME = re.compile(r"\d+(?:\.\d+)+(?:-[0-9A-Za-z]+)*")
HASH_PREFIX = re.compile(r"^([0-9a-f]{12})-")
UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class TransferError(Exception):
    """A download or upload did not work (HTTP error, refused connection, bad content)."""


def version_from_location(location: str, current: str) -> str:
    found = VERSION_IN_NAME.search(_file_name(location))
    return found.group(0) if found else f"{current}-updated"


def _file_name(location: str) -> str:
    return unquote(urlsplit(location).path.rsplit("/", 1)[-1])


def check_content(location: str, data: bytes) -> None:
    """A CCMS-style name carries a sha256 prefix of the content: check it."""
    prefix = HASH_PREFIX.match(_file_name(location))
    if prefix and not hashlib.sha256(data).hexdigest().startswith(prefix.group(1)):
        raise TransferError("content does not match the sha256 in the file name")


def _download(location: str) -> bytes:
    try:
        with urllib.request.urlopen(location, timeout=HTTP_TIMEOUT) as reply:
            return reply.read()
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise TransferError(f"download of {location} failed: {exc}") from exc


def _upload(url: str, body: bytes) -> None:
    if urlsplit(url).scheme not in ("http", "https"):
        raise TransferError(f"the simulator uploads over HTTP(S) only, not to {url}")
    request = urllib.request.Request(
        url, data=body, method="PUT", headers={"Content-Type": "text/plain"}
    )
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as reply:
            reply.read()
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise TransferError(f"upload to {url} failed: {exc}") from exc


def _seconds_until(ocpp_time: str | None) -> float:
    if not ocpp_time:
        return 0.0
    try:
        at = datetime.fromisoformat(ocpp_time.replace("Z", "+00:00"))
    except ValueError:
        return 0.0
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    return max(0.0, (at - datetime.now(UTC)).total_seconds())


class FirmwareMixin:
    """UpdateFirmware / GetDiagnostics for SimulatedChargePoint."""

    if TYPE_CHECKING:
        identity: str
        _conn: CsmsConnection
        _tasks: BackgroundTasks

        async def _reboot(self, reset_type: str) -> None: ...

    firmware_status: str = "Idle"  # what TriggerMessage(FirmwareStatusNotification) reports
    diagnostics_status: str = "Idle"
    install_seconds: float = 0.2  # how long "installing" takes
    uploads: int = 0  # diagnostics files uploaded (for tests)

    @property
    def firmware_version(self) -> str:
        return self._conn.boot_request.firmware_version or ""

    # ---- UpdateFirmware ---------------------------------------------------------------------

    def decide_update_firmware(
        self, location: str, retrieve_date: str, retries: int | None, retry_interval: int | None
    ) -> Decision:
        """Always Accepted (the reply has no status); the update runs after the reply."""
        return Decision(
            call_result.UpdateFirmware(),
            lambda: self._update_firmware(location, retrieve_date, retries, retry_interval),
        )

    async def _update_firmware(
        self, location: str, retrieve_date: str, retries: int | None, retry_interval: int | None
    ) -> None:
        await asyncio.sleep(_seconds_until(retrieve_date))
        data = await self._download_with_retries(location, retries or 0, retry_interval or 0)
        if data is None:
            return
        await self._firmware_status("Downloaded")
        version = version_from_location(location, self.firmware_version)
        await self._firmware_status("Installing")
        await asyncio.sleep(self.install_seconds)
        self._conn.update_boot_request(firmware_version=version)
        await self._firmware_status("Installed")
        log.info(
            "charge point firmware installed",
            extra={"identity": self.identity, "version": version, "size": len(data)},
        )
        self.firmware_status = "Idle"  # after the reboot nothing firmware-related is going on
        await self._reboot("Hard")

    async def _download_with_retries(
        self, location: str, retries: int, retry_interval: int
    ) -> bytes | None:
        for attempt in range(retries + 1):
            await self._firmware_status("Downloading")
            try:
                data = await asyncio.to_thread(_download, location)
                check_content(location, data)
                return data
            except TransferError as exc:
                log.warning(
                    "charge point firmware download failed",
                    extra={"identity": self.identity, "attempt": attempt + 1, "error": str(exc)},
                )
                await self._firmware_status("DownloadFailed")
            if attempt < retries:
                await asyncio.sleep(retry_interval)
        return None

    async def _firmware_status(self, status: str) -> None:
        self.firmware_status = status
        await self._conn.try_call(call.FirmwareStatusNotification(status=status))

    # ---- GetDiagnostics ---------------------------------------------------------------------

    def decide_get_diagnostics(
        self,
        location: str,
        retries: int | None = None,
        retry_interval: int | None = None,
        start_time: str | None = None,
        stop_time: str | None = None,
    ) -> Decision:
        """Answer with the file name at once; the upload follows the reply."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        file_name = f"diagnostics-{UNSAFE.sub('_', self.identity)}-{stamp}.log"
        body = self._diagnostics_log(start_time, stop_time)
        url = location + file_name if location.endswith("/") else f"{location}/{file_name}"
        return Decision(
            call_result.GetDiagnostics(file_name=file_name),
            lambda: self._upload_diagnostics(url, body, retries or 0, retry_interval or 0),
        )

    def _diagnostics_log(self, start_time: str | None, stop_time: str | None) -> bytes:
        lines = [
            f"charge point {self.identity} diagnostics",
            f"generated {datetime.now(UTC).isoformat()}",
            f"firmware {self.firmware_version}",
            f"period {start_time or '-'} .. {stop_time or '-'}",
            f"firmware status {self.firmware_status}",
        ]
        return ("\n".join(lines) + "\n").encode()

    async def _upload_diagnostics(
        self, url: str, body: bytes, retries: int, retry_interval: int
    ) -> None:
        await self._diagnostics_status("Uploading")
        for attempt in range(retries + 1):
            try:
                await asyncio.to_thread(_upload, url, body)
            except TransferError as exc:
                log.warning(
                    "charge point diagnostics upload failed",
                    extra={"identity": self.identity, "attempt": attempt + 1, "error": str(exc)},
                )
                if attempt < retries:
                    await asyncio.sleep(retry_interval)
                continue
            self.uploads += 1
            await self._diagnostics_status("Uploaded")
            return
        await self._diagnostics_status("UploadFailed")

    async def _diagnostics_status(self, status: str) -> None:
        self.diagnostics_status = status
        await self._conn.try_call(call.DiagnosticsStatusNotification(status=status))
