"""The Firmware page's times: uploads and campaigns in the operator's zone (the start field
is typed and prefilled in it, and its label names it); a campaign target's last status in
its charger's station zone, the operator's when the charger has no station."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from ccms_app.accounts.models import Organisation
from ccms_app.control.firmware import campaign_views, campaigns, errors, images
from ccms_app.control.firmware.campaign_views import CampaignView, TargetView
from ccms_app.control.firmware.diagnostics import DiagnosticsView
from ccms_app.control.firmware.images import ImageView
from ccms_app.control.firmware.state import (
    FirmwareState,
    _default_when,
    campaign_rows,
    diagnostics_rows,
    image_rows,
    load_live_view,
    parse_form_time,
)
from ccms_app.control.models import FirmwareCampaign
from ccms_app.core.local_time import wall_time_to_utc
from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now
from ccms_app.finance.models import BillingProfile
from ccms_app.network.models import ChargePoint, Station
from tests.control.firmware_support import firmware_settings
from tests.finance.wallets.tabs import login

__all__ = ["firmware_settings"]

LONG_AGO = datetime(2020, 12, 6, 9, 0, tzinfo=UTC)  # not today: shown with its date
FIRMWARE_STAFF = {"firmware:view", "firmware:edit"}


def _campaign(*targets: TargetView) -> CampaignView:
    return CampaignView(
        id=1,
        name="Depot",
        image_id=1,
        image_version="2.1.0",
        image_file="fw.bin",
        scheduled_at=LONG_AGO,
        status="running",
        runs=1,
        created_by="ops@example.com",
        started_at=LONG_AGO,
        finished_at=None,
        targets=targets,
    )


def _target(identity: str, zone: str, at: datetime | None = LONG_AGO) -> TargetView:
    return TargetView(1, identity, "installed", "", at, station_zone=zone)


# --- pure: the rows and the start field -------------------------------------------------------


def test_a_berlin_operator_typing_10_00_schedules_09_00_utc() -> None:
    assert parse_form_time("2026-12-06T10:00", "Europe/Berlin") == datetime(
        2026, 12, 6, 9, 0, tzinfo=UTC
    )
    assert parse_form_time("2026-07-01T10:00", "Europe/Berlin") == datetime(
        2026, 7, 1, 8, 0, tzinfo=UTC
    )
    assert parse_form_time("2026-12-06T10:00", "America/Chicago") == datetime(
        2026, 12, 6, 16, 0, tzinfo=UTC
    )
    # a time daylight saving skips is read, not refused (fold=0: the offset before)
    assert parse_form_time("2026-03-29T02:30", "Europe/Berlin") == datetime(
        2026, 3, 29, 1, 30, tzinfo=UTC
    )
    before = utc_now()
    assert before <= parse_form_time("", "Europe/Berlin") <= utc_now()  # empty: now
    with pytest.raises(errors.FirmwareError, match="must be a date and time"):
        parse_form_time("soon", "Europe/Berlin")


def test_the_start_field_is_prefilled_on_the_operators_clock() -> None:
    soon = wall_time_to_utc(_default_when("Asia/Shanghai"), "Asia/Shanghai")
    assert soon is not None
    assert timedelta(minutes=3) < soon - utc_now() <= timedelta(minutes=5)


def test_campaign_and_upload_times_are_in_the_operators_zone() -> None:
    [row] = campaign_rows([_campaign()], "Europe/Berlin")
    assert row.scheduled == "2020-12-06 10:00 CET"
    image = ImageView(1, "fw.bin", "x.bin", "2.1.0", "ab" * 32, 10, "ops", LONG_AGO)
    assert image_rows([image], "America/Chicago")[0].uploaded == "2020-12-06 03:00 CST"
    upload = DiagnosticsView(1, 2, "CP-1", "diag.zip", 10, "cd" * 32, LONG_AGO)
    assert diagnostics_rows([upload], "Europe/Berlin")[0].uploaded == "2020-12-06 10:00 CET"


def test_a_target_time_is_in_its_station_zone_else_the_operators() -> None:
    campaign = _campaign(
        _target("CP-NY", "America/New_York"),
        _target("CP-LOOSE", ""),  # no station
        _target("CP-NEW", "Asia/Tokyo", at=None),
    )
    [row] = campaign_rows([campaign], "Europe/Berlin")
    assert [(t.identity, t.at) for t in row.targets] == [
        ("CP-NY", "2020-12-06 04:00 EST"),
        ("CP-LOOSE", "2020-12-06 10:00 CET"),
        ("CP-NEW", ""),
    ]


# --- on the database: the page's state ---------------------------------------------------------


@pytest.fixture
def berlin(session: Session, organisation: Organisation) -> dict[str, int]:
    """A Berlin operator with a charger in a New York station and one without a station."""
    org = stored_id(organisation.id)
    session.add(BillingProfile(organisation_id=org, time_zone="Europe/Berlin"))
    station = Station(organisation_id=org, name="Manhattan", timezone="America/New_York")
    session.add(station)
    session.commit()
    ids = {}
    for identity, station_id in (("CP-NY", station.id), ("CP-LOOSE", None)):
        cp = ChargePoint(
            identity=identity,
            organisation_id=org,
            station_id=station_id,
            registration_state="registered",
        )
        session.add(cp)
        session.commit()
        ids[identity] = stored_id(cp.id)
    return ids


async def test_the_page_reads_and_shows_the_start_in_the_operators_zone(
    engine: Any,
    organisation: Organisation,
    berlin: dict[str, int],
    firmware_settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(campaigns, "schedule_campaign", lambda *_: None)  # no scheduler here
    org = stored_id(organisation.id)
    images.store_firmware(org, "fw-2.1.0.bin", "", io.BytesIO(b"new"), "ops@example.com")
    tab = login(org, "ops@example.com", FIRMWARE_STAFF).at("/firmware")
    await tab.send(FirmwareState, "load")
    page = await tab.state(FirmwareState)
    assert page.zone == "Europe/Berlin"  # the start field's label names it
    prefilled = wall_time_to_utc(page.campaign_when, "Europe/Berlin")
    assert prefilled is not None and timedelta(minutes=3) < prefilled - utc_now()
    assert prefilled - utc_now() <= timedelta(minutes=5)
    assert page.images[0].uploaded.endswith("CET")

    await tab.send(FirmwareState, "set_campaign_name", value="Depot")
    await tab.send(FirmwareState, "set_campaign_when", value="2026-12-06T10:00")
    for cp_id in berlin.values():
        await tab.send(FirmwareState, "toggle", charge_point_id=cp_id, checked=True)
    await tab.send(FirmwareState, "create_campaign")
    with Session(engine) as session:
        [stored] = session.exec(select(FirmwareCampaign)).all()
    assert stored.scheduled_at.replace(tzinfo=UTC) == datetime(2026, 12, 6, 9, 0, tzinfo=UTC)

    [view] = campaign_views.list_campaigns([org])
    zones = {t.identity: t.station_zone for t in view.targets}
    assert zones == {"CP-NY": "America/New_York", "CP-LOOSE": ""}
    [row] = load_live_view([org], "Europe/Berlin").campaigns
    assert "10:00" in row.scheduled and row.scheduled.endswith("CET")  # shown back
