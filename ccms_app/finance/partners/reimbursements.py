"""The monthly reimbursement report per employee (home charging of company cars).

Which sessions count: the sessions on the employee's home charger(s) that STOPPED in the
month (a calendar month in the employer's billing time zone), no earlier than the home
charger's `since`, and that were started with one of the EMPLOYEE'S OWN cards (id tags whose
driver is the employee; a company fleet card handed to the employee counts when it names
them as its driver). What others charged there (a partner's private car, a guest's card)
is not the employer's to repay: those sessions are counted apart ("other sessions") so the
report shows they were left out. Energy is what the charger metered (the session's Wh),
whatever the session's tariff or cost state. The maths is `finance.rules.reimbursement`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from ccms_app.charging.models import ChargingSession
from ccms_app.core.db import read_session
from ccms_app.core.i18n import tr
from ccms_app.core.types import utc_now
from ccms_app.drivers.models import Driver, IdTag
from ccms_app.finance.documents.parties import Seller, seller_of
from ccms_app.finance.errors import FinanceNotFound
from ccms_app.finance.models import BillingProfile
from ccms_app.finance.partners.home_chargers import home_chargers_in, rate_of
from ccms_app.finance.partners.models import HomeCharger
from ccms_app.finance.partners.settlements import month_of
from ccms_app.finance.rules.documents import month_bounds
from ccms_app.finance.rules.memberships import shown_decimal
from ccms_app.finance.rules.reimbursement import ChargedEnergy, Reimbursement, reimburse
from ccms_app.network.models import ChargePoint


@dataclass(frozen=True)
class EmployeeReport:
    """One employee's month."""

    driver_id: int
    employee: str
    email: str
    organisation_id: int
    employer: Seller
    month: str
    time_zone: str
    start: datetime
    end: datetime
    chargers: tuple[tuple[str, str], ...]  # (charge point identity, "0.32 EUR/kWh")
    reimbursement: Reimbursement
    other_sessions: int  # on the home charger(s), with someone else's card
    other_energy_wh: int
    provisional: bool
    generated_at: datetime

    @property
    def currency(self) -> str:
        return self.reimbursement.currency


@dataclass(frozen=True)
class _Found:
    session_id: int
    stopped_at: datetime
    charge_point_id: int
    id_tag: str
    energy_wh: int


def reimbursement_reports(
    month_text: str, scope: Collection[int], now: datetime | None = None
) -> list[EmployeeReport]:
    """Every employee with a home charger in scope, by name: their month."""
    month = month_of(month_text)
    moment = now or utc_now()
    with read_session() as session:
        chargers = home_chargers_in(session, scope)
        by_driver: dict[int, list[HomeCharger]] = {}
        for row in chargers:
            by_driver.setdefault(row.driver_id, []).append(row)
        reports = [
            _report(session, driver_id, rows, month, moment)
            for driver_id, rows in by_driver.items()
        ]
    return sorted(reports, key=lambda r: (r.employee.lower(), r.driver_id))


def reimbursement_report(
    driver_id: int, month_text: str, scope: Collection[int], now: datetime | None = None
) -> EmployeeReport:
    """One employee's month; FinanceNotFound when they have no home charger in scope."""
    month = month_of(month_text)
    with read_session() as session:
        rows = [row for row in home_chargers_in(session, scope) if row.driver_id == driver_id]
        if not rows:
            raise FinanceNotFound(
                tr("Driver {driver_id} has no home charger in your network.", driver_id=driver_id)
            )
        return _report(session, driver_id, rows, month, now or utc_now())


def _report(
    session: Session,
    driver_id: int,
    chargers: Sequence[HomeCharger],
    month: date,
    now: datetime,
) -> EmployeeReport:
    organisation_id = chargers[0].organisation_id
    profile = session.get(BillingProfile, organisation_id)
    zone = (profile.time_zone if profile else "") or "UTC"
    start, end = month_bounds(month, zone)
    driver = session.get(Driver, driver_id)
    identities = _identities(session, [row.charge_point_id for row in chargers])
    found = _sessions(session, chargers, start, end)
    own_tags = _own_tags(session, driver_id, {f.id_tag.lower() for f in found})
    rates = {row.charge_point_id: rate_of(row) for row in chargers}
    counted = [f for f in found if f.id_tag.lower() in own_tags]
    others = [f for f in found if f.id_tag.lower() not in own_tags]
    charged = [
        ChargedEnergy(
            f.session_id,
            f.stopped_at,
            identities.get(f.charge_point_id, ""),
            f.id_tag,
            f.energy_wh,
            rates[f.charge_point_id],
        )
        for f in counted
    ]
    return EmployeeReport(
        driver_id=driver_id,
        employee=driver.name if driver else tr("Driver {driver_id}", driver_id=driver_id),
        email=driver.email if driver else "",
        organisation_id=organisation_id,
        employer=seller_of(session, organisation_id),
        month=f"{month:%Y-%m}",
        time_zone=zone,
        start=start,
        end=end,
        chargers=tuple(
            (
                identities.get(row.charge_point_id, ""),
                f"{shown_decimal(str(row.rate_per_kwh))} {row.currency}/kWh",
            )
            for row in sorted(chargers, key=lambda r: identities.get(r.charge_point_id, ""))
        ),
        reimbursement=reimburse(charged, chargers[0].currency),
        other_sessions=len(others),
        other_energy_wh=sum(f.energy_wh for f in others),
        provisional=now < end,
        generated_at=now,
    )


def _identities(session: Session, charge_point_ids: list[int]) -> dict[int, str]:
    rows = session.execute(
        sa_select(col(ChargePoint.id), col(ChargePoint.identity)).where(
            col(ChargePoint.id).in_(charge_point_ids)
        )
    ).all()
    return {int(i): str(identity) for i, identity in rows}


def _sessions(
    session: Session, chargers: Sequence[HomeCharger], start: datetime, end: datetime
) -> list[_Found]:
    """Sessions that stopped in [start, end) on the chargers, each no earlier than its
    charger's `since`."""
    since = {row.charge_point_id: row.since for row in chargers}
    rows = session.execute(
        sa_select(
            col(ChargingSession.id),
            col(ChargingSession.stop_time),
            col(ChargingSession.charge_point_id),
            col(ChargingSession.id_tag),
            col(ChargingSession.energy_wh),
        )
        .where(
            col(ChargingSession.charge_point_id).in_(list(since)),
            col(ChargingSession.stop_time) >= start,
            col(ChargingSession.stop_time) < end,
        )
        .order_by(col(ChargingSession.stop_time), col(ChargingSession.id))
    ).all()
    return [
        _Found(int(r[0]), r[1], int(r[2]), str(r[3]), int(r[4] or 0))
        for r in rows
        if r[1] >= since[int(r[2])]
    ]


def _own_tags(session: Session, driver_id: int, tags: set[str]) -> set[str]:
    """Which of the tags (lower case) are the driver's own cards."""
    if not tags:
        return set()
    rows = session.execute(
        sa_select(func.lower(IdTag.id_tag)).where(
            func.lower(IdTag.id_tag).in_(sorted(tags)), col(IdTag.driver_id) == driver_id
        )
    ).all()
    return {str(row[0]) for row in rows}
