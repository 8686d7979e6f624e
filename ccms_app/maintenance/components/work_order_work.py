"""The technician's tools on a work order's page, built for one thumb on a 360 px phone:
full-width buttons at least 44 px high, one column, nothing wider than the screen.
Status moves, note, photo (the phone's camera), part and time."""

from __future__ import annotations

import reflex as rx

from ccms_app.maintenance.state.work_orders_detail import ACTION_LABELS, PHOTO_UPLOAD_ID
from ccms_app.maintenance.state.work_orders_detail import WorkOrderDetailState as D
from ccms_app.ui.dialogs import keyed_error
from ccms_app.ui.i18n import t
from ccms_app.ui.inputs import text_area, text_input
from ccms_app.ui.permissions import when_allowed

TOUCH = {"size": "3", "width": "100%", "min_height": "48px"}
ACTION_ICONS = {
    "claim": "hand",
    "start": "play",
    "hold": "pause",
    "resume": "play",
    "resolve": "circle-check",
    "close": "archive",
    "reopen": "rotate-ccw",
}
ACTION_COLOURS = {"resolve": "green", "close": "gray", "hold": "amber", "reopen": "orange"}


def _action_button(action: str) -> rx.Component:
    return rx.cond(
        D.actions.contains(action),
        rx.button(
            rx.icon(ACTION_ICONS[action], size=18),
            t(ACTION_LABELS[action]),
            on_click=D.act(action),
            loading=D.busy,
            color_scheme=ACTION_COLOURS.get(action, "teal"),
            variant="solid" if action in ("claim", "start", "resolve") else "soft",
            custom_attrs={"data-testid": f"work-order-{action}"},
            **TOUCH,
        ),
    )


def status_moves() -> rx.Component:
    """The moves this person may make now; resolve, hold and reopen take the text above."""
    needs_text = (
        D.actions.contains("resolve") | D.actions.contains("hold") | D.actions.contains("reopen")
    )
    return rx.vstack(
        rx.cond(
            needs_text,
            rx.vstack(
                rx.text(t("Resolution, or why on hold / reopened"), size="2", weight="medium"),
                text_area(
                    value=D.reason,
                    on_change=D.set_reason,
                    placeholder=t("What was done / why"),
                    width="100%",
                    rows="3",
                    size="3",
                    custom_attrs={"data-testid": "work-order-reason"},
                ),
                keyed_error(D.errors, "resolution", "work-order-resolution-error"),
                width="100%",
                spacing="1",
            ),
        ),
        rx.grid(
            *[_action_button(a) for a in ACTION_LABELS],
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="2",
            width="100%",
        ),
        keyed_error(D.errors, "form", "work-order-error"),
        width="100%",
        spacing="2",
    )


def note_form() -> rx.Component:
    return rx.vstack(
        text_area(
            value=D.note,
            on_change=D.set_note,
            placeholder=t("What you found, what you tried…"),
            width="100%",
            rows="3",
            size="3",
            custom_attrs={"data-testid": "work-order-note"},
        ),
        keyed_error(D.errors, "text", "work-order-note-error"),
        rx.button(
            rx.icon("message-square-plus", size=18),
            t("Add note"),
            on_click=D.add_note,
            loading=D.busy,
            variant="soft",
            custom_attrs={"data-testid": "work-order-add-note"},
            **TOUCH,
        ),
        width="100%",
        spacing="2",
    )


def photo_form() -> rx.Component:
    picker = rx.upload(
        rx.vstack(
            rx.icon("camera", size=28, color=rx.color("teal", 10)),
            rx.text(t("Take or choose a photo"), size="3", weight="medium"),
            rx.foreach(
                rx.selected_files(PHOTO_UPLOAD_ID),
                lambda name: rx.text(name, size="2", color=rx.color("teal", 11)),
            ),
            align="center",
            spacing="1",
        ),
        id=PHOTO_UPLOAD_ID,
        accept={"image/*": []},
        multiple=False,
        max_files=1,
        border=f"2px dashed {rx.color('gray', 7)}",
        border_radius="10px",
        padding="16px",
        width="100%",
        custom_attrs={"data-testid": "work-order-photo-picker"},
    )
    return rx.vstack(
        picker,
        keyed_error(D.errors, "file", "work-order-photo-error"),
        rx.button(
            rx.icon("image-up", size=18),
            t("Upload photo"),
            on_click=D.upload_photo(rx.upload_files(upload_id=PHOTO_UPLOAD_ID)),
            loading=D.busy,
            variant="soft",
            custom_attrs={"data-testid": "work-order-upload-photo"},
            **TOUCH,
        ),
        rx.grid(
            rx.foreach(
                D.photo_rows,
                lambda p: rx.link(
                    rx.image(
                        src=p["url"],
                        alt=p["name"],
                        width="100%",
                        height="96px",
                        object_fit="cover",
                        border_radius="6px",
                    ),
                    href=p["url"],
                    custom_attrs={"data-testid": "work-order-photo"},
                ),
            ),
            columns="3",
            spacing="2",
            width="100%",
        ),
        width="100%",
        spacing="2",
    )


def part_and_time_form() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            text_input(
                value=D.part,
                on_change=D.set_part,
                placeholder=t("Part used"),
                size="3",
                flex="1",
                min_width="0",
                custom_attrs={"data-testid": "work-order-part"},
            ),
            text_input(
                value=D.quantity,
                on_change=D.set_quantity,
                type="number",
                size="3",
                width="72px",
                custom_attrs={"data-testid": "work-order-quantity"},
            ),
            width="100%",
            spacing="2",
        ),
        keyed_error(D.errors, "part", "work-order-part-error"),
        keyed_error(D.errors, "quantity", "work-order-quantity-error"),
        rx.button(
            rx.icon("package-plus", size=18),
            t("Add part"),
            on_click=D.add_part,
            variant="soft",
            custom_attrs={"data-testid": "work-order-add-part"},
            **TOUCH,
        ),
        rx.foreach(D.part_rows, lambda p: rx.text("• ", p["text"], size="2")),
        text_input(
            value=D.minutes,
            on_change=D.set_minutes,
            type="number",
            placeholder=t("Minutes spent"),
            size="3",
            width="100%",
            custom_attrs={"data-testid": "work-order-minutes"},
        ),
        keyed_error(D.errors, "minutes", "work-order-minutes-error"),
        rx.button(
            rx.icon("timer", size=18),
            t("Log time"),
            on_click=D.log_time,
            variant="soft",
            custom_attrs={"data-testid": "work-order-log-time"},
            **TOUCH,
        ),
        width="100%",
        spacing="2",
    )


def work_tools() -> rx.Component:
    """Everything that changes the work order, for roles that may (maintenance:edit)."""
    return when_allowed(
        D.act,
        rx.vstack(
            status_moves(),
            rx.heading(t("Note"), size="3"),
            note_form(),
            rx.heading(t("Photo"), size="3"),
            photo_form(),
            rx.heading(t("Parts and time"), size="3"),
            part_and_time_form(),
            width="100%",
            spacing="3",
        ),
    )
