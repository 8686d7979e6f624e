"""System > Webhooks > one webhook (/system/webhooks/<id>): its settings and delivery log.

One row per event sent (or being sent): when it happened, its type and charge point, its
state (pending, waiting behind an earlier event of the same charge point, delivered,
failed), how many attempts and what the last one got. A row opens the exact body sent and
the start of the answer. "Send test event" posts a `webhook.test` event now.

Test ids: `webhook-log-*` (the list), `webhook-log-open-<id>`, `webhook-send-test`,
`webhook-refresh`, `webhook-summary`, `webhook-missing`, `delivery-dialog`,
`delivery-payload`, `delivery-response`.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.accounts.state import AuthState
from ccms_app.branding.components.brand import page_title
from ccms_app.core.i18n import N_
from ccms_app.system.components.section_links import section_links
from ccms_app.ui.data_list import Column, Filter, RowVar, data_list
from ccms_app.ui.i18n import Text, t, t_var
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import follow_language
from ccms_app.ui.permissions import when_allowed
from ccms_app.webhooks.delivery_log import DELIVERY_STATES
from ccms_app.webhooks.pages.webhooks import HEALTH_COLOURS, NAV_ROUTE
from ccms_app.webhooks.pages.webhooks import ROUTE as LIST_ROUTE
from ccms_app.webhooks.rules.events import EVENT_TYPES, TEST_EVENT
from ccms_app.webhooks.state.delivery_log import WebhookLogState

ROUTE = "/system/webhooks/[webhook_id]"
TITLE = page_title("Webhook · System")
STATE_COLOURS = {"delivered": "green", "failed": "red", "pending": "amber", "waiting": "gray"}
# A delivery's state (DELIVERY_STATES) in words: the page shows the state with t_var.
STATE_LABELS = {
    "pending": N_("pending"),
    "waiting": N_("waiting"),
    "delivered": N_("delivered"),
    "failed": N_("failed"),
}

# Any: the dict fields' Var methods are not in Reflex's stubs.
S: Any = WebhookLogState


def _tid(value: Any) -> dict[str, Any]:
    return {"data-testid": value}


def _fact(label: Text, value: Any) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color=rx.color("gray", 11)),
        rx.text(rx.cond(value == "", "—", value), size="2", overflow_wrap="anywhere"),
        spacing="0",
        min_width="0",
    )


def _summary() -> rx.Component:
    w = S.webhook
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.badge(
                    t_var(w.get("health", "")),
                    color_scheme=rx.match(w.get("health", ""), *HEALTH_COLOURS.items(), "gray"),
                    variant="soft",
                ),
                rx.badge(t_var(w.get("enabled", "")), variant="outline"),
                spacing="2",
            ),
            rx.grid(
                _fact(t("URL"), w.get("url", "")),
                _fact(t("Events"), t_var(w.get("events", ""))),
                _fact(t("Organisation"), w.get("organisation", "")),
                _fact(t("Last attempt"), w.get("last_attempt_at", "")),
                _fact(t("Last outcome"), w.get("last_outcome", "")),
                _fact(t("Failing since"), w.get("failing_since", "")),
                columns=rx.breakpoints(initial="1", sm="2", lg="3"),
                gap="12px",
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        custom_attrs=_tid("webhook-summary"),
    )


def _state(row: RowVar) -> rx.Component:
    return rx.badge(
        t_var(row["state"]),
        color_scheme=rx.match(row["state"], *STATE_COLOURS.items(), "gray"),
        variant="soft",
    )


def _open(row: RowVar) -> rx.Component:
    return rx.button(
        t("Body"),
        size="1",
        variant="soft",
        color_scheme="gray",
        on_click=S.open_delivery(row["id"]),
        custom_attrs=_tid("webhook-log-open-" + row["id"].to(str)),
    )


def _log() -> rx.Component:
    event_options = [(name, name) for name in (*EVENT_TYPES, TEST_EVENT)]
    return data_list(
        WebhookLogState,
        columns=[
            Column("created_at", t("Event time")),
            Column("event_type", t("Event")),
            Column("identity", t("Charge point")),
            Column("state", t("State"), render=_state),
            Column("attempts", t("Attempts")),
            Column("response_status", t("HTTP")),
            Column("error", t("Last error"), sortable=False),
            Column("next_attempt_at", t("Next attempt"), on_phone=False),
            Column("duration_ms", t("ms"), on_phone=False),
        ],
        filters=[
            Filter("state", t("State"), [(s, t(STATE_LABELS.get(s, s))) for s in DELIVERY_STATES]),
            Filter("event_type", t("Event"), event_options),
        ],
        testid="webhook-log",
        empty_text=t("Nothing sent yet: events appear here as they happen."),
        search_placeholder=t("Search event, event id or charge point…"),
        actions=_open,
    )


def _block(text: Any, testid: str) -> rx.Component:
    return rx.code_block(
        text,
        language="json",
        wrap_long_lines=True,
        width="100%",
        max_height="40vh",
        overflow_y="auto",
        custom_attrs=_tid(testid),
    )


def _delivery_dialog() -> rx.Component:
    d = S.detail
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(d.get("event_type", ""), " · ", t_var(d.get("state", ""))),
            rx.vstack(
                rx.grid(
                    _fact(t("Event id"), d.get("event_id", "")),
                    _fact(t("Charge point"), d.get("identity", "")),
                    _fact(t("Attempts"), d.get("attempts", "")),
                    _fact(t("Last attempt"), d.get("last_attempt_at", "")),
                    _fact(t("HTTP status"), d.get("response_status", "")),
                    _fact(t("Last error"), d.get("error", "")),
                    columns=rx.breakpoints(initial="1", sm="2"),
                    gap="12px",
                    width="100%",
                ),
                rx.text(t("Body sent"), size="2", weight="medium"),
                _block(d.get("payload", ""), "delivery-payload"),
                rx.text(t("Start of the answer"), size="2", weight="medium"),
                _block(d.get("response_body", ""), "delivery-response"),
                rx.flex(
                    rx.dialog.close(rx.button(t("Close"), variant="soft", color_scheme="gray")),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
            max_width="760px",
            width="calc(100vw - 24px)",
            max_height="calc(100vh - 32px)",
            overflow_y="auto",
            custom_attrs=_tid("delivery-dialog"),
        ),
        open=S.detail_open,
        on_open_change=S.set_detail_open,
    )


def _buttons() -> rx.Component:
    return rx.flex(
        rx.button(
            rx.icon("refresh-cw", size=14),
            t("Refresh"),
            variant="soft",
            color_scheme="gray",
            on_click=S.reload_all,
            custom_attrs=_tid("webhook-refresh"),
        ),
        when_allowed(
            S.send_test,
            rx.button(
                rx.icon("send", size=14),
                t("Send test event"),
                on_click=S.send_test,
                custom_attrs=_tid("webhook-send-test"),
            ),
        ),
        gap="8px",
        wrap="wrap",
    )


def _missing() -> rx.Component:
    return rx.callout(
        t("No such webhook in your organisation."),
        icon="circle-alert",
        color_scheme="red",
        width="100%",
        custom_attrs=_tid("webhook-missing"),
    )


def _header() -> rx.Component:
    """The page header with the webhook's name (page_header takes a fixed title)."""
    return rx.flex(
        rx.vstack(
            rx.heading(
                rx.cond(S.missing, t("Webhook"), S.webhook.get("name", "Webhook")), size="6"
            ),
            rx.text(
                t("Every event sent to this URL, newest first."),
                size="2",
                color=rx.color("gray", 11),
            ),
            spacing="1",
        ),
        rx.spacer(),
        rx.cond(S.missing, rx.fragment(), _buttons()),
        width="100%",
        align="center",
        wrap="wrap",
        spacing="2",
    )


def page() -> rx.Component:
    return app_shell(
        NAV_ROUTE,
        rx.link(t("← Webhooks"), href=LIST_ROUTE, size="2"),
        _header(),
        section_links(LIST_ROUTE),
        follow_language(WebhookLogState.follow_language),
        rx.cond(
            S.missing,
            _missing(),
            rx.fragment(_summary(), _log(), _delivery_dialog()),
        ),
    )


ON_LOAD: list[Any] = [AuthState.require_login, WebhookLogState.open_page, WebhookLogState.load]
PAGES: list[tuple[Any, str, Any, list[Any]]] = [(page, ROUTE, TITLE, ON_LOAD)]
