"""Firmware Management end to end on one machine: the product's HTTP app served by granian,
the real OCPP server and database, simulated charge points over real websockets.

A campaign scheduled a second ahead runs from the APScheduler job, the simulators download the
real file over HTTP, report their progress and reboot with the new version; diagnostics are
uploaded to CCMS and stored; failed downloads are tracked as failed.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import socket
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from granian.constants import Interfaces
from granian.server.embed import Server
from sqlmodel import Session, select

from ccms_app.accounts.models import Organisation
from ccms_app.api import build_api
from ccms_app.control import commands
from ccms_app.control.firmware import (
    campaign_runs,
    campaign_views,
    campaigns,
    diagnostics,
    errors,
    images,
)
from ccms_app.control.models import DiagnosticsFile, FirmwareCampaign
from ccms_app.core.config import Settings, get_settings
from ccms_app.core.scheduler import get_scheduler, start_scheduler, stop_scheduler
from ccms_app.core.types import utc_now
from ccms_app.network.models import ChargePoint
from ocpp_server.server import OcppServer
from ocpp_server.simulator import SimulatedChargePoint
from tests.control.firmware_support import firmware_settings
from tests.fixtures.ocpp import eventually

__all__ = ["firmware_settings"]

WAIT = 30  # seconds a whole download / install / reboot may take on a busy 2-core machine


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def web_port(firmware_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """CCMS_PUBLIC_URL points at the port the HTTP app is served on."""
    port = _free_port()
    monkeypatch.setenv("CCMS_PUBLIC_URL", f"http://127.0.0.1:{port}")
    get_settings.cache_clear()
    yield port
    get_settings.cache_clear()


@pytest.fixture
async def http_app(web_port: int, engine) -> AsyncIterator[str]:
    """The Starlette app the product mounts on the web port, served by granian (embedded)."""
    server = Server(
        build_api(),
        address="127.0.0.1",
        port=web_port,
        interface=Interfaces.ASGI,
        log_enabled=False,
    )
    task = asyncio.create_task(server.serve())
    base = f"http://127.0.0.1:{web_port}"

    async def listening() -> bool:
        with contextlib.suppress(OSError):
            _reader, writer = await asyncio.open_connection("127.0.0.1", web_port)
            writer.close()
            return True
        return False

    await eventually(listening, timeout=WAIT)
    yield base
    server.stop()
    await asyncio.wait_for(task, timeout=WAIT)


@pytest.fixture
async def network(ocpp_server: OcppServer, http_app: str) -> AsyncIterator[tuple[OcppServer, str]]:
    """Commands go out through the real OCPP server; the process scheduler runs."""
    commands.set_command_port(ocpp_server)
    start_scheduler()
    yield ocpp_server, f"ws://127.0.0.1:{ocpp_server.port}/ocpp"
    await stop_scheduler()
    commands.set_command_port(None)


@pytest.fixture
def charge_points(session: Session, organisation: Organisation) -> dict[str, int]:
    ids = {}
    for identity in ("CP-FW-A", "CP-FW-B", "CP-FW-C"):
        cp = ChargePoint(
            identity=identity, organisation_id=organisation.id, registration_state="registered"
        )
        session.add(cp)
        session.commit()
        ids[identity] = cp.id
    return ids


@contextlib.asynccontextmanager
async def simulators(url: str, *identities: str) -> AsyncIterator[list[SimulatedChargePoint]]:
    sims = [
        SimulatedChargePoint(identity, url, connectors=1, meter_interval=3600, reboot_delay=0.1)
        for identity in identities
    ]
    try:
        for sim in sims:
            await sim.connect()
            await sim.wait_accepted(timeout=WAIT)
        yield sims
    finally:
        for sim in sims:
            await sim.close()


def upload(organisation: Organisation, name: str, data: bytes) -> images.ImageView:
    return images.store_firmware(organisation.id, name, "", io.BytesIO(data), "ops@example.com")


def target_statuses(campaign_id: int) -> dict[str, str]:
    return {t.identity: t.status for t in campaign_views.get_campaign(campaign_id).targets}


async def test_campaign_rolls_out_at_its_time_and_chargers_reboot_with_the_new_version(
    network, charge_points, organisation, session
) -> None:
    _server, url = network
    image = upload(organisation, "ccms-sim-2.1.0.bin", b"new firmware" * 5000)
    async with simulators(url, "CP-FW-A", "CP-FW-B") as (sim_a, sim_b):
        campaign = campaigns.create_campaign(
            organisation.id,
            "Roll out 2.1.0",
            image.id,
            list(charge_points.values()),  # CP-FW-C is not connected
            utc_now() + timedelta(seconds=1),
            "ops@example.com",
            retries=1,
        )
        assert campaign.status == "planned"
        assert get_scheduler().get_job(campaign_runs.job_id(campaign.id)) is not None

        def installed() -> bool:
            statuses = target_statuses(campaign.id)
            return statuses["CP-FW-A"] == statuses["CP-FW-B"] == "installed"

        await eventually(installed, timeout=WAIT)
        await eventually(lambda: sim_a.boot_count == sim_b.boot_count == 2, timeout=WAIT)
        assert sim_a.firmware_version == sim_b.firmware_version == "2.1.0"
        session.rollback()
        rows = session.exec(select(ChargePoint).order_by(ChargePoint.identity)).all()
        assert [(r.identity, r.firmware_version) for r in rows[:2]] == [
            ("CP-FW-A", "2.1.0"),
            ("CP-FW-B", "2.1.0"),
        ]
        assert rows[0].firmware_status == "Installed"

        # The offline charge point waits for the next run; the campaign is not done yet. The
        # run marks it offline when every send has answered, which may come after A and B
        # have reported their installs (the run's end and their notifications race).
        await eventually(lambda: target_statuses(campaign.id)["CP-FW-C"] == "offline", WAIT)
        view = campaign_views.get_campaign(campaign.id)
        assert (view.status, view.runs) == ("running", 1)
        row = session.get(FirmwareCampaign, campaign.id)
        assert row.next_run_at is not None and row.started_at is not None

        async with simulators(url, "CP-FW-C") as (sim_c,):
            await campaign_runs.run_campaign(campaign.id)  # what the retry job does
            await eventually(
                lambda: campaign_views.get_campaign(campaign.id).status == "done", WAIT
            )
            assert target_statuses(campaign.id) == dict.fromkeys(charge_points, "installed")
            await eventually(lambda: sim_c.firmware_version == "2.1.0", timeout=WAIT)


async def test_failed_downloads_are_tracked_as_failed(
    network, charge_points, organisation, firmware_settings
) -> None:
    _server, url = network
    missing = upload(organisation, "gone-3.0.0.bin", b"will be deleted")
    corrupt = upload(organisation, "corrupt-3.1.0.bin", b"good content")
    (firmware_settings.firmware_dir / missing.stored_name).unlink()  # the download is a 404
    (firmware_settings.firmware_dir / corrupt.stored_name).write_bytes(b"bit rot")
    async with simulators(url, "CP-FW-A", "CP-FW-B") as (sim_a, sim_b):
        now = utc_now()
        first = campaigns.create_campaign(
            organisation.id, "Missing", missing.id, [charge_points["CP-FW-A"]], now, "ops"
        )
        second = campaigns.create_campaign(
            organisation.id, "Corrupt", corrupt.id, [charge_points["CP-FW-B"]], now, "ops"
        )
        for campaign in (first, second):
            await eventually(
                lambda c=campaign: campaign_views.get_campaign(c.id).status == "done", WAIT
            )
            (target,) = campaign_views.get_campaign(campaign.id).targets
            assert (target.status, target.detail) == ("failed", "download failed")
        assert sim_a.firmware_status == sim_b.firmware_status == "DownloadFailed"
        assert sim_a.firmware_version == sim_b.firmware_version == "1.0.0-sim"
        assert sim_a.boot_count == sim_b.boot_count == 1  # nothing installed, no reboot


async def test_diagnostics_are_uploaded_to_ccms_and_stored(
    network, charge_points, organisation, firmware_settings, session
) -> None:
    _server, url = network
    cp_id = charge_points["CP-FW-A"]

    def diagnostics_status() -> str | None:
        session.rollback()  # a fresh read: the status may be committed after the file row
        cp = session.get(ChargePoint, cp_id)
        return cp.diagnostics_status if cp is not None else None

    async with simulators(url, "CP-FW-A") as (sim,):
        view = await diagnostics.request_diagnostics(
            cp_id, "ops@example.com", scope={organisation.id}
        )
        assert view.status == "accepted"
        assert view.request.count("/diagnostics/CP-FW-A/") == 1
        assert "diagnostics-CP-FW-A-" in view.response  # the file name the charger answered
        await eventually(lambda: sim.diagnostics_status == "Uploaded", timeout=WAIT)
        # stay connected until CCMS has the charger's "Uploaded" (the simulator notes it
        # before its DiagnosticsStatusNotification is out: leaving at once could cut it off)
        await eventually(lambda: diagnostics_status() == "Uploaded", timeout=WAIT)

    def stored() -> list[DiagnosticsFile]:
        session.rollback()
        return session.exec(select(DiagnosticsFile)).all()

    await eventually(lambda: len(stored()) == 1, timeout=WAIT)
    (row,) = stored()
    assert row.charge_point_id == cp_id and row.organisation_id == organisation.id
    content = (firmware_settings.diagnostics_dir / "CP-FW-A" / row.file_name).read_text()
    assert "charge point CP-FW-A diagnostics" in content
    listed = diagnostics.list_diagnostics({organisation.id})
    assert [d.download_path for d in listed] == [f"/diagnostics/CP-FW-A/{row.file_name}"]

    with pytest.raises(errors.UnknownChargePointError):
        await diagnostics.request_diagnostics(cp_id, "ops", scope={organisation.id + 100})


async def test_planned_campaigns_are_rescheduled_after_a_restart(
    engine, charge_points, organisation, firmware_settings, tmp_path: Path
) -> None:
    image = upload(organisation, "fw-4.0.bin", b"four")
    later = utc_now() + timedelta(hours=2)
    start_scheduler()
    try:
        planned = campaigns.create_campaign(
            organisation.id, "Tonight", image.id, [charge_points["CP-FW-A"]], later, "ops"
        )
        cancelled = campaigns.create_campaign(
            organisation.id, "Never", image.id, [charge_points["CP-FW-B"]], later, "ops"
        )
        campaigns.cancel_campaign(cancelled.id, {organisation.id}, "ops")
        assert get_scheduler().get_job(campaign_runs.job_id(cancelled.id)) is None
        with pytest.raises(errors.FirmwareError, match="cancelled campaign cannot"):
            campaigns.cancel_campaign(cancelled.id, {organisation.id}, "ops")
    finally:
        await stop_scheduler()  # the process stops: in-memory jobs are gone

    start_scheduler()
    try:
        assert get_scheduler().get_jobs() == []
        assert campaign_runs.restore_campaign_jobs() == 1
        job = get_scheduler().get_job(campaign_runs.job_id(planned.id))
        assert job is not None and job.next_run_time == later
    finally:
        await stop_scheduler()


async def test_the_leader_follows_campaigns_planned_moved_and_cancelled_elsewhere(
    engine, charge_points, organisation, firmware_settings
) -> None:
    """Scale-out: a campaign is planned, moved and cancelled from a web process (whose
    scheduler never runs); the leading gateway's jobs follow the database at each sync."""
    image = upload(organisation, "fw-6.0.bin", b"six")
    later = utc_now() + timedelta(hours=2)
    start_scheduler()
    try:
        planned = campaigns.create_campaign(
            organisation.id, "Elsewhere", image.id, [charge_points["CP-FW-A"]], later, "ops"
        )
        job_id = campaign_runs.job_id(planned.id)
        get_scheduler().remove_job(job_id)  # as if planned in the web process
        assert campaign_runs.restore_campaign_jobs() == 1
        assert get_scheduler().get_job(job_id).next_run_time == later

        moved = later + timedelta(hours=1)
        with Session(engine) as session:  # the web process moves it an hour later
            campaign = session.get(FirmwareCampaign, planned.id)
            campaign.scheduled_at = moved
            session.add(campaign)
            session.commit()
        campaign_runs.restore_campaign_jobs()
        assert get_scheduler().get_job(job_id).next_run_time == moved

        with Session(engine) as session:  # ... and cancels it there
            campaign = session.get(FirmwareCampaign, planned.id)
            campaign.status = "cancelled"
            session.add(campaign)
            session.commit()
        assert campaign_runs.restore_campaign_jobs() == 0
        assert get_scheduler().get_job(job_id) is None

        campaign_runs.schedule_campaign_sync(get_scheduler())
        sync = get_scheduler().get_job(campaign_runs.SYNC_JOB_ID)
        assert sync is not None and sync.trigger.interval == timedelta(seconds=15)
        campaign_runs.restore_campaign_jobs()  # the sync job is not a campaign's job
        assert get_scheduler().get_job(campaign_runs.SYNC_JOB_ID) is not None
    finally:
        await stop_scheduler()


def test_campaign_input_is_checked(engine, charge_points, organisation, firmware_settings) -> None:
    image = upload(organisation, "fw-5.0.bin", b"five")
    cp = [charge_points["CP-FW-A"]]
    now = utc_now()
    cases = [
        (("", image.id, cp, now), "name is required"),
        (("x", image.id, [], now), "at least one charge point"),
        (("x", image.id + 99, cp, now), "uploaded firmware image"),
        (("x", image.id, [*cp, 999], now), "not yours"),
        (("x", image.id, cp, now.replace(tzinfo=None)), "time zone"),
    ]
    for (name, image_id, cps, at), message in cases:
        with pytest.raises(errors.FirmwareError, match=message):
            campaigns.create_campaign(organisation.id, name, image_id, cps, at, "ops")
    with pytest.raises(errors.FirmwareError, match="retries must be 0 or more"):
        campaigns.create_campaign(organisation.id, "x", image.id, cp, now, "ops", retries=-1)
    assert campaign_views.list_campaigns({organisation.id}) == []
