"""Top-up packages: "pay 50, get 55" (the 5 is bonus credit, spent first, never refunded).

An organisation keeps a short list; a package is switched off (`active` false) rather than
deleted, because top-ups refer to it.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ccms_app.accounts.models import Organisation
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.i18n import tr
from ccms_app.core.money import format_minor
from ccms_app.finance.errors import FinanceError, FinanceNotFound
from ccms_app.finance.payments.holders import organisation_currency
from ccms_app.finance.payments.models import TopUpPackage
from ccms_app.finance.rules import payments as rules
from ccms_app.finance.rules import stripe_limits

log = logging.getLogger(__name__)


def packages(scope: Collection[int], active_only: bool = False) -> list[TopUpPackage]:
    """The packages of the organisations in scope, by organisation and price."""
    query = select(TopUpPackage).where(col(TopUpPackage.organisation_id).in_(list(scope)))
    if active_only:
        query = query.where(col(TopUpPackage.active))
    with read_session() as db:
        return list(
            db.exec(
                query.order_by(
                    col(TopUpPackage.organisation_id),
                    col(TopUpPackage.pay_minor),
                    col(TopUpPackage.id),
                )
            ).all()
        )


def package(db: Session, package_id: int, scope: Collection[int] | None) -> TopUpPackage:
    found = db.get(TopUpPackage, package_id)
    if found is None or (scope is not None and found.organisation_id not in scope):
        raise FinanceNotFound(
            tr("No top-up package {package_id} in your network.", package_id=package_id)
        )
    return found


def get(package_id: int, scope: Collection[int]) -> TopUpPackage:
    with read_session() as db:
        return package(db, package_id, scope)


def package_form(found: TopUpPackage) -> dict[str, str]:
    return {
        "name": found.name,
        "pay": format_minor(found.pay_minor, found.currency, False),
        "credit": format_minor(found.credit_minor, found.currency, False),
        "currency": found.currency,
        "active": "true" if found.active else "false",
    }


def _chargeable(values: rules.PackageValues) -> rules.PackageValues:
    """What is paid goes through Stripe Checkout: within what Stripe takes, or no one could
    ever buy the package (one switched off may stay as it is)."""
    problem = stripe_limits.amount_problem(values.pay_minor, values.currency)
    if problem and values.active:
        raise FinanceError(tr("Check the package."), {"pay": problem})
    return values


def _store(db: Session, row: TopUpPackage, values: rules.PackageValues) -> TopUpPackage:
    row.name, row.pay_minor, row.credit_minor = values.name, values.pay_minor, values.credit_minor
    row.currency, row.active = values.currency, values.active
    db.add(row)
    try:
        db.flush()
    except IntegrityError as error:
        raise FinanceError(
            tr("A package of that name exists."), {"name": tr("Another package has this name.")}
        ) from error
    return row


def create(
    organisation_id: int, form: Mapping[str, str], actor: str, scope: Collection[int]
) -> TopUpPackage:
    """A new package; FinanceError names every wrong field."""
    with session_scope() as db:
        if organisation_id not in scope or db.get(Organisation, organisation_id) is None:
            raise FinanceError(
                tr("No such organisation."),
                {"organisation_id": tr("No such organisation in your network.")},
            )
        values = _chargeable(rules.check_package(form, organisation_currency(db, organisation_id)))
        row = _store(
            db,
            TopUpPackage(organisation_id=organisation_id, name="", pay_minor=0, credit_minor=0),
            values,
        )
    log.info("top-up package created", extra={"package_id": row.id, "actor": actor})
    return row


def update(
    package_id: int, form: Mapping[str, str], actor: str, scope: Collection[int]
) -> TopUpPackage:
    """Change a package (fields left out keep their value)."""
    with session_scope() as db:
        row = package(db, package_id, scope)
        values = _chargeable(rules.check_package({**package_form(row), **form}, row.currency))
        row = _store(db, row, values)
    log.info("top-up package updated", extra={"package_id": package_id, "actor": actor})
    return row
