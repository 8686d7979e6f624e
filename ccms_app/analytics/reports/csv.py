"""Each report as CSV: the page's figures as plain numbers (`definitions` says the columns),
every cell made safe for spreadsheets (`core.listing.to_csv`). The detail list is written in
chunks as its rows come from one database cursor, so a big month streams in bounded
memory (the REST API) or is joined into one attachment (the monthly e-mail)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from itertools import islice

from ccms_app.analytics.reports import definitions as d
from ccms_app.analytics.reports.availability import AvailabilityReport
from ccms_app.analytics.reports.filters import ReportFilter
from ccms_app.analytics.reports.queries import EnergyReport, SessionsSummary, detail_rows
from ccms_app.analytics.reports.rows import (
    availability_rows,
    detail_row,
    energy_row,
    summary_rows,
)
from ccms_app.core.listing import to_csv

CHUNK_ROWS = 500


def summary_csv(summary: SessionsSummary) -> str:
    """One row per day / month / year of the range, then the total."""
    columns = (*d.SUMMARY_COLUMNS, *d.amount_columns(summary.currencies))
    return to_csv(columns, iter(summary_rows(summary)))


def detail_csv_chunks(report: ReportFilter, now: datetime, search: str = "") -> Iterator[str]:
    """The header, then the sessions (oldest first) CHUNK_ROWS at a time."""
    yield to_csv(d.DETAIL_COLUMNS, iter(()))
    rows = (detail_row(row, report.zone, now) for row in detail_rows(report, search))
    while chunk := list(islice(rows, CHUNK_ROWS)):
        yield to_csv(d.DETAIL_COLUMNS, iter(chunk)).split("\r\n", 1)[1]


def detail_csv(report: ReportFilter, now: datetime, search: str = "") -> str:
    return "".join(detail_csv_chunks(report, now, search))


def energy_csv(energy: EnergyReport) -> str:
    """The stations (most energy first), then the charge points; shares of the total."""
    stations = [
        {**energy_row(r), "level": "station", "station": r.name, "charge_point": ""}
        for r in energy.stations
    ]
    charge_points = [
        {**energy_row(r), "level": "charge point", "charge_point": r.name}
        for r in energy.charge_points
    ]
    return to_csv(d.ENERGY_COLUMNS, iter([*stations, *charge_points]))


def availability_csv(availability: AvailabilityReport) -> str:
    """Each station (least available first), then all stations together."""
    return to_csv(d.AVAILABILITY_COLUMNS, iter(availability_rows(availability)))
