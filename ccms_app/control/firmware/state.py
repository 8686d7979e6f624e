"""The Firmware page: upload images, plan campaigns, follow them live, fetch diagnostics.

Live without polling: the page joins the organisation's Home view (on_load) and follows its
pushes (`follows_home`): every push of the realtime publisher (a firmware status, a campaign
run, a diagnostics upload: NetworkEvent kind "firmware") bumps `home_pushes` in the tabs on
this page, and `live` depends on it. Tabs elsewhere are not recomputed.

Times: uploads and campaigns in the operator's zone (`zone`, shown next to the start field,
which is typed and prefilled in it); a campaign target's last status in its charger's
station zone (the operator's when the charger has no station).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from datetime import datetime, timedelta
from typing import Any

import reflex as rx

from ccms_app.accounts import organisations
from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.accounts.state import AuthState
from ccms_app.accounts.state.auth import acting_email
from ccms_app.control.firmware import campaign_views, campaigns, diagnostics, errors, images
from ccms_app.control.rules.campaign_targets import ANY, TargetFilter, choices, matching
from ccms_app.core.i18n import N_, tr
from ccms_app.core.local_time import utc_to_wall_time, wall_time_to_utc
from ccms_app.core.operator_zone import DEFAULT_ZONE, operator_zone_of
from ccms_app.core.types import utc_now
from ccms_app.monitoring.state.home import (
    follow_home_pushes,
    follows_home,
    unfollow_home_pushes,
)
from ccms_app.monitoring.view import format_time
from ccms_app.network.assets import ChargePointFacts, charge_point_facts
from ccms_app.ui.events import background_event, event

log = logging.getLogger(__name__)

UPLOAD_ID = "firmware-upload"
CANCELLABLE = ("planned", "running")
PROGRESS_ORDER = (
    "installed",
    "installing",
    "downloaded",
    "downloading",
    "sent",
    "pending",
    "offline",
    "failed",
    "rejected",
)


@dataclasses.dataclass
class ImageRow:
    id: str = ""
    label: str = ""
    version: str = ""
    file_name: str = ""
    size: str = ""
    sha256: str = ""
    uploaded: str = ""


# Campaign and target statuses (control.models) as the page shows them (`t_var`: the value is
# the message id, so English shows the value itself).
CAMPAIGN_STATUS_NAMES: dict[str, str] = {
    "planned": N_("planned"),
    "running": N_("running"),
    "done": N_("done"),
    "cancelled": N_("cancelled"),
}
TARGET_STATUS_NAMES: dict[str, str] = {
    "pending": N_("pending"),
    "sent": N_("sent"),
    "downloading": N_("downloading"),
    "downloaded": N_("downloaded"),
    "installing": N_("installing"),
    "installed": N_("installed"),
    "failed": N_("failed"),
    "offline": N_("offline"),
    "rejected": N_("rejected"),
}


@dataclasses.dataclass
class ProgressCount:
    """How many targets of a campaign are in one status (worded by the page)."""

    count: int = 0
    status: str = ""


@dataclasses.dataclass
class TargetRow:
    identity: str = ""
    status: str = ""
    detail: str = ""
    at: str = ""


@dataclasses.dataclass
class CampaignRow:
    id: int = 0
    name: str = ""
    image: str = ""
    scheduled: str = ""
    status: str = ""
    # "2 of 3 installed · 1 offline": the page words it in the tab's language
    installed: int = 0
    total: int = 0
    progress: list[ProgressCount] = dataclasses.field(default_factory=list)
    by: str = ""
    cancellable: bool = False
    targets: list[TargetRow] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class DiagnosticsRow:
    key: str = ""
    identity: str = ""
    file_name: str = ""
    size: str = ""
    uploaded: str = ""
    href: str = ""


@dataclasses.dataclass
class FirmwareLiveView:
    campaigns: list[CampaignRow] = dataclasses.field(default_factory=list)
    diagnostics: list[DiagnosticsRow] = dataclasses.field(default_factory=list)


def human_size(size: int) -> str:
    scaled = float(size)
    for unit in ("B", "KB", "MB"):
        if scaled < 1024 or unit == "MB":
            return f"{size:,} {unit}" if unit == "B" else f"{scaled:,.1f} {unit}"
        scaled /= 1024
    return ""


def image_rows(images: list[images.ImageView], zone: str) -> list[ImageRow]:
    """The uploaded images, their upload times in `zone` (the operator's)."""
    now = utc_now()
    return [
        ImageRow(
            id=str(i.id),
            label=f"{i.version} · {i.file_name}",
            version=i.version,
            file_name=i.file_name,
            size=human_size(i.size),
            sha256=i.sha256[:12],
            uploaded=format_time(i.uploaded_at, zone, now),
        )
        for i in images
    ]


def _progress(view: campaign_views.CampaignView) -> list[ProgressCount]:
    """The targets not installed yet, by status (only the statuses some target is in)."""
    return [ProgressCount(view.count(s), s) for s in PROGRESS_ORDER[1:] if view.count(s)]


def target_zone(target: campaign_views.TargetView, operator_zone: str) -> str:
    """A target's times belong to its charger: its station's zone, else the operator's."""
    return target.station_zone or operator_zone


def campaign_rows(views: list[campaign_views.CampaignView], zone: str) -> list[CampaignRow]:
    """The campaigns, their start in `zone` (the operator's), each target's last status in
    its station's zone."""
    now = utc_now()
    return [
        CampaignRow(
            id=v.id,
            name=v.name,
            image=f"{v.image_version} ({v.image_file})",
            scheduled=format_time(v.scheduled_at, zone, now),
            status=v.status,
            installed=v.count("installed"),
            total=len(v.targets),
            progress=_progress(v),
            by=v.created_by,
            cancellable=v.status in CANCELLABLE,
            targets=[
                TargetRow(
                    identity=t.identity,
                    status=t.status,
                    detail=t.detail,
                    at=format_time(t.last_status_at, target_zone(t, zone), now)
                    if t.last_status_at
                    else "",
                )
                for t in v.targets
            ],
        )
        for v in views
    ]


def diagnostics_rows(views: list[diagnostics.DiagnosticsView], zone: str) -> list[DiagnosticsRow]:
    """The diagnostics files, their upload times in `zone` (the operator's)."""
    now = utc_now()
    return [
        DiagnosticsRow(
            key=str(d.id),
            identity=d.identity,
            file_name=d.file_name,
            size=human_size(d.size),
            uploaded=format_time(d.uploaded_at, zone, now),
            href=d.download_path,
        )
        for d in views
    ]


def load_live_view(scope: list[int], zone: str) -> FirmwareLiveView:
    """The pushed part of the page; `zone` is the operator's."""
    return FirmwareLiveView(
        campaigns=campaign_rows(campaign_views.list_campaigns(scope), zone),
        diagnostics=diagnostics_rows(diagnostics.list_diagnostics(scope), zone),
    )


def parse_form_time(text: str, zone: str) -> datetime:
    """The datetime-local field, typed in `zone` (the operator's), in UTC; empty means now.
    A wall time daylight saving skips or repeats is read with fold=0 (`rules.local_time`)."""
    try:
        when = wall_time_to_utc(text, zone)
    except ValueError as exc:
        raise errors.FirmwareError(tr("scheduled time must be a date and time")) from exc
    return utc_now() if when is None else when


@dataclasses.dataclass
class ChargePointChoice:
    id: int = 0
    identity: str = ""
    station: str = ""
    model: str = ""
    firmware_version: str = ""


ANY_OPTION = "__any__"  # a select item cannot have an empty value: "any station" etc.
PICKER_SHOWN = 300  # checkboxes drawn at once; "select all matching" takes every match


def _choices(facts: list[ChargePointFacts]) -> list[ChargePointChoice]:
    return [
        ChargePointChoice(f.id, f.identity, f.station, f.model, f.firmware_version) for f in facts
    ]


@guarded(Module.FIRMWARE)
@follows_home
class FirmwareState(rx.State):
    """Per tab: the forms and the operator's scope; `live` is the pushed part."""

    images: rx.Field[list[ImageRow]] = rx.field(default_factory=list)
    upload_version: str = ""
    upload_busy: bool = False
    campaign_name: str = ""
    campaign_image: str = ""
    campaign_when: str = ""
    selected: rx.Field[list[int]] = rx.field(default_factory=list)
    charge_points: rx.Field[list[ChargePointChoice]] = rx.field(default_factory=list)
    picker_search: str = ""
    picker_station: str = ANY
    picker_model: str = ANY
    picker_firmware: str = ANY
    diagnostics_cp: str = ""
    diagnostics_busy: bool = False
    revision: int = 0  # bumped after the operator's own changes, to refresh `live`
    home_pushes: int = 0  # bumped by Home's pushes while this tab shows the page
    zone: str = DEFAULT_ZONE  # the operator's: campaign and upload times, the start field
    _scope: list[int] = []
    _organisation_id: int = 0

    @rx.var
    async def live(self) -> FirmwareLiveView:
        _pushed, _changed = self.home_pushes, self.revision  # the dependencies
        if not self._scope:
            return FirmwareLiveView()
        try:
            return await asyncio.to_thread(load_live_view, list(self._scope), self.zone)
        except Exception:
            log.exception("firmware view unavailable")
            return FirmwareLiveView()

    @event
    async def load(self) -> None:
        """on_load (after the login check and HomeState.join)."""
        auth_state = await self.get_state(AuthState)
        if not auth_state.is_authenticated:
            return
        self._organisation_id = auth_state._organisation_id
        scope = await asyncio.to_thread(organisations.organisation_scope, self._organisation_id)
        self._scope = sorted(scope)
        follow_home_pushes(self)
        zone = await asyncio.to_thread(operator_zone_of, self._organisation_id)
        if zone != self.zone:  # a start typed in another zone would move: offer a new one
            self.zone, self.campaign_when = zone, ""
        self.images = image_rows(
            await asyncio.to_thread(images.list_images, self._scope), self.zone
        )
        self.charge_points = _choices(await asyncio.to_thread(charge_point_facts, self._scope))
        if not self.campaign_image and self.images:
            self.campaign_image = self.images[0].id
        self.campaign_when = self.campaign_when or _default_when(self.zone)
        self.revision += 1

    @event
    def leave(self) -> None:
        """The page is gone: stop reloading on every push."""
        self._scope = []
        unfollow_home_pushes(self)

    @event
    def set_upload_version(self, value: str) -> None:
        self.upload_version = value

    @event
    def set_campaign_name(self, value: str) -> None:
        self.campaign_name = value

    @event
    def set_campaign_image(self, value: str) -> None:
        self.campaign_image = value

    @event
    def set_campaign_when(self, value: str) -> None:
        self.campaign_when = value

    @event
    def set_diagnostics_cp(self, value: str) -> None:
        self.diagnostics_cp = value

    @event
    def toggle(self, charge_point_id: int, checked: bool) -> None:
        chosen = [c for c in self.selected if c != charge_point_id]
        self.selected = [*chosen, charge_point_id] if checked else chosen

    def _filter(self) -> TargetFilter:
        return TargetFilter(
            self.picker_search, self.picker_station, self.picker_model, self.picker_firmware
        )

    @rx.var
    def matching_charge_points(self) -> list[ChargePointChoice]:
        """The charge points the picker's filters let through (the first PICKER_SHOWN)."""
        return matching(self.charge_points, self._filter())[:PICKER_SHOWN]

    @rx.var
    def matching_count(self) -> int:
        return len(matching(self.charge_points, self._filter()))

    @rx.var
    def station_choices(self) -> list[str]:
        return choices([cp.station for cp in self.charge_points])

    @rx.var
    def model_choices(self) -> list[str]:
        return choices([cp.model for cp in self.charge_points])

    @rx.var
    def firmware_choices(self) -> list[str]:
        return choices([cp.firmware_version for cp in self.charge_points])

    @event
    def set_picker(self, name: str, value: str) -> None:
        """A picker filter: search, station, model or firmware (ANY_OPTION: any)."""
        value = ANY if value == ANY_OPTION else value
        if name == "search":
            self.picker_search = value[:64]
        elif name == "station":
            self.picker_station = value
        elif name == "model":
            self.picker_model = value
        elif name == "firmware":
            self.picker_firmware = value

    @event
    def select_all(self) -> None:
        """Every charge point the filters let through, added to those chosen already."""
        found = [cp.id for cp in matching(self.charge_points, self._filter())]
        self.selected = list(dict.fromkeys([*self.selected, *found]))

    @event
    def clear_selection(self) -> None:
        self.selected = []

    @requires(Action.EDIT)
    @event
    async def upload_image(self, files: list[rx.UploadFile]):
        if not files:
            return rx.toast.error(tr("Choose a firmware file first."))
        email = await self._operator_email()
        if not email:
            return rx.toast.error(_session_ended())
        upload = files[0]
        try:
            image = await asyncio.to_thread(
                images.store_firmware,
                self._organisation_id,
                upload.name or "firmware.bin",
                self.upload_version,
                upload.file,
                email,
            )
        except errors.FirmwareError as exc:
            return rx.toast.error(tr("Not uploaded: {error}.", error=exc))
        self.images = image_rows(
            await asyncio.to_thread(images.list_images, self._scope), self.zone
        )
        self.charge_points = _choices(await asyncio.to_thread(charge_point_facts, self._scope))
        self.campaign_image = str(image.id)
        self.upload_version = ""
        return [
            rx.clear_selected_files(UPLOAD_ID),
            rx.toast.success(
                tr(
                    "Firmware {version} uploaded ({size}).",
                    version=image.version,
                    size=human_size(image.size),
                )
            ),
        ]

    @requires(Action.EDIT)
    @event
    async def create_campaign(self):
        email = await self._operator_email()
        if not email:
            return rx.toast.error(_session_ended())
        try:
            view = await asyncio.to_thread(
                campaigns.create_campaign,
                self._organisation_id,
                self.campaign_name,
                int(self.campaign_image or 0),
                list(self.selected),
                parse_form_time(self.campaign_when, self.zone),
                email,
                scope=self._scope,
            )
        except errors.FirmwareError as exc:
            return rx.toast.error(tr("Campaign not created: {error}.", error=exc))
        self.campaign_name = ""
        self.selected = []
        self.revision += 1
        return rx.toast.success(
            tr(
                "Campaign “{name}” planned for {count} charge point(s).",
                name=view.name,
                count=len(view.targets),
            )
        )

    @requires(Action.EDIT)
    @event
    async def cancel_campaign(self, campaign_id: int):
        email = await self._operator_email()
        try:
            await asyncio.to_thread(campaigns.cancel_campaign, campaign_id, self._scope, email)
        except errors.FirmwareError as exc:
            return rx.toast.error(tr("Not cancelled: {error}.", error=exc))
        self.revision += 1
        return rx.toast.success(tr("Campaign cancelled."))

    @requires(Action.CONTROL)
    @background_event
    async def request_diagnostics(self):
        async with self:
            if self.diagnostics_busy or not self.diagnostics_cp:
                return rx.toast.error(tr("Choose a charge point first."))
            self.diagnostics_busy = True
            cp_id, scope = int(self.diagnostics_cp), list(self._scope)
            email = await self._operator_email()
        message, ok = await _request_diagnostics(cp_id, scope, email)
        async with self:
            self.diagnostics_busy = False
        return rx.toast.success(message) if ok else rx.toast.error(message)

    async def _operator_email(self) -> str:
        auth_state = await self.get_state(AuthState)
        return acting_email(auth_state)


def _session_ended() -> str:
    return tr("Your session has ended. Log in again.")


def _default_when(zone: str) -> str:
    """The start field's first value: five minutes from now, on the wall clock of `zone`."""
    return utc_to_wall_time(utc_now() + timedelta(minutes=5), zone)


async def _request_diagnostics(cp_id: int, scope: list[int], email: str) -> tuple[str, bool]:
    if not email:
        return _session_ended(), False
    try:
        view = await diagnostics.request_diagnostics(cp_id, email, scope=scope)
    except LookupError as exc:
        return tr("Diagnostics not requested: {error}.", error=exc), False
    except Exception as exc:
        log.exception("diagnostics request failed", extra={"cp": cp_id})
        return tr("Diagnostics could not be requested: {error}", error=exc), False
    if view.status == "accepted":
        return tr("Diagnostics requested: the file appears below once uploaded."), True
    texts: dict[str, Any] = {
        "offline": tr("the charge point is offline"),
        "timed_out": tr("the charge point did not answer"),
    }
    reason = texts.get(view.status, view.error or view.status)
    return tr("Diagnostics not requested: {error}.", error=reason), False
