"""Users landing page: counts of, and links to, drivers, RFID cards, user groups and vehicles
(their own pages: pages/drivers.py, id_tags.py, user_groups.py, vehicles.py), then the local
authorization list section: a link to the lists themselves (pages/local_lists.py) and which
charge points hold an out-of-date list, with Sync all."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from ccms_app.branding.components.brand import page_title
from ccms_app.drivers.components.overview import users_overview
from ccms_app.drivers.local_lists.components.charge_point_tab import lists_label, version_label
from ccms_app.drivers.state.overview import OutOfDateRow
from ccms_app.drivers.state.overview import UsersLocalListState as Lists
from ccms_app.ui.cards import empty_note, section
from ccms_app.ui.i18n import t, t_var
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import follow_language, page_header
from ccms_app.ui.permissions import when_allowed
from ccms_app.ui.status import online_badge
from ccms_app.ui.table import cell, data_table

ROUTE = "/users"
TITLE = page_title("Users")


def _lists_link() -> rx.Component:
    # One sentence for the translators; the link goes where they put {link}.
    sentence = t(
        "Choose which id tags go to which charge points on the {link} page; here, which "
        "charge points hold a list that is out of date."
    ).split("{link}")
    return rx.callout(
        rx.text(
            sentence[0],
            rx.link(
                t("Local lists"),
                href="/users/local-lists",
                weight="medium",
                custom_attrs={"data-testid": "local-lists-link"},
            ),
            sentence[1],
        ),
        icon="list-checks",
        color_scheme="teal",
        size="1",
        width="100%",
    )


def _row(row: rx.Var) -> rx.Component:
    r = row.to(ObjectVar, OutOfDateRow)
    return rx.table.row(
        cell(rx.link(r.identity, href="/charge-points/" + r.identity.to(str), weight="medium")),
        cell(online_badge(r.online)),
        cell(lists_label(r.lists)),
        cell(version_label(r.sent_version)),
        cell(version_label(r.reported_version)),
        rx.table.cell(r.reasons, min_width="220px", vertical_align="middle"),
        cell(t_var(r.last_result)),
        cell(r.last_attempt),
        custom_attrs={"data-testid": f"stale-{r.identity}"},
    )


def _sync_all_button() -> rx.Component:
    """Sends the lists to the charge points: for roles with users:control."""
    return when_allowed(
        Lists.sync_all,
        rx.button(
            rx.icon("refresh-cw", size=14),
            t("Sync all"),
            on_click=Lists.sync_all,
            loading=Lists.busy,
            disabled=Lists.count == 0,
            custom_attrs={"data-testid": "local-lists-sync-all"},
        ),
    )


def _message() -> rx.Component:
    return rx.cond(
        Lists.message != "",
        rx.callout(
            Lists.message,
            icon=rx.cond(Lists.message_ok, "circle-check", "info"),
            color_scheme=rx.cond(Lists.message_ok, "green", "orange"),
            size="1",
            width="100%",
            custom_attrs={"data-testid": "local-lists-message"},
        ),
    )


def _local_lists() -> rx.Component:
    # One sentence for the translators; the count (bold, a test id) goes where they put it.
    stale = t(
        "{count} charge point(s) hold a local list that is not what CCMS wants there. "
        "Connected charge points are synced automatically; Sync all does it now "
        "(offline ones are synced when they reconnect)."
    ).split("{count}")
    return rx.box(
        section(
            t("Local authorization lists"),
            _lists_link(),
            rx.text(
                stale[0],
                rx.text.strong(Lists.count, custom_attrs={"data-testid": "local-lists-stale"}),
                stale[1],
                size="2",
                color=rx.color("gray", 11),
            ),
            _message(),
            follow_language(Lists.follow_language),
            rx.cond(
                Lists.count > 0,
                data_table(
                    [
                        t("Charge point"),
                        t("Connection"),
                        t("Lists"),
                        t("Version sent"),
                        t("Version reported"),
                        t("Why out of date"),
                        t("Last sync"),
                        t("When"),
                    ],
                    Lists.rows,
                    _row,
                    testid="local-lists-stale-table",
                ),
                rx.cond(
                    Lists.loaded,
                    empty_note(t("Every charge point's local list is up to date.")),
                    rx.spinner(size="2"),
                ),
            ),
            right=_sync_all_button(),
        ),
        on_mount=Lists.load,
        width="100%",
    )


def page() -> rx.Component:
    return app_shell(
        ROUTE,
        page_header(t("Users"), t("Drivers, their RFID cards, groups and vehicles.")),
        users_overview(),
        _local_lists(),
    )
