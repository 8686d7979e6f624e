"""Home chargers: a charge point at an employee's home, with the employee's electricity rate.

The employee is a driver of the organisation (its employer); the home charger belongs to the
driver's organisation, whose Finance people see and change it (a sub-operator its own). A
charge point is the home charger of one employee at most; an employee with several home
chargers has one currency for all of them. The rate is not versioned: a new rate from a
date on is a new home charger record (remove, then add with the new `since`), and the
reports are computed from what is stored when they are asked for.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from ccms_app.accounts.models import Organisation
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.i18n import tr
from ccms_app.core.listing import ListColumn, ListSpec
from ccms_app.core.types import utc_now
from ccms_app.drivers.models import Driver
from ccms_app.finance.errors import FinanceError, FinanceNotFound
from ccms_app.finance.models import BillingProfile
from ccms_app.finance.partners.models import HomeCharger
from ccms_app.finance.rules.memberships import shown_decimal
from ccms_app.finance.rules.reimbursement import check_home_charger, rate_text
from ccms_app.finance.rules.settlement import local_day, not_saved
from ccms_app.network.models import ChargePoint, Station

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HomeChargerInput:
    charge_point_id: int
    driver_id: int
    rate_per_kwh: str  # per kWh in `currency`, e.g. "0.32"
    currency: str
    since: datetime | None = None  # None: from now


def _base() -> Select[Any]:
    return (
        sa_select(HomeCharger)
        .join(ChargePoint, col(ChargePoint.id) == HomeCharger.charge_point_id)
        .join(Driver, col(Driver.id) == HomeCharger.driver_id)
        .outerjoin(Station, col(Station.id) == ChargePoint.station_id)
    )


H = HomeCharger
HOME_CHARGER_LIST = ListSpec(
    name="home chargers",
    base=_base,
    columns=(
        ListColumn("id", "Charge point id", H.charge_point_id),
        ListColumn("charge_point", "Charge point", ChargePoint.identity, searchable=True),
        ListColumn("station", "Station", Station.name, searchable=True),
        ListColumn("driver_id", "Employee id", H.driver_id, filterable=True),
        ListColumn("employee", "Employee", Driver.name, searchable=True),
        ListColumn("employee_email", "E-mail", Driver.email, searchable=True),
        ListColumn("rate_per_kwh", "Rate per kWh", H.rate_per_kwh, sortable=False),
        ListColumn("currency", "Currency", H.currency, filterable=True),
        ListColumn("since", "Since", H.since),
        ListColumn("organisation_id", "Organisation id", H.organisation_id, filterable=True),
        ListColumn("created_by", "Created by", H.created_by, sortable=False),
    ),
    organisation_column=H.organisation_id,
    id_column=H.charge_point_id,
    default_sort="employee",
)


def shown_home_charger(row: Mapping[str, Any], zone: str) -> dict[str, str]:
    """A list row as the page shows it: the rate with its currency, the day in the zone."""
    since = row.get("since")
    return {
        "id": str(row["id"]),
        "charge_point": str(row.get("charge_point") or ""),
        "station": str(row.get("station") or ""),
        "employee": str(row.get("employee") or ""),
        "employee_email": str(row.get("employee_email") or ""),
        "rate": f"{shown_decimal(str(row.get('rate_per_kwh')))} {row.get('currency')}/kWh",
        "since": local_day(since, zone) if isinstance(since, datetime) else "",
    }


# --- what the form types -------------------------------------------------------------------


def charge_point_by_identity(identity: str, scope: Collection[int]) -> int | None:
    """The id of the charge point with this identity (any letter case) in scope."""
    cleaned = identity.strip().lower()
    if not cleaned:
        return None
    with read_session() as session:
        found = session.exec(
            select(ChargePoint.id).where(
                func.lower(ChargePoint.identity) == cleaned,
                col(ChargePoint.organisation_id).in_(list(scope)),
            )
        ).first()
    return found


def drivers_matching(text: str, scope: Collection[int]) -> list[tuple[int, str]]:
    """(id, name) of the drivers in scope whose e-mail or name is `text` (any case)."""
    cleaned = text.strip().lower()
    if not cleaned:
        return []
    with read_session() as session:
        rows = session.exec(
            select(Driver.id, Driver.name)
            .where(
                col(Driver.organisation_id).in_(list(scope)),
                (func.lower(Driver.email) == cleaned) | (func.lower(Driver.name) == cleaned),
            )
            .limit(5)
        ).all()
    return [(int(i or 0), str(name)) for i, name in rows]


def currency_for(driver_id: int, scope: Collection[int]) -> str:
    """The currency a new home charger of the employee is in, unless it says: that of the
    employee's other home chargers, else the employer's billing currency (its own settings,
    else its operator's), else EUR."""
    with read_session() as session:
        driver = session.get(Driver, driver_id)
        if driver is None or driver.organisation_id not in scope:
            return "EUR"  # the use case answers "no such employee"
        known = _currency_of_employee(session, driver_id)
        if known is not None:
            return known
        organisation = session.get(Organisation, driver.organisation_id)
        for organisation_id in (
            driver.organisation_id,
            organisation.parent_id if organisation else None,
        ):
            profile = session.get(BillingProfile, organisation_id) if organisation_id else None
            if profile is not None:
                return profile.currency
    return "EUR"


# --- changes -------------------------------------------------------------------------------


def mark_home_charger(scope: Collection[int], data: HomeChargerInput, actor: str) -> HomeCharger:
    """Make a charge point the employee's home charger; FinanceError naming every wrong
    field (charge_point_id, driver_id, rate_per_kwh, currency)."""
    with session_scope() as session:
        errors: dict[str, str] = {}
        driver = session.get(Driver, data.driver_id)
        if driver is None or driver.organisation_id not in scope:
            errors["driver_id"] = tr("No such employee (driver) in your network")
            driver = None
        _check_charge_point(session, data.charge_point_id, scope, errors)
        values, field_errors = check_home_charger(
            {"rate_per_kwh": data.rate_per_kwh, "currency": data.currency}
        )
        errors.update(field_errors)
        if values is not None and driver is not None:
            other = _currency_of_employee(session, data.driver_id)
            if other is not None and other != values.currency:
                errors["currency"] = tr(
                    "The employee's other home chargers are in {other}", other=other
                )
        if errors or values is None or driver is None:
            raise FinanceError(not_saved(len(errors)), errors)
        row = HomeCharger(
            charge_point_id=data.charge_point_id,
            organisation_id=driver.organisation_id,
            driver_id=data.driver_id,
            rate_per_kwh=rate_text(values.rate_per_kwh),
            currency=values.currency,
            since=data.since or utc_now(),
            created_by=actor,
        )
        session.add(row)
        session.flush()
        session.refresh(row)
    log.info("home charger marked", extra={"charge_point_id": row.charge_point_id, "actor": actor})
    return row


def _check_charge_point(
    session: Session, charge_point_id: int, scope: Collection[int], errors: dict[str, str]
) -> None:
    charge_point = session.get(ChargePoint, charge_point_id)
    if charge_point is None or charge_point.organisation_id not in scope:
        errors["charge_point_id"] = tr("No such charge point in your network")
        return
    existing = session.get(HomeCharger, charge_point_id)
    if existing is not None:
        owner = session.get(Driver, existing.driver_id)
        name = owner.name if owner else tr("driver {holder_id}", holder_id=existing.driver_id)
        errors["charge_point_id"] = tr("Already the home charger of {name}", name=name)


def _currency_of_employee(session: Session, driver_id: int) -> str | None:
    return session.exec(
        select(HomeCharger.currency).where(HomeCharger.driver_id == driver_id).limit(1)
    ).first()


def unmark_home_charger(scope: Collection[int], charge_point_id: int, actor: str) -> None:
    """The charge point is no home charger any more; FinanceNotFound outside the scope."""
    with session_scope() as session:
        row = session.get(HomeCharger, charge_point_id)
        if row is None or row.organisation_id not in scope:
            raise FinanceNotFound(
                tr(
                    "Charge point {charge_point_id} is no home charger in your network.",
                    charge_point_id=charge_point_id,
                )
            )
        session.delete(row)
    log.info("home charger removed", extra={"charge_point_id": charge_point_id, "actor": actor})


def home_chargers_in(session: Session, scope: Collection[int]) -> list[HomeCharger]:
    return list(
        session.exec(
            select(HomeCharger).where(col(HomeCharger.organisation_id).in_(list(scope)))
        ).all()
    )


def rate_of(row: HomeCharger) -> Decimal:
    return Decimal(row.rate_per_kwh)
