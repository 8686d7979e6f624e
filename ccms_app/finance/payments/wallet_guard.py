"""Stopping wallet sessions when the money runs out.

A wallet is charged at the end of a session (finance.payments.session_settlement), so while
sessions run the balance does not move: the guard compares the holder's balance with what
their running wallet sessions cost so far (priced as the live cost job prices them:
finance.session_pricing.compute with the tariff the session started with), plus what their
ended sessions still owe (held for review, not settled yet). When the sum reaches the
balance (finance.rules.session_payment.wallet_exhausted), each of those sessions is stopped
with RemoteStopTransaction, once (session_payments.claim_stop), and the reason is recorded
on its payment: `stop_reason` "wallet balance used up" and `stop_requested_at`.

The session itself is not flagged (ChargingSession.flag_reason): a flag would hold its cost
for review (finance.rules.pricing_policy) and so its wallet charge, although nothing about
its data is odd. The operator sees the reason on the session's payment (payments list,
session payment) and the command in the charge point's command log.

When it runs: on every MeterValues of a wallet session (finance.payments.jobs hears the
meter events on the event bus, gathers them for GUARD_DELAY_S and calls `check_wallets` in a
thread, off the OCPP writer's path), and on each payment job run for the wallet sessions
without a meter value for QUIET_AFTER (a charger that reports rarely or never, time-based
prices), so a busy network is not priced twice over. The bound this gives (a
wallet ends at most one meter interval's cost plus the cost of the charger's reaction time
below zero) is explained in finance.rules.session_payment.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, tuple_
from sqlmodel import Session, col, select

from ccms_app.charging.models import ChargingSession, SessionStatus
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.types import utc_now
from ccms_app.finance.models import SessionCost
from ccms_app.finance.payments.holders import organisation_currency
from ccms_app.finance.payments.models import PaymentMethod, SessionPayment, SessionPaymentState
from ccms_app.finance.payments.session_payments import StopOrder, claim_stop
from ccms_app.finance.rules.session_payment import WALLET_USED_UP, wallet_exhausted
from ccms_app.finance.session_pricing import compute, tariff_of
from ccms_app.finance.wallets.ledger import balance
from ccms_app.network.models import ChargePoint

log = logging.getLogger(__name__)

GUARD_DELAY_S = 0.5  # meter events of a wallet session are gathered this long, then checked
QUIET_AFTER = timedelta(seconds=60)  # no meter value this long: the payment job checks it
Holder = tuple[int, str, int]  # organisation, holder kind, holder id
State = SessionPaymentState
UNSETTLED = (
    State.OPEN,
    State.HOLD_PENDING,
    State.HELD,
    State.HOLD_FAILED,
    State.TO_SETTLE,
    State.FAILED,
)


@dataclass(frozen=True)
class Running:
    """A running wallet session with what pricing it needs."""

    session: ChargingSession
    charge_point: ChargePoint
    cost: SessionCost | None
    stop_asked: bool


def wallet_methods(session_ids: Collection[int]) -> dict[int, str]:
    """The payment method of each session (those without a payment record are left out)."""
    if not session_ids:
        return {}
    with read_session() as db:
        rows = db.exec(
            select(SessionPayment.session_id, SessionPayment.method).where(
                col(SessionPayment.session_id).in_(list(session_ids))
            )
        ).all()
    return {int(session_id): method for session_id, method in rows}


def check_wallets(
    session_ids: Collection[int] | None = None, now: datetime | None = None
) -> list[StopOrder]:
    """Check the wallets behind these sessions (None: the running wallet sessions the meter
    events do not cover, see `quiet_wallet_sessions`); the stops claimed for the sessions of
    the wallets that are used up."""
    now = now or utc_now()
    with read_session() as db:
        if session_ids is None:
            session_ids = quiet_wallet_sessions(db, now)
        exhausted = [
            run.session
            for holder, runs in _running_by_holder(db, session_ids).items()
            if _used_up(db, holder, runs, now)
            for run in runs
            if not run.stop_asked
        ]
    if not exhausted:
        return []
    with session_scope() as db:
        orders = [claim_stop(db, cs, WALLET_USED_UP, now) for cs in exhausted]
    return [order for order in orders if order is not None]


def quiet_wallet_sessions(db: Session, now: datetime) -> list[int]:
    """Running wallet sessions without a meter value for QUIET_AFTER: their cost grows
    without MeterValues (time-based prices, a charger that reports rarely or never), so the
    payment job checks them; the others are checked on their meter events."""
    return list(
        db.exec(
            select(SessionPayment.session_id)
            .join(ChargingSession, col(ChargingSession.id) == SessionPayment.session_id)
            .where(
                SessionPayment.method == PaymentMethod.WALLET,
                col(SessionPayment.state).in_(UNSETTLED),
                col(SessionPayment.stop_requested_at).is_(None),
                ChargingSession.status == SessionStatus.ACTIVE,
                or_(
                    col(ChargingSession.meter_updated_at).is_(None),
                    col(ChargingSession.meter_updated_at) < now - QUIET_AFTER,
                ),
            )
        ).all()
    )


def _running_by_holder(db: Session, session_ids: Collection[int]) -> dict[Holder, list[Running]]:
    """The running wallet sessions of the holders behind `session_ids`, grouped by wallet."""
    query = (
        select(SessionPayment, ChargingSession, ChargePoint, SessionCost)
        .join(ChargingSession, col(ChargingSession.id) == SessionPayment.session_id)
        .join(ChargePoint, col(ChargePoint.id) == ChargingSession.charge_point_id)
        .outerjoin(SessionCost, col(SessionCost.session_id) == SessionPayment.session_id)
        .where(
            SessionPayment.method == PaymentMethod.WALLET,
            col(SessionPayment.state).in_(UNSETTLED),
            ChargingSession.status == SessionStatus.ACTIVE,
        )
    )
    holders = _holders_of(db, session_ids) if session_ids else set()
    if not holders:
        return {}
    pairs = [(kind, holder_id) for _org, kind, holder_id in holders]
    query = query.where(
        tuple_(col(SessionPayment.holder_kind), col(SessionPayment.holder_id)).in_(pairs)
    )
    grouped: dict[Holder, list[Running]] = {}
    for payment, cs, cp, cost in db.exec(query).all():
        holder = (payment.organisation_id, payment.holder_kind, payment.holder_id)
        running = Running(cs, cp, cost, payment.stop_requested_at is not None)
        grouped.setdefault(holder, []).append(running)
    return grouped


def _holders_of(db: Session, session_ids: Collection[int]) -> set[Holder]:
    rows = db.exec(
        select(
            SessionPayment.organisation_id, SessionPayment.holder_kind, SessionPayment.holder_id
        ).where(
            col(SessionPayment.session_id).in_(list(session_ids)),
            SessionPayment.method == PaymentMethod.WALLET,
        )
    ).all()
    return {(org, kind, holder_id) for org, kind, holder_id in rows}


def _used_up(db: Session, holder: Holder, runs: list[Running], now: datetime) -> bool:
    organisation_id, kind, holder_id = holder
    currency = organisation_currency(db, organisation_id)
    total = balance(db, kind, holder_id, currency).total_minor
    costs = [_cost_so_far(db, run, now) for run in runs]
    owed = _still_owed(db, kind, holder_id)
    if not wallet_exhausted(total, [*costs, owed]):
        return False
    log.info(
        "wallet used up",
        extra={"holder": f"{kind}:{holder_id}", "balance": total, "running": sum(costs)},
    )
    return True


def _cost_so_far(db: Session, run: Running, now: datetime) -> int:
    """The session's cost so far incl. VAT (0 without a tariff), as the live cost job
    prices it: with the tariff it started with."""
    try:
        priced = compute(db, run.session, run.charge_point, now, tariff_of(db, run.cost))
    except Exception:
        log.exception("wallet guard could not price", extra={"transaction_id": run.session.id})
        return run.cost.total_incl_minor if run.cost is not None else 0
    return priced.cost.total.incl_vat_minor if priced.cost is not None else 0


def _still_owed(db: Session, holder_kind: str, holder_id: int) -> int:
    """What the holder's ended wallet sessions will still take (priced, not settled)."""
    owed = db.exec(
        select(
            func.coalesce(func.sum(SessionCost.total_incl_minor - SessionPayment.discount_minor), 0)
        )
        .select_from(SessionPayment)
        .join(ChargingSession, col(ChargingSession.id) == SessionPayment.session_id)
        .join(SessionCost, col(SessionCost.session_id) == SessionPayment.session_id)
        .where(
            SessionPayment.method == PaymentMethod.WALLET,
            SessionPayment.holder_kind == holder_kind,
            SessionPayment.holder_id == holder_id,
            col(SessionPayment.state).in_(UNSETTLED),
            ChargingSession.status == SessionStatus.COMPLETED,
        )
    ).one()
    return int(owed or 0)
