"""What the Smart charging tab shows: profile rows, and the composite schedule as a chart and
a table (the charge point's answer next to what CCMS expects)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import plotly.graph_objects as go

from ccms_app.control.smart_charging.profile_views import ProfileView, profile_summary
from ccms_app.core.display import format_time, time_zone
from ccms_app.core.i18n import tr
from ocpp_server.smart_charging.composite import CompositeSchedule


@dataclasses.dataclass
class ProfileRow:
    id: int = 0
    profile_id: int = 0
    connector: str = ""
    purpose: str = ""
    stack_level: int = 0
    schedule: str = ""
    limits: str = ""
    validity: str = ""
    status: str = ""
    detail: str = ""
    active: bool = False


@dataclasses.dataclass
class CompositeRow:
    offset: str = ""
    at: str = ""
    limit: str = ""
    expected: str = ""


def _time(value: datetime | None, zone: str, now: datetime) -> str:
    """A profile's time (UTC; naive means UTC) in `zone` with its abbreviation."""
    if value is None:
        return ""
    return format_time(value if value.tzinfo else value.replace(tzinfo=UTC), zone, now)


def profile_row(view: ProfileView, zone: str, now: datetime) -> ProfileRow:
    """One installed profile; its times (start, valid from / to) in `zone`, the station's."""
    p = view.profile
    kind = p.kind.value if p.recurrency_kind is None else f"{p.recurrency_kind.value}"
    start = p.schedule.start_schedule
    schedule = (
        tr("{kind} from {time}", kind=kind, time=_time(start, zone, now))
        if start
        else tr("{kind} (from transaction start)", kind=kind)
    )
    if p.schedule.duration:
        schedule = tr(
            "{schedule}, {minutes} min", schedule=schedule, minutes=p.schedule.duration // 60
        )
    validity = " ".join(
        [tr("from {time}", time=_time(p.valid_from, zone, now))] * bool(p.valid_from)
        + [tr("until {time}", time=_time(p.valid_to, zone, now))] * bool(p.valid_to)
    )
    connector = str(view.connector_id)
    if view.connector_id == 0:
        connector = tr("{connector} (all)", connector=connector)
    if p.transaction_id:
        connector = tr(
            "{connector} · tx {transaction}", connector=connector, transaction=p.transaction_id
        )
    return ProfileRow(
        id=view.id,
        profile_id=p.charging_profile_id,
        connector=connector,
        purpose=p.purpose.value,
        stack_level=p.stack_level,
        schedule=schedule,
        limits=profile_summary(p),
        validity=validity or tr("always"),
        status=view.shown_status,
        detail=view.detail,
        active=view.is_active,
    )


def _steps(schedule: CompositeSchedule) -> tuple[list[datetime], list[float | None]]:
    """Step-chart points: each period's start, and the schedule's end at the last limit."""
    xs = [schedule.start + timedelta(seconds=p.start_period) for p in schedule.periods]
    ys = [None if p.limit is None else float(p.limit) for p in schedule.periods]
    return [*xs, schedule.start + timedelta(seconds=schedule.duration)], [
        *ys,
        ys[-1] if ys else None,
    ]


def composite_figure(answer: CompositeSchedule | None, expected: CompositeSchedule) -> go.Figure:
    figure = go.Figure()
    if answer is not None and answer.periods:
        xs, ys = _steps(answer)
        figure.add_trace(go.Scatter(x=xs, y=ys, name=tr("Charge point"), line_shape="hv"))
    xs, ys = _steps(expected)
    figure.add_trace(
        go.Scatter(x=xs, y=ys, name=tr("Expected"), line_shape="hv", line={"dash": "dash"})
    )
    figure.update_layout(
        height=260,
        margin={"l": 40, "r": 10, "t": 10, "b": 30},
        yaxis={"title": expected.charging_rate_unit.value, "rangemode": "tozero"},
        xaxis={"tickformat": "%H:%M", "nticks": 6},
        legend={"orientation": "h", "y": -0.25},
        autosize=True,
    )
    return figure


def _local(moment: datetime, zone: str) -> str:
    """ "14:05:00 CET": a schedule time (UTC; naive means UTC) in `zone`."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(time_zone(zone)).strftime("%H:%M:%S %Z")


def composite_rows(
    answer: CompositeSchedule | None, expected: CompositeSchedule, zone: str = "UTC"
) -> list[CompositeRow]:
    """The schedule's periods; `at` in `zone` (the station's) with its abbreviation."""
    base = answer if answer is not None and answer.periods else expected
    unit = base.charging_rate_unit.value

    def text(limit: Any) -> str:
        return tr("no limit") if limit is None else f"{limit.normalize():f} {unit}"

    return [
        CompositeRow(
            offset=f"+{p.start_period // 60} min",
            at=_local(base.start + timedelta(seconds=p.start_period), zone),
            limit=text(p.limit) if base is answer else "",
            expected=text(expected.limit_at(base.start + timedelta(seconds=p.start_period))),
        )
        for p in base.periods
    ]
