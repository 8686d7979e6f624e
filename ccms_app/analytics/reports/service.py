"""The reports as the page, the REST API and the monthly e-mail ask for them: the filter's
ids checked against the caller's organisations, then each report read in one session.
Blocking (database): callers run these in a thread."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ccms_app.analytics.reports.availability import AvailabilityReport, availability_report
from ccms_app.analytics.reports.filters import ReportFilter, check_in_scope
from ccms_app.analytics.reports.queries import (
    DetailTotals,
    EnergyReport,
    SessionsSummary,
    detail_page,
    detail_totals,
    energy_report,
    sessions_summary,
)
from ccms_app.core.db import read_session
from ccms_app.core.listing import ListPage, ListQuery
from ccms_app.finance.rules.revenue import PeriodKind


@dataclass(frozen=True)
class SessionsReport:
    summary: SessionsSummary
    totals: DetailTotals  # of the detail list
    page: ListPage | None  # one page of the detail, when asked for


def checked(report: ReportFilter) -> ReportFilter:
    """`report` once its ids are known in the caller's organisations (ReportNotFound)."""
    with read_session() as session:
        check_in_scope(session, report)
    return report


def summary(report: ReportFilter, kind: PeriodKind, now: datetime) -> SessionsSummary:
    """The summary alone (the roll-up's figures; no scan of the range's sessions)."""
    with read_session() as session:
        check_in_scope(session, report)
        return sessions_summary(session, report, kind, now)


def sessions(
    report: ReportFilter, kind: PeriodKind, now: datetime, query: ListQuery | None = None
) -> SessionsReport:
    with read_session() as session:
        check_in_scope(session, report)
        summary = sessions_summary(session, report, kind, now)
        totals = detail_totals(session, report)
        page = None if query is None else detail_page(session, report, query)
    return SessionsReport(summary, totals, page)


def energy(report: ReportFilter, now: datetime) -> EnergyReport:
    with read_session() as session:
        check_in_scope(session, report)
        return energy_report(session, report, now)


def availability(report: ReportFilter, now: datetime) -> AvailabilityReport:
    checked(report)
    return availability_report(report, now)
