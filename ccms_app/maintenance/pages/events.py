"""Maintenance -> Events (/maintenance/events): every charger event, newest first: status
notifications (with the OCPP error code, info and vendor codes), boots, connections lost
and back, firmware and diagnostics statuses, refused connections. Filters: date range (days
in the operator's zone), charge point, station, event kind, error code; sortable; CSV
export of the filtered list (every page).

Test ids: `events-*` (the list, see ui/data_list), `events-since`, `events-until`.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.accounts.state import AuthState
from ccms_app.branding.components.brand import page_title
from ccms_app.core.i18n import N_
from ccms_app.maintenance.components.day_filter import day_filter
from ccms_app.maintenance.components.subnav import maintenance_subnav
from ccms_app.maintenance.events import KINDS
from ccms_app.maintenance.state.event_history import EventHistoryState
from ccms_app.ui.data_list import Column, Filter, RowVar, data_list
from ccms_app.ui.i18n import t, t_var
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import follow_language, page_header

ROUTE = "/maintenance/events"
TITLE = page_title("Events · Maintenance")
ON_LOAD: list[Any] = [AuthState.require_login, EventHistoryState.load]

S: Any = EventHistoryState
KIND_COLOURS = {
    "status": "gray",
    "connected": "green",
    "disconnected": "red",
    "boot": "blue",
    "firmware": "violet",
    "diagnostics": "cyan",
    "security": "orange",
}
# An event kind as the list shows it (the row's `kind` is one of events.KINDS).
KIND_LABELS = {
    "status": N_("status"),
    "connected": N_("connected"),
    "disconnected": N_("disconnected"),
    "boot": N_("boot"),
    "firmware": N_("firmware"),
    "diagnostics": N_("diagnostics"),
    "security": N_("security"),
}
# OCPP 1.6 ChargePointErrorCode, what a StatusNotification may carry.
ERROR_CODES = (
    "ConnectorLockFailure", "EVCommunicationError", "GroundFailure", "HighTemperature",
    "InternalError", "LocalListConflict", "NoError", "OtherError", "OverCurrentFailure",
    "OverVoltage", "PowerMeterFailure", "PowerSwitchFailure", "ReaderFailure", "ResetFailure",
    "UnderVoltage", "WeakSignal",
)  # fmt: skip


def _kind(row: RowVar) -> rx.Component:
    return rx.badge(
        t_var(row["kind"]),
        color_scheme=rx.match(row["kind"], *KIND_COLOURS.items(), "gray"),
        variant="soft",
    )


def _charge_point(row: RowVar) -> rx.Component:
    return rx.link(row["identity"], href="/charge-points/" + row["identity"].to(str), size="2")


def _what(row: RowVar) -> rx.Component:
    return rx.text(row["what"], size="2", white_space="normal", max_width="360px")


def event_list() -> rx.Component:
    return data_list(
        EventHistoryState,
        columns=[
            Column("occurred_at", t("Time")),
            Column("kind", t("Event"), render=_kind),
            Column("identity", t("Charge point"), render=_charge_point),
            Column("station_name", t("Station")),
            Column("connector_id", t("Connector"), sortable=False),
            Column("error_code", t("Error code")),
            Column("status", t("What"), sortable=False, render=_what),
        ],
        filters=[
            Filter("kind", t("Event"), [(k, t(KIND_LABELS.get(k, k))) for k in KINDS]),
            Filter("station_id", t("Station"), S.filter_options["station_id"]),
            Filter("error_code", t("Error code"), [(c, c) for c in ERROR_CODES]),
        ],
        testid="events",
        empty_text=t("No charger events yet."),
        search_placeholder=t("Search charge point, station, error code…"),
        toolbar=[
            day_filter(S, "since", t("From"), "events"),
            day_filter(S, "until", t("To"), "events"),
        ],
    )


def page() -> rx.Component:
    return app_shell(
        "/maintenance",
        page_header(t("Events"), t("Everything the chargers reported, newest first.")),
        maintenance_subnav(ROUTE),
        follow_language(S.follow_language),
        event_list(),
    )
