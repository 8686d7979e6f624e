"""The membership fees job: renews wallet memberships at each period start, retries the fee
of past-due ones, ends memberships cancelled for a moment that has come
(finance.memberships.fees). Card plans renew at Stripe (finance.memberships.stripe_events).

Periods start at any moment of any day (monthly from each enrolment), so the job runs every
FEES_INTERVAL_S; each membership is its own transaction, and one failing never stops the
others. Taking a fee is idempotent (its ledger reference), so a late or repeated run is
harmless.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from datetime import datetime

from apscheduler.schedulers.base import BaseScheduler

from ccms_app.core.config import Settings
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.types import utc_now
from ccms_app.finance.memberships.fees import Renewal, renew, renewal_candidates

log = logging.getLogger(__name__)

FEES_JOB_ID = "membership-fees"
FEES_INTERVAL_S = 600


def collect_membership_fees(now: datetime) -> dict[str, int]:
    """One run (blocking): how many memberships were charged, made past due, cancelled."""
    with read_session() as db:
        candidates = renewal_candidates(db, now)
    done: Counter[str] = Counter()
    for membership_id in candidates:
        try:
            with session_scope() as db:
                done[renew(db, membership_id, now)] += 1
        except Exception:  # one membership's failure must not stop the others' fees
            log.exception("membership renewal failed", extra={"membership_id": membership_id})
            done["failed"] += 1
    result = {str(key): count for key, count in done.items() if key != Renewal.NOTHING}
    if result:
        log.info("membership fees", extra=result)
    return result


async def run_membership_fees() -> dict[str, int]:
    """A scheduled run: the blocking work off the event loop."""
    return await asyncio.to_thread(collect_membership_fees, utc_now())


def schedule_membership_jobs(scheduler: BaseScheduler, settings: Settings) -> None:
    """Add (or replace) the fees job on `scheduler`."""
    del settings  # the same signature as the other finance jobs; nothing configurable yet
    scheduler.add_job(
        run_membership_fees,
        "interval",
        seconds=FEES_INTERVAL_S,
        id=FEES_JOB_ID,
        replace_existing=True,
    )
