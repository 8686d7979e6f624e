"""System > Webhooks (/system/webhooks): the URLs that receive charger events, signed.

The list shows each webhook's events and how its receiver is doing (the last attempt, since
when it fails, what is still undelivered); its name opens its delivery log. The dialog
creates or edits one; a new secret appears once, in a box on the page, to copy into the
receiver. Buttons that change something show only to roles holding system:edit; the server
decides anyway.

Test ids: `webhooks-*` (the list, see ui/data_list), `webhook-new`, `webhook-edit-<id>`,
`webhook-test-<id>`, `webhook-<field>` / `webhook-<field>-error` in the dialog,
`webhook-event-<type>`, `webhook-save`, `webhook-delete`, `webhook-delete-confirm`,
`webhook-rotate`, `webhook-message`, `webhook-secret-box`, `webhook-secret-copy`,
`webhook-secret-done`.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.accounts.state import AuthState
from ccms_app.branding.components.brand import page_title
from ccms_app.core.i18n import N_
from ccms_app.system.components.section_links import section_links
from ccms_app.ui.data_list import Column, RowVar, data_list
from ccms_app.ui.form_fields import field_error, form_message
from ccms_app.ui.i18n import Text, has_text, t, t_var, t_with
from ccms_app.ui.inputs import text_input
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import follow_language, page_header
from ccms_app.ui.permissions import when_allowed
from ccms_app.webhooks.rules.events import ALL_EVENTS, EVENT_TYPES
from ccms_app.webhooks.rules.signing import SIGNATURE_HEADER
from ccms_app.webhooks.state.webhooks import SECRET_BOX_ID, WebhookFormState, WebhookListState

ROUTE = "/system/webhooks"
TITLE = page_title("Webhooks · System")
NAV_ROUTE = "/system"
HEALTH_COLOURS = {"working": "green", "failing": "red", "no attempt yet": "gray"}
# What each event type's box says: the first sentence of its description (EVENT_TYPES, which
# goes on with the payload's fields for the receiver's developer), in the catalog.
EVENT_HINTS: dict[str, str] = {
    "charge_point.online": N_("A charge point connected"),
    "charge_point.offline": N_("A charge point's connection closed"),
    "charge_point.status_changed": N_(
        "A connector's status changed (connector 0: the whole charge point)"
    ),
    "session.started": N_("A charging session started"),
    "session.stopped": N_("A charging session ended (or CCMS closed it)"),
    "command.finished": N_("An operator command reached its outcome"),
    "data_issue.raised": N_("CCMS kept something a charger sent that it could not apply as sent"),
    "alarm.raised": N_("An alarm was raised (a repeat of an open alarm is not a new one)"),
    "alarm.closed": N_("An alarm closed: the charger recovered, or an operator closed it"),
    "alarm.changed": N_("An operator acknowledged, assigned, commented on or reopened an alarm"),
    "work_order.created": N_(
        "A work order was created (by hand, from an alarm, by an alarm rule or a maintenance plan)"
    ),
    "work_order.status_changed": N_("A work order's status changed"),
}
# The list's Events cell for "*" (`describe_selection`), shown with t_var like the rest.
ALL_EVENTS_TEXT = N_("all events")

# Any: the dict fields' Var methods (`.get(...).to(str)`) are not in Reflex's stubs.
F: Any = WebhookFormState


def _tid(value: Any) -> dict[str, Any]:
    return {"data-testid": value}


def _health(row: RowVar) -> rx.Component:
    return rx.hstack(
        rx.badge(
            t_var(row["health"]),
            color_scheme=rx.match(row["health"], *HEALTH_COLOURS.items(), "gray"),
            variant="soft",
        ),
        rx.cond(row["enabled"] == "disabled", rx.badge(t("disabled"), variant="outline")),
        spacing="1",
        wrap="wrap",
    )


def _actions(row: RowVar) -> rx.Component:
    return rx.hstack(
        rx.button(
            t("Edit"),
            size="1",
            variant="soft",
            color_scheme="gray",
            on_click=F.open_edit(row["id"]),
            custom_attrs=_tid("webhook-edit-" + row["id"].to(str)),
        ),
        when_allowed(
            F.send_test,
            rx.button(
                rx.icon("send", size=14),
                t("Test"),
                size="1",
                variant="soft",
                on_click=F.send_test(row["id"]),
                custom_attrs=_tid("webhook-test-" + row["id"].to(str)),
            ),
        ),
        spacing="2",
    )


def _events(row: RowVar) -> rx.Component:
    """ "all events" in the tab's language, or the chosen types (names, not words)."""
    return rx.text(t_var(row["events"]), size="2")


def _list() -> rx.Component:
    return data_list(
        WebhookListState,
        columns=[
            Column("name", t("Name"), href=lambda row: ROUTE + "/" + row["id"].to(str)),
            Column("url", t("URL")),
            Column("events", t("Events"), sortable=False, render=_events),
            Column("health", t("Receiver"), sortable=False, render=_health),
            Column("last_outcome", t("Last outcome")),
            Column("undelivered", t("Undelivered"), sortable=False),
            Column("failing_since", t("Failing since"), on_phone=False),
        ],
        testid="webhooks",
        empty_text=t("No webhooks yet: add one to send charger events to another system."),
        search_placeholder=t("Search by name or URL…"),
        toolbar=[
            when_allowed(
                F.save,
                rx.button(
                    rx.icon("plus", size=14),
                    t("New webhook"),
                    on_click=F.open_new,
                    custom_attrs=_tid("webhook-new"),
                ),
            )
        ],
        actions=_actions,
    )


# --- the dialog ---------------------------------------------------------------------------


def _text_field(name: str, label: Text, hint: Text, placeholder: Text = "") -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium", as_="label"),
        text_input(
            value=F.values.get(name, "").to(str),
            on_change=lambda value: F.set_value(name, value),
            placeholder=placeholder,
            width="100%",
            color_scheme=rx.cond(F.errors.contains(name), "red", "gray"),
            custom_attrs=_tid(f"webhook-{name}"),
        ),
        rx.text(hint, size="1", color=rx.color("gray", 10)),
        field_error(F, name, "webhook"),
        spacing="1",
        width="100%",
    )


def _event_box(event_type: str, label: Text | rx.Component, hint: Text = "") -> rx.Component:
    """One type's checkbox: `label` is words, or the type's name (a component: code)."""
    return rx.flex(
        rx.checkbox(
            checked=F.chosen.contains(event_type),
            on_change=lambda checked: F.toggle_event(event_type, checked),
            custom_attrs=_tid("webhook-event-" + event_type.replace(".", "-").replace("*", "all")),
        ),
        rx.vstack(
            label if isinstance(label, rx.Component) else rx.text(label, size="2", weight="medium"),
            rx.text(hint, size="1", color=rx.color("gray", 10))
            if has_text(hint)
            else rx.fragment(),
            spacing="0",
        ),
        gap="8px",
        align="start",
    )


def _events_field() -> rx.Component:
    first_sentences = {name: text.split(". ")[0].rstrip(".") for name, text in EVENT_TYPES.items()}
    return rx.vstack(
        rx.text(t("Events"), size="2", weight="medium"),
        _event_box(ALL_EVENTS, t("All events"), t("Types added in later versions included")),
        rx.grid(
            *[
                _event_box(
                    name,
                    rx.code(name, size="2", variant="ghost", weight="medium"),
                    t(EVENT_HINTS.get(name, first_sentences[name])),
                )
                for name in EVENT_TYPES
            ],
            columns=rx.breakpoints(initial="1", sm="2"),
            gap="8px",
            width="100%",
        ),
        field_error(F, "events", "webhook"),
        spacing="2",
        width="100%",
    )


def _secret_field() -> rx.Component:
    hint = rx.cond(
        F.mode == "create",
        t("Empty: CCMS makes one and shows it once. Or your own: 16-128 characters."),
        t("Empty: the secret stays as it is. Or type a new one (16-128 characters)."),
    )
    return rx.vstack(
        rx.text(t("Signing secret"), size="2", weight="medium", as_="label"),
        text_input(
            name="secret",
            type="password",
            auto_complete="new-password",
            width="100%",
            color_scheme=rx.cond(F.errors.contains("secret"), "red", "gray"),
            custom_attrs=_tid("webhook-secret"),
        ),
        rx.text(hint, size="1", color=rx.color("gray", 10)),
        field_error(F, "secret", "webhook"),
        spacing="1",
        width="100%",
    )


def _delete_area() -> rx.Component:
    return rx.cond(
        F.confirm_delete,
        rx.flex(
            rx.text(t("Delete it and its log?"), size="2"),
            rx.button(
                t("Yes, delete"),
                color_scheme="red",
                size="1",
                type="button",
                on_click=F.delete,
                custom_attrs=_tid("webhook-delete-confirm"),
            ),
            rx.button(
                t("No"),
                size="1",
                variant="soft",
                type="button",
                on_click=F.set_confirm_delete(False),
            ),
            gap="8px",
            align="center",
            wrap="wrap",
        ),
        rx.flex(
            rx.button(
                rx.icon("trash-2", size=14),
                t("Delete"),
                variant="soft",
                color_scheme="red",
                type="button",
                on_click=F.set_confirm_delete(True),
                custom_attrs=_tid("webhook-delete"),
            ),
            rx.button(
                rx.icon("key-round", size=14),
                t("New secret"),
                variant="soft",
                type="button",
                on_click=F.rotate_secret,
                custom_attrs=_tid("webhook-rotate"),
            ),
            gap="8px",
            wrap="wrap",
        ),
    )


def _dialog_buttons() -> rx.Component:
    return rx.flex(
        rx.cond(F.mode == "edit", when_allowed(F.delete, _delete_area())),
        rx.spacer(),
        rx.dialog.close(rx.button(t("Cancel"), variant="soft", color_scheme="gray", type="button")),
        when_allowed(
            F.save,
            rx.button(
                rx.cond(F.mode == "create", t("Create"), t("Save")),
                type="submit",
                loading=F.busy,
                custom_attrs=_tid("webhook-save"),
            ),
        ),
        gap="8px",
        wrap="wrap",
        align="center",
        width="100%",
    )


def _dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(F.mode == "create", t("New webhook"), t("Edit webhook"))),
            rx.form(
                rx.vstack(
                    form_message(F, "webhook"),
                    _text_field("name", t("Name"), t("Where the events go, e.g. ERP"), t("ERP")),
                    _text_field(
                        "url",
                        t("URL"),
                        t("http:// or https://; CCMS POSTs each event there as JSON"),
                        t("https://erp.example.com/ccms-events"),
                    ),
                    _events_field(),
                    rx.flex(
                        rx.switch(
                            checked=F.enabled,
                            on_change=F.switch_enabled,
                            custom_attrs=_tid("webhook-enabled"),
                        ),
                        rx.text(t("Enabled: a disabled webhook keeps what it has not sent yet")),
                        gap="8px",
                        align="center",
                    ),
                    _secret_field(),
                    _dialog_buttons(),
                    spacing="4",
                    width="100%",
                ),
                on_submit=F.save,
                reset_on_submit=True,
            ),
            max_width="720px",
            width="calc(100vw - 24px)",
            max_height="calc(100vh - 32px)",
            overflow_y="auto",
            custom_attrs=_tid("webhook-dialog"),
        ),
        open=F.mode != "",
        on_open_change=F.set_is_open,
    )


# --- the new secret, shown once -----------------------------------------------------------


def secret_box() -> rx.Component:
    """Always on the page (hidden): `rx.set_value` fills its input without the state."""
    copy = f"navigator.clipboard.writeText(document.getElementById('{SECRET_BOX_ID}').value)"
    return rx.box(
        rx.callout.root(
            rx.callout.icon(rx.icon("key-round")),
            rx.vstack(
                rx.text(
                    t_with(
                        "The signing secret of {name}: copy it into the receiver now, CCMS does "
                        "not show it again. The receiver checks each request's {header} header "
                        "with it.",
                        name=F.secret_for,
                        header=SIGNATURE_HEADER,
                    ),
                    size="2",
                ),
                rx.flex(
                    rx.el.input(
                        id=SECRET_BOX_ID,
                        read_only=True,
                        style={
                            "fontFamily": "monospace",
                            "flex": "1",
                            "minWidth": "0",
                            "padding": "4px 8px",
                        },
                    ),
                    rx.button(
                        rx.icon("copy", size=14),
                        t("Copy"),
                        size="1",
                        on_click=rx.call_script(copy),
                        custom_attrs=_tid("webhook-secret-copy"),
                    ),
                    rx.button(
                        t("Done"),
                        size="1",
                        variant="soft",
                        on_click=F.close_secret,
                        custom_attrs=_tid("webhook-secret-done"),
                    ),
                    gap="8px",
                    width="100%",
                    align="center",
                ),
                spacing="2",
                width="100%",
            ),
            color_scheme="amber",
            width="100%",
        ),
        display=rx.cond(F.secret_shown, "block", "none"),
        width="100%",
        custom_attrs=_tid("webhook-secret-box"),
    )


def page() -> rx.Component:
    return app_shell(
        NAV_ROUTE,
        page_header(
            t("Webhooks"),
            t(
                "Other systems hear charger events as they happen: signed HTTP POSTs, retried "
                "for a day."
            ),
        ),
        section_links(ROUTE),
        follow_language(WebhookListState.follow_language),
        secret_box(),
        _list(),
        _dialog(),
    )


ON_LOAD: list[Any] = [AuthState.require_login, WebhookListState.load]
PAGES: list[tuple[Any, str, Any, list[Any]]] = [(page, ROUTE, TITLE, ON_LOAD)]
