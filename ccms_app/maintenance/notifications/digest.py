"""The alarm e-mail job: send the outbox's due digests, record failures, retry later.

Every DIGEST_INTERVAL_S the scheduler runs `send_due_digests` in a worker thread (SMTP and
the database never block the event loop): the unsent notifications whose recipient list's
digest window has passed (rules.outbox.due_mails) go out as one mail per list. A sent mail
marks its rows sent and adds a "notified" line to each alarm's timeline; a failed one keeps
them unsent with the reason and the next attempt's time. An unreachable server stops the run
(every mail would fail alike); nothing is ever dropped. While e-mail is off (no
CCMS_SMTP_HOST) the rows wait.

Each recipient reads the mail in their language (notifications.languages: their account's,
else the organisation's document language): a list whose recipients read different languages
gets one mail per language, all marked sent together; when one of them fails, the rows are
retried as a whole (the languages already sent may get theirs again).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlparse

from apscheduler.schedulers.base import BaseScheduler
from sqlalchemy import update
from sqlmodel import col, select

from ccms_app.branding.brands import root_brand
from ccms_app.core.config import Settings
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.display import format_time
from ccms_app.core.i18n import reading_as
from ccms_app.core.mail import (
    MailError,
    MailServerUnreachableError,
    OutgoingMail,
    mail_enabled,
    send_mail,
)
from ccms_app.core.types import utc_now
from ccms_app.maintenance.alarms.models import (
    Alarm,
    AlarmActivity,
    AlarmNotification,
    MaintenanceSettings,
)
from ccms_app.maintenance.notifications.languages import languages_of
from ccms_app.maintenance.notifications.rules.mail_text import MailAlarm, MailText, digest_mail
from ccms_app.maintenance.notifications.rules.outbox import Pending, due_mails, retry_delay
from ccms_app.maintenance.notifications.rules.recipients import recipient_list
from ccms_app.network.models import ChargePoint, Station

log = logging.getLogger(__name__)

DIGEST_JOB_ID = "alarm-email-digest"
DIGEST_INTERVAL_S = 10
PENDING_LIMIT = 20_000  # rows read per run; a larger backlog drains over several runs
DEFAULT_WINDOW_S = MaintenanceSettings(organisation_id=0).digest_window_s


@dataclass(frozen=True)
class DigestRun:
    """What one run did: mails sent and failed, alarms they listed."""

    mails: int = 0
    alarms: int = 0
    failures: int = 0


def pending_notifications(now: datetime) -> list[Pending]:
    """Unsent rows (oldest first) with their organisation's digest window."""
    with read_session() as session:
        rows = session.exec(
            select(AlarmNotification)
            .where(col(AlarmNotification.sent_at).is_(None))
            .order_by(col(AlarmNotification.created_at), col(AlarmNotification.id))
            .limit(PENDING_LIMIT)
        ).all()
        organisations = {row.organisation_id for row in rows}
        windows = {
            stored.organisation_id: stored.digest_window_s
            for stored in session.exec(
                select(MaintenanceSettings).where(
                    col(MaintenanceSettings.organisation_id).in_(organisations)
                )
            )
        }
    return [
        Pending(
            row.id or 0,
            row.recipients,
            row.created_at,
            row.next_attempt_at,
            windows.get(row.organisation_id, DEFAULT_WINDOW_S),
        )
        for row in rows
    ]


def mail_alarms(notification_ids: Sequence[int], now: datetime) -> list[MailAlarm]:
    """The alarms of these notifications as the mail lists them (times in the station's
    zone, as the reader writes them), one entry per alarm."""
    return _as_mail_alarms(_alarm_rows(notification_ids), now)


def _alarm_rows(notification_ids: Sequence[int]) -> Sequence[Any]:
    """(alarm, charge point identity, station name, station zone) of these notifications."""
    with read_session() as session:
        return session.exec(
            select(Alarm, ChargePoint.identity, Station.name, Station.timezone)
            .join(AlarmNotification, col(AlarmNotification.alarm_id) == Alarm.id)
            .join(ChargePoint, col(ChargePoint.id) == Alarm.charge_point_id)
            .outerjoin(Station, col(Station.id) == ChargePoint.station_id)
            .where(col(AlarmNotification.id).in_(list(notification_ids)))
            .order_by(col(Alarm.id))
        ).all()


def _as_mail_alarms(rows: Sequence[Any], now: datetime) -> list[MailAlarm]:
    alarms: dict[int, MailAlarm] = {}
    for alarm, identity, station, zone in rows:
        alarms[alarm.id or 0] = MailAlarm(
            alarm_id=alarm.id or 0,
            station=station or "",
            charge_point=identity,
            connector_id=alarm.connector_id,
            cause=alarm.cause,
            severity=alarm.severity,
            status=alarm.status,
            raised_at=format_time(alarm.first_raised_at, zone or "UTC", now),
            error_code=alarm.error_code,
            info=alarm.info,
            vendor_id=alarm.vendor_id,
            vendor_error_code=alarm.vendor_error_code,
            readable_cause=alarm.readable_cause,
            detail=alarm.detail,
        )
    return list(alarms.values())


def sender_fallback(settings: Settings) -> str:
    """The From address when CCMS_SMTP_FROM is empty: ccms@<the public host name>."""
    host = urlparse(settings.charger_base_url).hostname or "localhost"
    return f"ccms@{host}"


def _mark_sent(ids: Sequence[int], alarms: Sequence[MailAlarm], recipients: str) -> None:
    now = utc_now()
    with session_scope() as session:
        session.execute(
            update(AlarmNotification)
            .where(col(AlarmNotification.id).in_(list(ids)))
            .values(sent_at=now, last_error="", next_attempt_at=None)
        )
        text = f"E-mailed to {recipients.replace(',', ', ')}"[:2000]
        session.add_all(
            AlarmActivity(alarm_id=a.alarm_id, at=now, kind="notified", text=text) for a in alarms
        )


def _mark_failed(rows: Sequence[Pending], error: str, now: datetime) -> None:
    with session_scope() as session:
        for notification in session.exec(
            select(AlarmNotification).where(col(AlarmNotification.id).in_([r.id for r in rows]))
        ):
            notification.attempts += 1
            notification.last_error = error[:500]
            notification.next_attempt_at = now + retry_delay(notification.attempts)
            session.add(notification)


def _organisation_of(notification_ids: Sequence[int]) -> int | None:
    """The organisation of the first of these notifications (whose document language the
    addresses that are no account's read)."""
    with read_session() as session:
        return session.exec(
            select(AlarmNotification.organisation_id)
            .where(col(AlarmNotification.id).in_(list(notification_ids)))
            .order_by(col(AlarmNotification.id))
            .limit(1)
        ).first()


def _mails(
    alarm_rows: Sequence[Any],
    recipients: str,
    organisation_id: int | None,
    settings: Settings,
    now: datetime,
) -> list[OutgoingMail]:
    """One mail per language the recipients read, each in its language."""
    brand = root_brand()  # a list may serve several organisations: the network's brand
    mails = []
    for language, addresses in languages_of(recipient_list(recipients), organisation_id).items():
        with reading_as(language):
            alarms = _as_mail_alarms(alarm_rows, now)
            text: MailText = digest_mail(alarms, settings.charger_base_url, brand.product_name)
        mails.append(
            OutgoingMail(
                to=", ".join(addresses),
                subject=text.subject,
                body=text.body,
                sender=sender_fallback(settings),
                sender_name=brand.email_sender_name,
            )
        )
    return mails


def _send(rows: Sequence[Pending], settings: Settings, now: datetime) -> tuple[int, bool]:
    """Send the mails of `rows`: (alarms listed, sent?); MailServerUnreachableError passes."""
    ids = [row.id for row in rows]
    recipients = rows[0].recipients
    alarm_rows = _alarm_rows(ids)
    alarms = _as_mail_alarms(alarm_rows, now)
    if not alarms:  # the alarms are gone (purged): nothing to say
        _mark_sent(ids, [], recipients)
        return 0, True
    try:
        for mail in _mails(alarm_rows, recipients, _organisation_of(ids), settings, now):
            send_mail(mail, settings)
    except MailError as exc:
        _mark_failed(rows, str(exc), now)
        log.warning(
            "alarm e-mail failed",
            extra={"recipients": recipients, "alarms": len(alarms), "why": str(exc)},
        )
        if isinstance(exc, MailServerUnreachableError):
            raise
        return len(alarms), False
    _mark_sent(ids, alarms, recipients)
    log.info("alarm e-mail sent", extra={"recipients": recipients, "alarms": len(alarms)})
    return len(alarms), True


def send_due_digests(now: datetime, settings: Settings) -> DigestRun:
    """One run of the job (blocking: database and SMTP)."""
    if not mail_enabled(settings):
        return DigestRun()
    mails = listed = failures = 0
    for rows in due_mails(pending_notifications(now), now):
        try:
            count, sent = _send(rows, settings, now)
        except MailServerUnreachableError:
            failures += 1
            break
        except Exception as exc:  # one broken mail must not hold back the other lists
            log.exception("alarm e-mail failed", extra={"recipients": rows[0].recipients})
            _mark_failed(rows, f"{type(exc).__name__}: {exc}", now)  # backed off, not lost
            failures += 1
            continue
        if sent:
            mails, listed = mails + 1, listed + count
        else:
            failures += 1
    return DigestRun(mails, listed, failures)


async def run_alarm_digest(settings: Settings) -> DigestRun:
    """A scheduled run: the blocking work off the event loop."""
    return await asyncio.to_thread(send_due_digests, utc_now(), settings)


def schedule_alarm_digest(scheduler: BaseScheduler, settings: Settings) -> None:
    """Add (or replace) the digest job: every DIGEST_INTERVAL_S."""
    scheduler.add_job(
        run_alarm_digest,
        "interval",
        seconds=DIGEST_INTERVAL_S,
        args=[settings],
        id=DIGEST_JOB_ID,
        replace_existing=True,
    )
