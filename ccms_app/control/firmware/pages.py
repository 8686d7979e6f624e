"""Firmware: upload images, roll them out in campaigns, follow each charge point live, and
collect diagnostics files from charge points."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from ccms_app.branding.components.brand import page_title
from ccms_app.control.firmware.state import (
    ANY_OPTION,
    PICKER_SHOWN,
    UPLOAD_ID,
    CampaignRow,
    ChargePointChoice,
    DiagnosticsRow,
    FirmwareState,
    ImageRow,
    ProgressCount,
    TargetRow,
)
from ccms_app.monitoring.state.home import HomeState
from ccms_app.ui.cards import empty_note, section
from ccms_app.ui.i18n import Text, t, t_var, t_with
from ccms_app.ui.inputs import text_input
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import live_indicator, page_header
from ccms_app.ui.permissions import allowed, when_allowed
from ccms_app.ui.table import cell, data_table

S = FirmwareState

ROUTE = "/firmware"
TITLE = page_title("Firmware")

TARGET_COLOURS = {
    "pending": "gray",
    "sent": "blue",
    "downloading": "cyan",
    "downloaded": "cyan",
    "installing": "amber",
    "installed": "green",
    "failed": "red",
    "offline": "gray",
    "rejected": "orange",
}
CAMPAIGN_COLOURS = {"planned": "blue", "running": "amber", "done": "green", "cancelled": "gray"}


def _badge(value: rx.Var, colours: dict[str, str], **props) -> rx.Component:
    """A campaign's or target's status (state.CAMPAIGN_STATUS_NAMES, TARGET_STATUS_NAMES) in
    the tab's language."""
    return rx.badge(
        t_var(value),
        color_scheme=rx.match(value, *colours.items(), "gray"),
        variant="soft",
        radius="full",
        **props,
    )


def _field(label: Text, control: rx.Component) -> rx.Component:
    return rx.vstack(rx.text(label, size="2", weight="medium"), control, spacing="1", width="100%")


# ---- upload --------------------------------------------------------------------------------


def image_row(image: ObjectVar[ImageRow]) -> rx.Component:
    return rx.table.row(
        cell(rx.text(image.version, weight="medium")),
        cell(image.file_name),
        cell(image.size),
        cell(rx.code(image.sha256, size="1")),
        cell(image.uploaded),
        custom_attrs={"data-testid": f"image-{image.id}"},
    )


def upload_card() -> rx.Component:
    dropzone = rx.upload(
        rx.vstack(
            rx.icon("upload", size=20, color=rx.color("gray", 10)),
            rx.text(t("Drop a firmware file here, or click to choose"), size="2"),
            rx.foreach(
                rx.selected_files(UPLOAD_ID),
                lambda name: rx.text(name, size="1", weight="medium", color=rx.color("teal", 11)),
            ),
            align="center",
            spacing="1",
        ),
        id=UPLOAD_ID,
        multiple=False,
        max_files=1,
        border=f"1px dashed {rx.color('gray', 7)}",
        border_radius="8px",
        padding="16px",
        width="100%",
        custom_attrs={"data-testid": "firmware-dropzone"},
    )
    return rx.card(
        rx.vstack(
            rx.heading(t("Upload an image"), size="3"),
            dropzone,
            _field(
                t("Version (taken from the file name when empty)"),
                text_input(
                    value=FirmwareState.upload_version,
                    on_change=FirmwareState.set_upload_version,
                    placeholder=t("e.g. 2.1.0"),
                    width="100%",
                    custom_attrs={"data-testid": "firmware-version"},
                ),
            ),
            rx.button(
                rx.icon("hard-drive-upload", size=16),
                t("Upload"),
                on_click=FirmwareState.upload_image(rx.upload_files(upload_id=UPLOAD_ID)),
                custom_attrs={"data-testid": "firmware-upload-button"},
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


# ---- new campaign --------------------------------------------------------------------------


def charge_point_choice(cp: ObjectVar[ChargePointChoice]) -> rx.Component:
    return rx.checkbox(
        cp.identity,
        checked=FirmwareState.selected.contains(cp.id),
        on_change=lambda checked: FirmwareState.toggle(cp.id, checked),
        size="2",
        custom_attrs={"data-testid": f"choose-{cp.identity}"},
    )


def _picker_filter(name: str, label: Text, options: rx.Var) -> rx.Component:
    """A select narrowing the picker to one station / model / firmware version."""
    values = {"station": S.picker_station, "model": S.picker_model, "firmware": S.picker_firmware}
    return rx.select.root(
        rx.select.trigger(
            placeholder=label, width="100%", custom_attrs={"data-testid": f"picker-{name}"}
        ),
        rx.select.content(
            rx.select.item(t_with("{label}: all", label=label), value=ANY_OPTION),
            rx.foreach(options, lambda o: rx.select.item(o, value=o)),
        ),
        value=rx.cond(values[name] == "", ANY_OPTION, values[name]),
        on_change=lambda value: S.set_picker(name, value),
    )


def _picker_filters() -> rx.Component:
    return rx.grid(
        text_input(
            rx.input.slot(rx.icon("search", size=14)),
            value=S.picker_search,
            on_change=lambda value: S.set_picker("search", value),
            placeholder=t("Identity contains…"),
            type="search",
            width="100%",
            custom_attrs={"data-testid": "picker-search"},
        ),
        _picker_filter("station", t("Station"), S.station_choices),
        _picker_filter("model", t("Model"), S.model_choices),
        _picker_filter("firmware", t("Firmware"), S.firmware_choices),
        columns=rx.breakpoints(initial="1", sm="2", lg="4"),
        gap="8px",
        width="100%",
    )


def charge_point_chooser() -> rx.Component:
    """Thousands of chargers: narrow them down, then take every match at once."""
    return rx.vstack(
        rx.flex(
            rx.text(
                t_with("Charge points ({count} chosen)", count=S.selected.length()),
                size="2",
                weight="medium",
            ),
            rx.spacer(),
            rx.button(
                t_with("Add all {count} matching", count=S.matching_count),
                size="1",
                variant="soft",
                on_click=S.select_all,
                disabled=S.matching_count == 0,
                custom_attrs={"data-testid": "picker-select-matching"},
            ),
            rx.button(
                t("None"),
                size="1",
                variant="soft",
                color_scheme="gray",
                on_click=S.clear_selection,
                custom_attrs={"data-testid": "picker-clear"},
            ),
            width="100%",
            align="center",
            wrap="wrap",
            gap="8px",
        ),
        _picker_filters(),
        rx.cond(
            S.charge_points.length() > 0,
            rx.vstack(
                rx.flex(
                    rx.foreach(S.matching_charge_points, charge_point_choice),
                    wrap="wrap",
                    spacing="3",
                    max_height="160px",
                    overflow_y="auto",
                    width="100%",
                ),
                rx.cond(
                    S.matching_count > PICKER_SHOWN,
                    rx.text(
                        t_with(
                            "The first {shown} of {count} shown: narrow the search, or add all.",
                            shown=PICKER_SHOWN,
                            count=S.matching_count,
                        ),
                        size="1",
                        color=rx.color("gray", 11),
                    ),
                ),
                rx.cond(S.matching_count == 0, empty_note(t("No charge point matches."))),
                spacing="1",
                width="100%",
            ),
            empty_note(t("No charge points yet.")),
        ),
        spacing="2",
        width="100%",
    )


def campaign_form() -> rx.Component:
    image_picker = rx.select.root(
        rx.select.trigger(
            placeholder=t("Upload an image first"),
            width="100%",
            custom_attrs={"data-testid": "campaign-image"},
        ),
        rx.select.content(
            rx.foreach(FirmwareState.images, lambda i: rx.select.item(i.label, value=i.id))
        ),
        value=FirmwareState.campaign_image,
        on_change=FirmwareState.set_campaign_image,
    )
    return rx.card(
        rx.vstack(
            rx.heading(t("New campaign"), size="3"),
            _field(
                t("Name"),
                text_input(
                    value=FirmwareState.campaign_name,
                    on_change=FirmwareState.set_campaign_name,
                    placeholder=t("e.g. Depot chargers to 2.1.0"),
                    width="100%",
                    custom_attrs={"data-testid": "campaign-name"},
                ),
            ),
            _field(t("Firmware image"), image_picker),
            _field(
                t_with("Start ({zone})", zone=FirmwareState.zone),
                text_input(
                    type="datetime-local",
                    value=FirmwareState.campaign_when,
                    on_change=FirmwareState.set_campaign_when,
                    width="100%",
                    custom_attrs={"data-testid": "campaign-when"},
                ),
            ),
            charge_point_chooser(),
            rx.button(
                rx.icon("calendar-clock", size=16),
                t("Plan campaign"),
                on_click=FirmwareState.create_campaign,
                custom_attrs={"data-testid": "campaign-create"},
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


# ---- campaigns -------------------------------------------------------------------------------


def target_row(target: ObjectVar[TargetRow]) -> rx.Component:
    return rx.table.row(
        cell(rx.text(target.identity, weight="medium")),
        cell(_badge(target.status, TARGET_COLOURS)),
        cell(rx.text(target.detail, size="1", color=rx.color("gray", 11))),
        cell(rx.text(target.at, size="1")),
        custom_attrs={"data-testid": f"target-{target.identity}"},
    )


def _progress_part(part: ObjectVar[ProgressCount]) -> rx.Component:
    return rx.fragment(
        " · ", t_with("{count} {status}", count=part.count, status=t_var(part.status))
    )


def progress_summary(campaign: ObjectVar[CampaignRow]) -> rx.Component:
    """ "2 of 3 installed · 1 offline" in the tab's language."""
    return rx.text(
        t_with(
            "{installed} of {total} installed",
            installed=campaign.installed,
            total=campaign.total,
        ),
        rx.foreach(campaign.progress, _progress_part),
        size="2",
        weight="medium",
        custom_attrs={"data-testid": f"campaign-progress-{campaign.id}"},
    )


def campaign_card(campaign: ObjectVar[CampaignRow]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.vstack(
                    rx.hstack(
                        rx.text(campaign.name, weight="bold", size="3"),
                        _badge(campaign.status, CAMPAIGN_COLOURS),
                        align="center",
                        spacing="2",
                        wrap="wrap",
                    ),
                    rx.text(
                        t_with(
                            "Firmware {image} · starts {scheduled} · by {by}",
                            image=campaign.image,
                            scheduled=campaign.scheduled,
                            by=campaign.by,
                        ),
                        size="1",
                        color=rx.color("gray", 11),
                    ),
                    spacing="1",
                ),
                rx.spacer(),
                rx.cond(
                    campaign.cancellable & allowed(FirmwareState.cancel_campaign),
                    rx.button(
                        t("Cancel"),
                        size="1",
                        variant="soft",
                        color_scheme="red",
                        on_click=FirmwareState.cancel_campaign(campaign.id),
                    ),
                ),
                width="100%",
                align="start",
                wrap="wrap",
                spacing="2",
            ),
            progress_summary(campaign),
            data_table(
                [t("Charge point"), t("Progress"), t("Detail"), t("Last update")],
                campaign.targets,
                target_row,
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        custom_attrs={"data-testid": f"campaign-{campaign.id}"},
    )


def campaigns_section() -> rx.Component:
    return section(
        t("Campaigns"),
        rx.cond(
            FirmwareState.live.campaigns.length() > 0,
            rx.vstack(
                rx.foreach(FirmwareState.live.campaigns, campaign_card), spacing="3", width="100%"
            ),
            empty_note(t("No campaign yet. Upload an image and plan one above.")),
        ),
    )


# ---- diagnostics -----------------------------------------------------------------------------


def diagnostics_row(row: ObjectVar[DiagnosticsRow]) -> rx.Component:
    return rx.table.row(
        cell(rx.text(row.identity, weight="medium")),
        cell(
            rx.link(
                rx.hstack(rx.icon("download", size=14), row.file_name, spacing="1", align="center"),
                href=row.href,
                download=row.file_name,
                # A document request: a client-side route change would show the app's 404.
                reload_document=True,
                color=rx.color("teal", 11),
            )
        ),
        cell(row.size),
        cell(row.uploaded),
        custom_attrs={"data-testid": f"diagnostics-{row.key}"},
    )


def diagnostics_section() -> rx.Component:
    picker = rx.select.root(
        rx.select.trigger(
            placeholder=t("Charge point"), custom_attrs={"data-testid": "diagnostics-cp"}
        ),
        rx.select.content(
            rx.foreach(
                FirmwareState.charge_points,
                lambda cp: rx.select.item(cp.identity, value=cp.id.to_string()),
            )
        ),
        value=FirmwareState.diagnostics_cp,
        on_change=FirmwareState.set_diagnostics_cp,
    )
    return section(
        t("Diagnostics"),
        when_allowed(
            FirmwareState.request_diagnostics,
            rx.flex(
                picker,
                rx.button(
                    rx.icon("file-search", size=16),
                    t("Request diagnostics"),
                    on_click=FirmwareState.request_diagnostics,
                    loading=FirmwareState.diagnostics_busy,
                    custom_attrs={"data-testid": "diagnostics-request"},
                ),
                spacing="2",
                wrap="wrap",
                align="center",
            ),
        ),
        rx.cond(
            FirmwareState.live.diagnostics.length() > 0,
            data_table(
                [t("Charge point"), t("File"), t("Size"), t("Uploaded")],
                FirmwareState.live.diagnostics,
                diagnostics_row,
                testid="diagnostics-files",
            ),
            empty_note(t("No diagnostics uploaded yet.")),
        ),
    )


def images_section() -> rx.Component:
    return rx.cond(
        FirmwareState.images.length() > 0,
        section(
            t("Images"),
            data_table(
                [t("Version"), t("File"), t("Size"), t("SHA-256"), t("Uploaded")],
                FirmwareState.images,
                image_row,
                testid="firmware-images",
            ),
        ),
    )


def page() -> rx.Component:
    return app_shell(
        ROUTE,
        page_header(
            t("Firmware"),
            t("Roll out firmware to chosen charge points and collect diagnostics."),
            live_indicator(HomeState.updated_at),
        ),
        when_allowed(  # uploading and planning: firmware:edit
            FirmwareState.create_campaign,
            rx.grid(
                upload_card(),
                campaign_form(),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="4",
                width="100%",
            ),
        ),
        images_section(),
        campaigns_section(),
        diagnostics_section(),
        rx.box(on_unmount=FirmwareState.leave, display="none"),
    )
