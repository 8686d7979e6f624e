"""The billing jobs: issue what is due and e-mail what is unsent.

`issue_due_documents` runs, in this order (each step bounded, so a backlog drains over
several runs):
1. receipts for final sessions priced in the last RECEIPT_WINDOW_DAYS whose card has an
   account (driver or group) and which have no receipt yet, oldest first, at most
   RECEIPT_BATCH;
2. last month's invoices of every organisation (the month in the organisation's billing
   zone; issuing is idempotent, so running it again from the month's first day on only adds
   sessions priced since, e.g. released from review);
3. e-mail of unsent documents with a buyer address, at most EMAIL_BATCH per run, for
   EMAIL_RETRY_DAYS after their issue; a run stops at an unreachable server (the next run
   tries again). Skipped while e-mail is off.
One document's failure is logged and never stops the others.

Scheduled (`schedule_billing_jobs`): receipts and e-mail every CCMS_BILLING_INTERVAL_S (60); the
invoice step with them every INVOICING_INTERVAL_S only (it reads a month of sessions).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.schedulers.base import BaseScheduler
from sqlalchemy import exists, func, or_
from sqlmodel import col, select

from ccms_app.accounts.models import Organisation
from ccms_app.charging.models import ChargingSession
from ccms_app.core.config import Settings
from ccms_app.core.db import read_session
from ccms_app.core.mail import mail_enabled
from ccms_app.core.types import utc_now
from ccms_app.drivers.models import IdTag
from ccms_app.finance.documents.errors import DocumentError
from ccms_app.finance.documents.invoices import issue_monthly_invoices
from ccms_app.finance.documents.mailing import SendOutcome, send_document
from ccms_app.finance.documents.parties import seller_of
from ccms_app.finance.documents.receipts import issue_receipt
from ccms_app.finance.models import BillingDocument, CostState, DocumentKind, SessionCost
from ccms_app.finance.rules.documents import previous_month

log = logging.getLogger(__name__)

BILLING_JOB_ID = "billing-documents"
INVOICING_JOB_ID = "billing-invoices"
INVOICING_INTERVAL_S = 3600
RECEIPT_WINDOW_DAYS = 31
RECEIPT_BATCH = 100
EMAIL_BATCH = 50
EMAIL_RETRY_DAYS = 3


@dataclass(frozen=True)
class BillingRun:
    """What one run did."""

    receipts: int = 0
    invoices: int = 0
    emailed: int = 0
    email_failures: int = 0


def issue_due_documents(now: datetime, settings: Settings, invoices: bool = True) -> BillingRun:
    """One run of the billing job (blocking: database and SMTP); `invoices=False` leaves
    the monthly invoices to their own, rarer run."""
    receipts = _issue_receipts(now)
    issued = _issue_invoices(now) if invoices else 0
    emailed, failures = _send_unsent(now, settings) if mail_enabled(settings) else (0, 0)
    run = BillingRun(receipts, issued, emailed, failures)
    if run != BillingRun():
        log.info("billing documents", extra=run.__dict__)
    return run


def sessions_due_a_receipt(now: datetime, limit: int) -> list[int]:
    """Final sessions priced lately, with an account behind their card and no receipt,
    oldest first."""
    has_account = exists().where(
        func.lower(IdTag.id_tag) == func.lower(ChargingSession.id_tag),
        or_(col(IdTag.driver_id).is_not(None), col(IdTag.group_id).is_not(None)),
    )
    has_receipt = exists().where(
        col(BillingDocument.session_id) == col(SessionCost.session_id),
        col(BillingDocument.kind) == DocumentKind.RECEIPT,
    )
    with read_session() as session:
        rows = session.exec(
            select(SessionCost.session_id)
            .join(ChargingSession, col(ChargingSession.id) == SessionCost.session_id)
            .where(
                SessionCost.state == CostState.FINAL,
                col(SessionCost.priced_at) >= now - timedelta(days=RECEIPT_WINDOW_DAYS),
                has_account,
                ~has_receipt,
            )
            .order_by(col(SessionCost.session_id))
            .limit(limit)
        ).all()
    return list(rows)


def _issue_receipts(now: datetime) -> int:
    issued = 0
    for session_id in sessions_due_a_receipt(now, RECEIPT_BATCH):
        try:
            issue_receipt(session_id, now)
            issued += 1
        except DocumentError as exc:  # priced again meanwhile, e.g. put on review
            log.warning("receipt not issued", extra={"session_id": session_id, "why": str(exc)})
        except Exception:  # one bad session must not stop the others' receipts
            log.exception("receipt failed", extra={"session_id": session_id})
    return issued


def _issue_invoices(now: datetime) -> int:
    with read_session() as session:
        organisations = session.exec(select(Organisation.id)).all()
        zones = {org: seller_of(session, org).time_zone for org in organisations if org}
    issued = 0
    for organisation_id, zone in zones.items():
        try:
            month = previous_month(now, zone)
            issued += len(issue_monthly_invoices(organisation_id, month, now))
        except DocumentError as exc:
            extra = {"organisation_id": organisation_id, "why": str(exc)}
            log.warning("invoices not issued", extra=extra)
        except Exception:  # one organisation's failure must not stop the others' invoices
            log.exception("invoices failed", extra={"organisation_id": organisation_id})
    return issued


def documents_to_email(now: datetime, limit: int) -> list[int]:
    """Unsent documents with a buyer address, issued within EMAIL_RETRY_DAYS, oldest first."""
    with read_session() as session:
        rows = session.exec(
            select(BillingDocument.id)
            .where(
                col(BillingDocument.emailed_at).is_(None),
                BillingDocument.buyer_email != "",
                col(BillingDocument.issued_at) >= now - timedelta(days=EMAIL_RETRY_DAYS),
            )
            .order_by(col(BillingDocument.id))
            .limit(limit)
        ).all()
    return [int(row) for row in rows if row is not None]


def _send_unsent(now: datetime, settings: Settings) -> tuple[int, int]:
    sent = failed = 0
    for document_id in documents_to_email(now, EMAIL_BATCH):
        try:
            result = send_document(document_id, settings)
        except Exception:  # e.g. content the PDF cannot draw: the others still go out
            log.exception("document e-mail failed", extra={"document_id": document_id})
            failed += 1
            continue
        if result.ok:
            sent += 1
            continue
        failed += 1
        if result.outcome == SendOutcome.UNREACHABLE:
            break
    return sent, failed


async def run_billing(settings: Settings, invoices: bool = False) -> BillingRun:
    """A scheduled run: the blocking work off the event loop."""
    return await asyncio.to_thread(issue_due_documents, utc_now(), settings, invoices)


def schedule_billing_jobs(scheduler: BaseScheduler, settings: Settings) -> None:
    """Add (or replace) the billing jobs on `scheduler`: receipts and e-mail often,
    invoices hourly (both are idempotent, so a restart or a late run is harmless)."""
    scheduler.add_job(
        run_billing,
        "interval",
        seconds=settings.billing_interval_s,
        args=[settings, False],
        id=BILLING_JOB_ID,
        replace_existing=True,
    )
    scheduler.add_job(
        run_billing,
        "interval",
        seconds=INVOICING_INTERVAL_S,
        args=[settings, True],
        id=INVOICING_JOB_ID,
        replace_existing=True,
    )
