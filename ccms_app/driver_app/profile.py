"""The driver's own details in the app: name and phone (editable), the e-mail address they
sign in with (shown, with whether it is confirmed) and their language.

Name and phone are the driver's (`drivers.Driver`), changed through the drivers module's use
case (`drivers.driver_admin.update_driver`: the same rules as the operator's form); the
e-mail address stays as it is (it is the sign-in; changing it needs a new confirmation and
is not offered here).
"""

from __future__ import annotations

from dataclasses import dataclass

from ccms_app.core.db import read_session
from ccms_app.core.i18n import tr
from ccms_app.driver_app.driver_accounts import DriverPrincipal
from ccms_app.driver_app.errors import DriverAppError, DriverAppNotFound
from ccms_app.driver_app.models import DriverAccount
from ccms_app.drivers import driver_admin
from ccms_app.drivers.common import Scope, UserInputError
from ccms_app.drivers.models import Driver


@dataclass(frozen=True)
class Profile:
    name: str
    phone: str
    email: str
    verified: bool
    language: str  # "" follows the browser


def _rows(driver: DriverPrincipal) -> tuple[Driver, DriverAccount]:
    with read_session() as db:
        person = db.get(Driver, driver.driver_id)
        account = db.get(DriverAccount, driver.account_id)
    if person is None or account is None or account.driver_id != driver.driver_id:
        raise DriverAppNotFound(tr("This account does not exist."), code="not_found")
    return person, account


def my_profile(driver: DriverPrincipal) -> Profile:
    person, account = _rows(driver)
    return Profile(
        name=person.name,
        phone=person.phone,
        email=account.email,
        verified=account.email_verified_at is not None,
        language=account.language,
    )


def update_profile(driver: DriverPrincipal, name: str, phone: str) -> Profile:
    """Change the driver's name and phone; DriverAppError per field for bad input."""
    person, _account = _rows(driver)
    scope = Scope(person.organisation_id, frozenset({person.organisation_id}))
    data = driver_admin.DriverInput(
        name=str(name or ""), email=person.email, phone=str(phone or "")
    )
    try:
        driver_admin.update_driver(scope, driver.driver_id, data)
    except UserInputError as exc:
        raise DriverAppError(tr("Check the fields marked."), exc.errors, code="fields") from None
    return my_profile(driver)
