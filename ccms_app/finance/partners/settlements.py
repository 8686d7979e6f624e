"""A partner's monthly settlement report: ONE function (`settlement_report`) that the
operator's page, the partner's page, the PDF, the CSV and the REST API all read, so the
operator and the partner always see the same figures.

The month is a calendar month in the operator's billing time zone (Finance -> Billing
settings of the organisation above the partner), turned into UTC bounds with the zone's
rules (a DST month is 743 or 745 hours long). Its sessions: the partner's charging sessions
whose cost is final and which STOPPED in [first instant, first instant of the next month),
as for invoices. The maths is `finance.rules.settlement`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from ccms_app.accounts.models import Organisation
from ccms_app.charging.models import ChargingSession
from ccms_app.core.db import read_session
from ccms_app.core.i18n import tr
from ccms_app.core.types import utc_now
from ccms_app.finance.documents.parties import Seller, seller_of
from ccms_app.finance.errors import FinanceError, FinanceNotFound
from ccms_app.finance.models import BillingProfile, CostState, SessionCost
from ccms_app.finance.partners.agreements import agreements_of, partner_currency, terms_of
from ccms_app.finance.rules.documents import month_bounds
from ccms_app.finance.rules.settlement import SessionIncome, Settlement, parse_month, settle
from ccms_app.network.models import ChargePoint, Station

MONTH_FORMAT = "YYYY-MM"


@dataclass(frozen=True)
class SettlementReport:
    """Everything a settlement shows, for one partner and one month."""

    partner_id: int
    partner_name: str
    operator_id: int
    operator: Seller  # the operator's details as its documents print them
    month: str  # "2026-03"
    time_zone: str
    start: datetime  # UTC, inclusive
    end: datetime  # UTC, exclusive
    settlement: Settlement
    provisional: bool  # the month is not over yet: more sessions may come
    generated_at: datetime

    @property
    def currency(self) -> str:
        return self.settlement.currency


def month_of(text: str) -> date:
    """ "2026-03" -> 2026-03-01; FinanceError on the field "month" otherwise."""
    month = parse_month(text)
    if month is None:
        raise FinanceError(
            tr("Give a month as {month_format}, e.g. 2026-03.", month_format=MONTH_FORMAT),
            {
                "month": tr(
                    "Give a month as {month_format}, e.g. 2026-03", month_format=MONTH_FORMAT
                )
            },
        )
    return month


def settlement_report(
    partner_id: int, month_text: str, scope: Collection[int], now: datetime | None = None
) -> SettlementReport:
    """The partner's settlement of a month; FinanceNotFound for a partner outside `scope`
    (or an organisation that is no partner), FinanceError for a wrong month."""
    month = month_of(month_text)
    with read_session() as session:
        partner = session.get(Organisation, partner_id) if partner_id in scope else None
        if partner is None or partner.parent_id is None:
            raise FinanceNotFound(
                tr("No partner {partner_id} in your network.", partner_id=partner_id)
            )
        operator_id = partner.parent_id
        profile = session.get(BillingProfile, operator_id)
        zone = (profile.time_zone if profile else "") or "UTC"
        start, end = month_bounds(month, zone)
        currency = partner_currency(session, partner_id)
        terms = [terms_of(row) for row in agreements_of(session, partner_id)]
        sessions = _sessions(session, partner_id, start, end)
        operator = seller_of(session, operator_id)
        name = partner.name
    moment = now or utc_now()
    return SettlementReport(
        partner_id=partner_id,
        partner_name=name,
        operator_id=operator_id,
        operator=operator,
        month=f"{month:%Y-%m}",
        time_zone=zone,
        start=start,
        end=end,
        settlement=settle(terms, sessions, start, end, currency),
        provisional=moment < end,
        generated_at=moment,
    )


def _sessions(
    session: Session, partner_id: int, start: datetime, end: datetime
) -> Sequence[SessionIncome]:
    """The partner's final priced sessions that stopped in [start, end)."""
    rows = session.execute(
        sa_select(
            col(ChargingSession.id),
            col(ChargingSession.stop_time),
            col(ChargePoint.station_id),
            col(Station.name),
            col(ChargePoint.identity),
            col(ChargingSession.connector_id),
            col(ChargingSession.id_tag),
            col(ChargingSession.energy_wh),
            col(SessionCost.currency),
            col(SessionCost.total_excl_minor),
            col(SessionCost.vat_minor),
            col(SessionCost.total_incl_minor),
        )
        .join(ChargingSession, col(ChargingSession.id) == SessionCost.session_id)
        .join(ChargePoint, col(ChargePoint.id) == ChargingSession.charge_point_id)
        .outerjoin(Station, col(Station.id) == ChargePoint.station_id)
        .where(
            col(SessionCost.organisation_id) == partner_id,
            col(SessionCost.state) == CostState.FINAL,
            col(ChargingSession.organisation_id) == partner_id,
            col(ChargingSession.stop_time) >= start,
            col(ChargingSession.stop_time) < end,
        )
        .order_by(col(ChargingSession.stop_time), col(ChargingSession.id))
    ).all()
    return [
        SessionIncome(
            session_id=int(row[0]),
            stopped_at=row[1],
            station_id=row[2],
            station=str(row[3] or ""),
            charge_point=str(row[4]),
            connector_id=int(row[5]),
            id_tag=str(row[6]),
            energy_wh=int(row[7] or 0),
            currency=str(row[8]),
            excl_minor=int(row[9]),
            vat_minor=int(row[10]),
            incl_minor=int(row[11]),
        )
        for row in rows
    ]
