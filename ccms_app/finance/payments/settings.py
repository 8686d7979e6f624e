"""Payment settings per organisation: the card hold, the wallet minimum, the fixed recharge
amounts, the top-up limits, whether memberships are offered.

Amounts are stored in minor units of the organisation's billing currency and edited in major
units (the "Payments" section of Finance -> Settings and PUT /payment-settings). An
organisation that never saved them gets the model's defaults, unsaved (`current`).
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping

from sqlmodel import Session

from ccms_app.accounts.models import Organisation
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.i18n import tr
from ccms_app.core.types import utc_now
from ccms_app.finance.errors import FinanceError, FinanceNotFound
from ccms_app.finance.payments.holders import organisation_currency
from ccms_app.finance.payments.models import PaymentSettings
from ccms_app.finance.rules import payments as rules
from ccms_app.finance.rules import stripe_limits

log = logging.getLogger(__name__)


def current(db: Session, organisation_id: int) -> PaymentSettings:
    """The organisation's payment settings (defaults when never saved). What the session
    payments and top-ups read, inside the caller's transaction."""
    found = db.get(PaymentSettings, organisation_id)
    return found if found is not None else PaymentSettings(organisation_id=organisation_id)


def values_of(settings: PaymentSettings) -> rules.SettingsValues:
    return rules.SettingsValues(
        card_hold_minor=settings.card_hold_minor,
        wallet_minimum_minor=settings.wallet_minimum_minor,
        recharge_amounts=rules.stored_amounts(settings.recharge_amounts),
        top_up_minimum_minor=settings.top_up_minimum_minor,
        top_up_maximum_minor=settings.top_up_maximum_minor,
        memberships_enabled=settings.memberships_enabled,
    )


def _in_scope(db: Session, organisation_id: int, scope: Collection[int] | None) -> None:
    if (scope is not None and organisation_id not in scope) or db.get(
        Organisation, organisation_id
    ) is None:
        raise FinanceNotFound(
            tr(
                "No organisation {organisation_id} in your network.",
                organisation_id=organisation_id,
            )
        )


def read(organisation_id: int, scope: Collection[int] | None) -> tuple[PaymentSettings, str]:
    """The settings and the currency their amounts are in."""
    with read_session() as db:
        _in_scope(db, organisation_id, scope)
        return current(db, organisation_id), organisation_currency(db, organisation_id)


def form_of(organisation_id: int, scope: Collection[int] | None) -> tuple[dict[str, str], str]:
    """The settings as the form's strings, and the currency."""
    settings, currency = read(organisation_id, scope)
    return rules.settings_form(values_of(settings), currency), currency


def _chargeable(values: rules.SettingsValues, currency: str) -> None:
    """The amounts Stripe is asked for (the card hold, top-ups) within what Stripe takes:
    a hold or a top-up Stripe refuses would only fail later, at a charger or a checkout."""
    errors = {
        name: problem
        for name, minor in (
            ("card_hold", values.card_hold_minor),
            ("top_up_minimum", values.top_up_minimum_minor),
            ("top_up_maximum", values.top_up_maximum_minor),
            *(("recharge_amounts", amount) for amount in values.recharge_amounts),
        )
        if (problem := stripe_limits.amount_problem(minor, currency))
    }
    if errors:
        raise FinanceError(tr("Check the payment settings."), errors)


def save(
    organisation_id: int, form: Mapping[str, str], actor: str, scope: Collection[int] | None
) -> PaymentSettings:
    """Check and store; FinanceError names every wrong field. Fields left out keep their
    stored value."""
    with session_scope() as db:
        _in_scope(db, organisation_id, scope)
        currency = organisation_currency(db, organisation_id)
        stored = current(db, organisation_id)
        values = rules.check_settings(
            {**rules.settings_form(values_of(stored), currency), **form}, currency
        )
        _chargeable(values, currency)
        row = db.get(PaymentSettings, organisation_id) or PaymentSettings(
            organisation_id=organisation_id
        )
        row.card_hold_minor = values.card_hold_minor
        row.wallet_minimum_minor = values.wallet_minimum_minor
        row.recharge_amounts = ",".join(str(a) for a in values.recharge_amounts)
        row.top_up_minimum_minor = values.top_up_minimum_minor
        row.top_up_maximum_minor = values.top_up_maximum_minor
        row.memberships_enabled = values.memberships_enabled
        row.updated_at = utc_now()
        db.add(row)
        db.flush()
    log.info("payment settings saved", extra={"organisation_id": organisation_id, "actor": actor})
    return row
