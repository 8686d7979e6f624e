"""The Business analyses page's sections: cycle comparison with this year against last
year, live power per station with one station's 24 h curve, usage rate per station and
charge point (ranked), and the charge points' status over time with availability per
station and connector. Tables scroll sideways inside their own box on a phone.

Test ids: `an-month`, `an-cycle-<figure>` (rows), `an-cycle-labels`, `an-metric`,
`an-year-chart`, `an-power-refresh`, `an-power-<station id>`, `an-power-station`,
`an-curve`, `an-curve-title`, `an-from`, `an-to`, `an-order`, `an-usage-station-<id>`,
`an-usage-cp-<id>`, `an-network-<figure>`, `an-status-chart`, `an-avail-station-<id>`,
`an-avail-connector-<cp>-<connector>`.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import ObjectVar

from ccms_app.analytics.state.analyses import (
    CHART_HEIGHT,
    DEFAULT_DAYS,
    METRICS,
    ROWS_SHOWN,
    CycleState,
    PowerState,
    RangeState,
)
from ccms_app.core.i18n import N_
from ccms_app.ui.cards import empty_note, section
from ccms_app.ui.filters import date_filter, filter_error, labelled_filter
from ccms_app.ui.i18n import Text, t, t_var, t_with
from ccms_app.ui.table import cell, data_table

Row = ObjectVar[dict[str, str]]
C: Any = CycleState  # dict fields' Var methods are not in Reflex's stubs
R: Any = RangeState


def _note(*children: Any) -> rx.Component:
    return rx.text(*children, size="1", color=rx.color("gray", 10))


def _chart(figure: Any, testid: str) -> rx.Component:
    return rx.card(
        rx.box(
            rx.plotly.basic(
                data=figure,
                config={"displayModeBar": False, "responsive": True},
                width="100%",
                height=f"{CHART_HEIGHT}px",
            ),
            width="100%",
            custom_attrs={"data-testid": testid},
        ),
        width="100%",
    )


def _toned(text: Any, colour: Any) -> rx.Component:
    return rx.text(
        text,
        size="2",
        weight="medium",
        color=rx.match(
            colour,
            ("green", rx.color("green", 11)),
            ("red", rx.color("red", 11)),
            rx.color("gray", 11),
        ),
    )


# --- 1. cycle comparison -----------------------------------------------------------------------


def _month_picker() -> rx.Component:
    return rx.select.root(
        rx.select.trigger(
            placeholder=t("Month"), width="100%", custom_attrs={"data-testid": "an-month"}
        ),
        rx.select.content(
            rx.foreach(C.months, lambda o: rx.select.item(o[1], value=o[0])),
        ),
        value=C.month,
        on_change=C.set_month,
    )


def _cycle_label(row: Row) -> Any:
    """Orders, Energy, or the amount of one currency (key "amount-<code>")."""
    key = row["key"].to(str)
    return rx.cond(
        key.startswith("amount-"),
        t_with("Amount incl. VAT ({currency})", currency=key[7:]),
        t_var(row["label"]),
    )


def _cycle_row(row: Row) -> rx.Component:
    return rx.table.row(
        cell(rx.text(_cycle_label(row), size="2", weight="medium")),
        cell(rx.text(row["current"], size="2", weight="bold")),
        cell(row["previous"]),
        cell(_toned(row["mom"], row["mom_tone"])),
        cell(row["last_year"]),
        cell(_toned(row["yoy"], row["yoy_tone"])),
        custom_attrs={"data-testid": "an-cycle-" + row["key"].to(str)},
    )


def _range_legend() -> rx.Component:
    return rx.vstack(
        *[
            rx.text(
                rx.text.strong(t(name)),
                " ",
                C.labels.get(key, ""),
                size="1",
                color=rx.color("gray", 11),
            )
            for key, name in (
                ("current", N_("Chosen:")),
                ("previous", N_("Month before:")),
                ("last_year", N_("Year before:")),
            )
        ],
        spacing="0",
        custom_attrs={"data-testid": "an-cycle-labels"},
    )


def cycle_section() -> rx.Component:
    headers = [
        t("Figure"),
        t("Chosen"),
        t("Month before"),
        t("Change"),
        t("Year before"),
        t("Change"),
    ]
    return section(
        t("Month-on-month and year-on-year"),
        rx.flex(
            labelled_filter(t("Month"), _month_picker(), width=["100%", "220px"]),
            _range_legend(),
            wrap="wrap",
            gap="12px",
            align="end",
            width="100%",
        ),
        rx.cond(C.error != "", rx.callout(C.error, color_scheme="red", size="1")),
        data_table(headers, C.rows, _cycle_row, testid="an-cycle"),
        _note(
            rx.cond(
                C.so_far,
                t(
                    "This month so far, compared like for like: the same days (and hours) of "
                    "the month before and of the same month last year, from the 1st at 00:00 "
                    "to the end of the hour now running; a shorter month (February) is taken "
                    "whole."
                ),
                t(
                    "A whole month, compared with the whole month before and the same month "
                    "last year."
                ),
            ),
            " ",
            t_with(
                "Times in {zone}. Orders and amounts count when a session ended (final costs, "
                "as Finance counts revenue); energy when it was delivered. Change: against the "
                "month before and the year before; a dash where there is nothing to compare "
                "with.",
                zone=C.zone,
            ),
        ),
        _year_chart(),
    )


def _year_chart() -> rx.Component:
    return rx.vstack(
        rx.flex(
            rx.heading(t_with("{year} against the year before, by month", year=C.year), size="3"),
            rx.spacer(),
            rx.segmented_control.root(
                *[rx.segmented_control.item(t(label), value=key) for key, label in METRICS],
                value=C.metric,
                on_change=lambda value: C.set_metric(value),
                size="1",
                custom_attrs={"data-testid": "an-metric"},
            ),
            wrap="wrap",
            gap="8px",
            align="center",
            width="100%",
        ),
        _chart(C.figure, "an-year-chart"),
        spacing="2",
        width="100%",
    )


# --- 2. live power per station -----------------------------------------------------------------


def _power_row(row: Row) -> rx.Component:
    chosen = row["id"] == PowerState.station_id
    return rx.table.row(
        cell(row["rank"]),
        cell(
            rx.link(
                row["name"],
                on_click=PowerState.set_station(row["id"]),
                weight=rx.cond(chosen, "bold", "regular"),
                cursor="pointer",
            )
        ),
        cell(rx.text(row["power"], size="2", weight="bold")),
        cell(row["charging"]),
        cell(row["connectors"]),
        custom_attrs={"data-testid": "an-power-" + row["id"].to(str)},
    )


def _station_picker() -> rx.Component:
    return rx.select.root(
        rx.select.trigger(
            placeholder=t("Station"), width="100%", custom_attrs={"data-testid": "an-power-station"}
        ),
        rx.select.content(
            rx.foreach(PowerState.stations, lambda o: rx.select.item(o[1], value=o[0])),
        ),
        value=PowerState.station_id,
        on_change=PowerState.set_station,
    )


def power_section() -> rx.Component:
    refresh = rx.button(
        rx.icon("refresh-cw", size=14),
        t("Refresh"),
        variant="soft",
        size="1",
        on_click=PowerState.refresh,
        custom_attrs={"data-testid": "an-power-refresh"},
    )
    headers: list[Text] = [
        "#",
        t("Station"),
        t("Power now"),
        t("Charging sessions"),
        t("Connectors"),
    ]
    return section(
        t("Charging power per station, live"),
        rx.text(
            t("Network now:"),
            " ",
            rx.text.strong(PowerState.total),
            " · ",
            t_with("as of {time}", time=PowerState.updated),
            size="2",
        ),
        rx.cond(
            PowerState.rows.length() > 0,
            data_table(headers, PowerState.rows, _power_row, testid="an-power"),
            empty_note(t("No stations yet.")),
        ),
        rx.cond(
            PowerState.more > 0,
            _note(t_with("{count} more stations not shown.", count=PowerState.more)),
        ),
        _note(
            t(
                "Power now: the latest power reading of each running session, summed per "
                "station, most power first. Choose a station (or click its name) for its curve."
            )
        ),
        rx.cond(
            PowerState.station_id != "",
            rx.vstack(
                rx.flex(
                    rx.heading(
                        t_with("{station}: the last 24 hours", station=PowerState.station_name),
                        size="3",
                        custom_attrs={"data-testid": "an-curve-title"},
                    ),
                    rx.spacer(),
                    rx.box(_station_picker(), width=["100%", "240px"]),
                    wrap="wrap",
                    gap="8px",
                    align="center",
                    width="100%",
                ),
                rx.cond(
                    PowerState.curve_points > 0,
                    _chart(PowerState.curve, "an-curve"),
                    empty_note(t("No power samples in the last 24 hours.")),
                ),
                _note(t("Sampled every 5 minutes; 0 kW where the station was not charging.")),
                spacing="2",
                width="100%",
            ),
        ),
        right=refresh,
    )


# --- 3. usage rate -----------------------------------------------------------------------------


def _date(label: Text, value: Any, on_change: Any, key: str) -> rx.Component:
    error = filter_error(R.errors, f"date_{key}")
    return date_filter(label, value, on_change, f"an-{key}", error)


def range_picker() -> rx.Component:
    return rx.card(
        rx.flex(
            _date(t("From"), R.date_from, R.set_date_from, "from"),
            _date(t("To"), R.date_to, R.set_date_to, "to"),
            rx.text(R.range_text, size="2", color=rx.color("gray", 11)),
            wrap="wrap",
            gap="12px",
            align="end",
            width="100%",
        ),
        _note(
            t_with(
                "The days of usage and availability below, in the operator's time zone (empty: "
                "the last {days} days, today so far included).",
                days=DEFAULT_DAYS,
            )
        ),
        width="100%",
    )


def _figure(label: Text, key: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(label, size="1", color=rx.color("gray", 11)),
            rx.text(
                R.network.get(key, ""),
                size="4",
                weight="bold",
                custom_attrs={"data-testid": f"an-network-{key}"},
            ),
            spacing="0",
        ),
        size="1",
        width="100%",
    )


def _usage_row(prefix: str, with_station: bool) -> Any:
    def render(row: Row) -> rx.Component:
        return rx.table.row(
            cell(row["rank"]),
            cell(rx.text(row["name"], size="2", weight="medium")),
            *([cell(row["station"])] if with_station else []),
            cell(row["connectors"]),
            cell(row["charging"]),
            cell(row["available"]),
            cell(rx.text(row["usage"], size="2", weight="bold")),
            custom_attrs={"data-testid": f"an-usage-{prefix}-" + row["id"].to(str)},
        )

    return render


def usage_section() -> rx.Component:
    common = [t("Connectors"), t("Charging time"), t("Available time"), t("Usage rate")]
    order = rx.segmented_control.root(
        rx.segmented_control.item(t("Highest first"), value="highest"),
        rx.segmented_control.item(t("Lowest first"), value="lowest"),
        value=rx.cond(R.highest_first, "highest", "lowest"),
        on_change=lambda value: R.set_order(value),
        size="1",
        custom_attrs={"data-testid": "an-order"},
    )
    return section(
        t("Usage rate"),
        rx.grid(
            _figure(t("Charging time"), "charging"),
            _figure(t("Available time"), "available"),
            _figure(t("Usage rate"), "usage"),
            _figure(t("Availability"), "availability"),
            columns=rx.breakpoints(initial="2", md="4"),
            gap="12px",
            width="100%",
        ),
        rx.flex(rx.heading(t("Per station"), size="3"), rx.spacer(), order, width="100%"),
        rx.cond(
            R.station_usage.length() > 0,
            data_table(
                ["#", t("Station"), *common],
                R.station_usage,
                _usage_row("station", False),
                testid="an-usage-stations",
            ),
            empty_note(t("No stations with connectors.")),
        ),
        rx.heading(t("Per charge point"), size="3"),
        rx.cond(
            R.charge_point_usage.length() > 0,
            data_table(
                ["#", t("Charge point"), t("Station"), *common],
                R.charge_point_usage,
                _usage_row("cp", True),
                testid="an-usage-cps",
            ),
            empty_note(t("No charge points with connectors.")),
        ),
        _note(
            t_with(
                "At most {rows} rows each; {stations} stations and {charge_points} charge "
                "points in all.",
                rows=ROWS_SHOWN,
                stations=R.counts.get("stations", "0"),
                charge_points=R.counts.get("charge_points", "0"),
            )
        ),
        _note(
            t("Usage rate = charging time / available time."),
            " ",
            t(
                "Charging time: the time sessions were plugged in (start to stop) inside the "
                "days chosen, summed over sessions (two connectors charging at once count "
                "twice)."
            ),
            " ",
            t(
                "Available time: each connector's time in the days chosen (since its charge "
                "point was added, up to now) less the time it was out of service: offline, "
                "Faulted or Unavailable, as the maintenance uptime report counts it (opening "
                "hours and excluded alarms are not taken out here). A charger that kept "
                "charging while it showed offline can pass 100 %."
            ),
        ),
    )


# --- 4. status and availability ----------------------------------------------------------------


def _availability_row(prefix: str, with_station: bool) -> Any:
    def render(row: Row) -> rx.Component:
        name = rx.text(row["name"], size="2", weight="medium")
        if with_station:
            name = rx.link(row["name"], href="/charge-points/" + row["name"].to(str))
        return rx.table.row(
            cell(name),
            *([cell(row["connector"]), cell(row["station"])] if with_station else []),
            cell(row["period"]),
            cell(row["outage"]),
            cell(rx.text(row["availability"], size="2", weight="bold")),
            custom_attrs={"data-testid": f"an-avail-{prefix}-" + row["key"].to(str)},
        )

    return render


def status_section() -> rx.Component:
    common = [t("Connector time"), t("Out of service"), t("Availability")]
    return section(
        t("Charge point status and availability"),
        rx.heading(t("Online, offline and faulted: the last 7 days"), size="3"),
        rx.cond(
            RangeState.status_points > 0,
            _chart(RangeState.status, "an-status-chart"),
            empty_note(t("No status samples in the last 7 days.")),
        ),
        _note(
            t(
                "Registered charge points, sampled every 5 minutes; faulted ones (the charge "
                "point or a connector Faulted) are counted online or offline too."
            )
        ),
        rx.heading(t("Availability per station"), size="3"),
        rx.cond(
            R.station_availability.length() > 0,
            data_table(
                [t("Station"), *common],
                R.station_availability,
                _availability_row("station", False),
                testid="an-avail-stations",
            ),
            empty_note(t("No stations with connectors.")),
        ),
        rx.heading(t("Availability per connector, lowest first"), size="3"),
        rx.cond(
            R.connector_availability.length() > 0,
            data_table(
                [t("Charge point"), t("Connector"), t("Station"), *common],
                R.connector_availability,
                _availability_row("connector", True),
                testid="an-avail-connectors",
            ),
            empty_note(t("No connectors.")),
        ),
        _note(
            t(
                "Availability = available time / connector time over the days chosen above "
                "(definitions under Usage rate), from the maintenance uptime roll-up."
            ),
            " ",
            # the link ends the sentence: "... are in <Maintenance reports>."
            t(
                "The US NEVI uptime (the last 525,600 minutes, excluded alarms and closed "
                "hours left out) and the UK reliability figure per connector are in"
            ),
            " ",
            rx.link(t("Maintenance reports"), href="/maintenance/reports"),
            ".",
        ),
    )
