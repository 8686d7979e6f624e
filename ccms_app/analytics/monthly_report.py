"""The monthly charging report by e-mail: last month's figures to the addresses an operator
chose (`MonthlyReportSubscription`), once per organisation and month.

What a mail holds: the month's orders, energy, charging time and amounts (the sessions
summary), the stations that charged most, station availability (the network's and the
least available stations), the definitions, and the sessions that started in the month as
CSV (the Reports page's detail export). The month is the organisation's calendar month in
its operator zone; the report covers the organisation and its sub-operators, as its
operators see them.

The job (`send_monthly_reports`, scheduled daily by `schedule_monthly_reports`) is
idempotent: a subscription whose `last_sent_month` is last month is skipped; a sent mail
records the month; a failure records `last_error` and leaves the month unsent, so the next
run tries again. An unreachable SMTP server stops the run (every mail would fail alike).
While e-mail is off (no CCMS_SMTP_HOST) nothing is tried and nothing recorded.

Each recipient reads the mail in their language (maintenance.notifications.languages: their
account's, else the organisation's document language): the figures are counted once and
worded once per language the recipients read, one mail each; the CSV is the same for all.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from apscheduler.schedulers.base import BaseScheduler
from babel.numbers import format_decimal
from sqlalchemy import update
from sqlmodel import col, select

from ccms_app.accounts.models import Organisation
from ccms_app.accounts.organisations import organisation_scope
from ccms_app.accounts.roles import InputError
from ccms_app.analytics.models import MonthlyReportSubscription
from ccms_app.analytics.reports import service
from ccms_app.analytics.reports.availability import DEFINITION as AVAILABILITY
from ccms_app.analytics.reports.availability import AvailabilityReport
from ccms_app.analytics.reports.csv import detail_csv
from ccms_app.analytics.reports.definitions import SESSIONS_DETAIL, SESSIONS_SUMMARY
from ccms_app.analytics.reports.filters import ReportFilter, last_month
from ccms_app.analytics.reports.queries import EnergyReport
from ccms_app.analytics.reports.rows import availability_row, energy_row, totals_row
from ccms_app.branding.brands import sender_name
from ccms_app.core.config import Settings
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.display import format_date, time_zone
from ccms_app.core.i18n import babel_locale, gettext, reader_language, reading_as, tr
from ccms_app.core.mail import (
    Attachment,
    MailError,
    MailServerUnreachableError,
    OutgoingMail,
    mail_enabled,
    send_mail,
)
from ccms_app.core.types import utc_now
from ccms_app.finance.rules.revenue import PeriodKind
from ccms_app.finance.wallets.holders import organisation_zone
from ccms_app.maintenance.notifications.digest import sender_fallback
from ccms_app.maintenance.notifications.languages import languages_of
from ccms_app.maintenance.rules.alarm_rule_form import parse_recipients

log = logging.getLogger(__name__)

MONTHLY_REPORT_JOB = "analytics-monthly-report"
MONTHLY_REPORT_INTERVAL = timedelta(days=1)
FIRST_RUN_DELAY = timedelta(minutes=10)  # after a start: a month missed while down goes out
MAX_RECIPIENTS_TEXT = 1_000  # MonthlyReportSubscription.recipients
TOP_STATIONS = 5
LEAST_AVAILABLE = 3


@dataclass(frozen=True)
class Subscription:
    """Who gets the organisation's monthly report, and how the last attempts went."""

    recipients: tuple[str, ...]
    enabled: bool
    last_sent_month: str  # "2026-10"; "" before the first
    last_error: str

    @property
    def recipients_text(self) -> str:
        return ", ".join(self.recipients)


@dataclass(frozen=True)
class MonthlyRun:
    """What one run of the job did."""

    sent: int = 0
    failed: int = 0


def _view(row: MonthlyReportSubscription | None) -> Subscription:
    if row is None:
        return Subscription((), False, "", "")
    recipients = tuple(a for a in row.recipients.split(",") if a)
    return Subscription(recipients, row.enabled, row.last_sent_month, row.last_error)


def subscription_of(organisation_id: int) -> Subscription:
    """The organisation's subscription (off, nobody, when never saved)."""
    with read_session() as session:
        return _view(session.get(MonthlyReportSubscription, organisation_id))


def save_subscription(organisation_id: int, recipients: str, enabled: bool) -> Subscription:
    """Store the recipients (comma, semicolon or newline separated; each checked) and whether
    the report goes out; InputError naming `recipients` when they are wrong."""
    addresses, bad = parse_recipients(recipients[: MAX_RECIPIENTS_TEXT * 2])
    stored = ",".join(addresses)
    if bad:
        raise InputError({"recipients": bad})
    if len(stored) > MAX_RECIPIENTS_TEXT:
        too_long = tr("At most {count} characters of addresses.", count=MAX_RECIPIENTS_TEXT)
        raise InputError({"recipients": too_long})
    if enabled and not addresses:
        nobody = tr("Add at least one address, or switch the report off.")
        raise InputError({"recipients": nobody})
    with session_scope() as session:
        row = session.get(MonthlyReportSubscription, organisation_id)
        if row is None:
            row = MonthlyReportSubscription(organisation_id=organisation_id)
        if row.recipients != stored:
            row.last_error = ""  # an error about other addresses says nothing about these
        row.recipients, row.enabled, row.updated_at = stored, enabled, utc_now()
        session.add(row)
        session.flush()
        return _view(row)


# --- the mail ------------------------------------------------------------------------------


def month_key(first: date) -> str:
    return first.strftime("%Y-%m")


def month_report(organisation_id: int, now: datetime) -> ReportFilter:
    """Last month (in the organisation's zone) over the organisation and its sub-operators."""
    with read_session() as session:
        zone = organisation_zone(session, organisation_id)
    today = now.astimezone(time_zone(zone)).date()
    first, last = last_month(today)
    return ReportFilter(organisation_scope(organisation_id), zone, first, last)


@dataclass(frozen=True)
class Figures:
    """The month's figures, counted once for every language the mail is worded in."""

    sessions: service.SessionsReport
    energy: EnergyReport
    availability: AvailabilityReport


def month_figures(report: ReportFilter, now: datetime) -> Figures:
    return Figures(
        service.sessions(report, PeriodKind.MONTHS, now),
        service.energy(report, now),
        service.availability(report, now),
    )


def organisation_name(organisation_id: int) -> str:
    with read_session() as session:
        organisation = session.get(Organisation, organisation_id)
    if organisation is not None:
        return organisation.name
    return tr("Organisation {id}", id=organisation_id)


def monthly_mail(organisation_id: int, report: ReportFilter, now: datetime) -> OutgoingMail:
    """The month's mail (without recipients), in the reader's language: the figures in the
    body, the sessions CSV."""
    name, figures = organisation_name(organisation_id), month_figures(report, now)
    return worded_mail(name, report, figures, sessions_csv(report, now))


def sessions_csv(report: ReportFilter, now: datetime) -> Attachment:
    csv_text = detail_csv(report, now)
    return Attachment(
        f"sessions-{month_key(report.first_day)}.csv", csv_text.encode(), "text", "csv"
    )


def worded_mail(
    name: str, report: ReportFilter, figures: Figures, attachment: Attachment
) -> OutgoingMail:
    """The mail (without recipients) of counted figures, in the reader's language."""
    month = format_date(report.first_day, "%B %Y", "yMMMM")
    body = mail_body(name, month, report, figures)
    subject = tr("Charging report {month}: {name}", month=month, name=name)
    return OutgoingMail(to="", subject=subject, body=body, attachments=(attachment,))


def mail_body(name: str, month: str, report: ReportFilter, figures: Figures) -> str:
    """The figures as the Reports page shows them for the month, in the reader's language."""
    sessions, energy, availability = figures.sessions, figures.energy, figures.availability
    total = totals_row("total", "Total", sessions.summary.series.total, sessions.summary.currencies)
    first = format_date(report.first_day, "%d %b %Y", "yMMMd")
    last = format_date(report.last_day, "%d %b %Y", "yMMMd")
    lines = [
        tr("Charging report for {month}: {name}", month=month, name=name),
        tr("{start} to {end}, {zone} time.", start=first, end=last, zone=report.zone),
        "",
        tr("Orders: {orders}", orders=total["orders_shown"]),
        tr("Energy: {energy}", energy=total["energy_shown"]),
        tr("Charging time: {time}", time=total["charging_shown"]),
        tr(
            "Amount incl. VAT: {incl} (excl. VAT: {excl})",
            incl=total["incl_shown"],
            excl=total["excl_shown"],
        ),
        "",
        tr("Stations that charged most:"),
    ]
    charged = [row for row in energy.stations if row.totals.energy_wh > 0][:TOP_STATIONS]
    for number, row in enumerate(charged, start=1):
        shown = energy_row(row)
        lines.append(f"  {number}. {row.name}: {shown['energy_shown']} ({shown['share_shown']})")
    if not charged:
        lines.append("  " + tr("No energy was charged."))
    network = availability_row(availability.network)
    lines += [
        "",
        tr(
            "Station availability: {availability} over all connectors.",
            availability=network["availability_shown"],
        ),
    ]
    least = [availability_row(s) for s in availability.stations[:LEAST_AVAILABLE]]
    if least:
        worst = ", ".join(f"{s['station']} {s['availability_shown']}" for s in least)
        lines.append(tr("Least available: {stations}.", stations=worst))
    language = reader_language()
    count = format_decimal(sessions.totals.sessions, "#,##0", locale=babel_locale(language))
    attached = tr(
        "Attached: the {count} sessions that started in {month} (CSV).", count=count, month=month
    )
    lines += [
        "",
        attached,
        "",
        gettext(language, SESSIONS_SUMMARY),
        gettext(language, SESSIONS_DETAIL),
        gettext(language, AVAILABILITY),
    ]
    return "\n".join(lines) + "\n"


# --- the job ---------------------------------------------------------------------------------


def due_subscriptions() -> list[MonthlyReportSubscription]:
    """Enabled subscriptions with recipients (whether their month is due is per zone)."""
    with read_session() as session:
        return list(
            session.exec(
                select(MonthlyReportSubscription).where(
                    col(MonthlyReportSubscription.enabled).is_(True),
                    col(MonthlyReportSubscription.recipients) != "",
                )
            ).all()
        )


def _record(organisation_id: int, month: str | None, error: str) -> None:
    """A sent month (and no error), or the error of a failed attempt."""
    values: dict[str, object] = {"last_error": error[:500]}
    if month is not None:
        values["last_sent_month"] = month
    with session_scope() as session:
        session.execute(
            update(MonthlyReportSubscription)
            .where(col(MonthlyReportSubscription.organisation_id) == organisation_id)
            .values(**values)
        )


def send_one(row: MonthlyReportSubscription, now: datetime, settings: Settings) -> bool | None:
    """Send the organisation's last month if not sent yet: True sent, False failed (recorded),
    None nothing due. MailServerUnreachableError passes (after recording it)."""
    report = month_report(row.organisation_id, now)
    month = month_key(report.first_day)
    if row.last_sent_month >= month:
        return None
    try:
        mails = addressed_mails(row, report, now, settings)
    except Exception as exc:  # a report that cannot be built must not stop the others
        log.exception("monthly report not built", extra={"organisation_id": row.organisation_id})
        _record(row.organisation_id, None, f"The report could not be built: {exc}")
        return False
    try:
        for mail in mails:  # one per language; a failure sends the month again to all
            send_mail(mail, settings)
    except MailError as exc:
        _record(row.organisation_id, None, str(exc))
        log.warning(
            "monthly report not sent",
            extra={"organisation_id": row.organisation_id, "month": month, "why": str(exc)},
        )
        if isinstance(exc, MailServerUnreachableError):
            raise
        return False
    _record(row.organisation_id, month, "")
    log.info("monthly report sent", extra={"organisation_id": row.organisation_id, "month": month})
    return True


def addressed_mails(
    row: MonthlyReportSubscription, report: ReportFilter, now: datetime, settings: Settings
) -> list[OutgoingMail]:
    """The month's mail to the subscription's recipients, one per language they read."""
    organisation_id = row.organisation_id
    figures = month_figures(report, now)
    attachment = sessions_csv(report, now)
    sender = settings.smtp_from or sender_fallback(settings)
    addresses = [a for a in row.recipients.split(",") if a]
    mails = []
    for language, readers in languages_of(addresses, organisation_id).items():
        with reading_as(language, organisation_id):
            mail = worded_mail(organisation_name(organisation_id), report, figures, attachment)
        mails.append(
            OutgoingMail(
                ", ".join(readers),
                mail.subject,
                mail.body,
                sender,
                mail.attachments,
                sender_name=sender_name(organisation_id),
            )
        )
    return mails


def send_monthly_reports(now: datetime, settings: Settings) -> MonthlyRun:
    """One run of the job (blocking: database and SMTP)."""
    if not mail_enabled(settings):
        return MonthlyRun()
    sent = failed = 0
    for row in due_subscriptions():
        try:
            outcome = send_one(row, now, settings)
        except MailServerUnreachableError:
            failed += 1
            break
        if outcome is True:
            sent += 1
        elif outcome is False:
            failed += 1
    return MonthlyRun(sent, failed)


async def run_monthly_reports(settings: Settings) -> MonthlyRun:
    """A scheduled run: the blocking work off the event loop."""
    return await asyncio.to_thread(send_monthly_reports, utc_now(), settings)


def schedule_monthly_reports(scheduler: BaseScheduler, settings: Settings) -> None:
    """Daily, and soon after every start (a restart never skips a month: the run sends what
    is due and nothing twice)."""
    scheduler.add_job(
        run_monthly_reports,
        "interval",
        seconds=MONTHLY_REPORT_INTERVAL.total_seconds(),
        next_run_time=utc_now() + FIRST_RUN_DELAY,
        args=[settings],
        id=MONTHLY_REPORT_JOB,
        replace_existing=True,
    )
