"""Extra reasons to refuse a known, otherwise accepted id tag, registered by other modules.

Finance refuses a wallet-paying card whose balance is below the network's minimum, or a
card-paying one without a saved card (finance.payments.session_payments). Drivers cannot
import finance (finance reads drivers' id tags), so the composition root registers finance's
check here and `drivers.authorization.check_id_tag` calls every registered check, only for
a tag it has already accepted: an unknown, blocked or expired card costs nothing more.

A check runs in the OCPP writer's transaction (Authorize, StartTransaction): it must be a
few indexed reads, never a network call. It returns the refusing IdTagInfo status
(drivers.rules.authorization.BLOCKED, ...) or None to let the tag through.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlmodel import Session

from ccms_app.drivers.models import IdTag
from ccms_app.network.models import ChargePoint

log = logging.getLogger(__name__)

IdTagCheck = Callable[[Session, IdTag, ChargePoint | None, datetime], str | None]
_checks: list[IdTagCheck] = []


def add_check(check: IdTagCheck) -> None:
    """Run `check(db_session, id_tag_row, charge_point, now)` for every accepted id tag.
    Adding the same check twice is a no-op."""
    if check not in _checks:
        _checks.append(check)


def refusal(
    session: Session, tag: IdTag, charge_point: ChargePoint | None, now: datetime
) -> str | None:
    """The first registered check's refusing status, None when all let the tag through. A
    check that breaks lets the tag through (logged): a bug in a payment rule must not stop
    the whole network charging; the session is still priced and settled afterwards."""
    for check in _checks:
        try:
            status = check(session, tag, charge_point, now)
        except Exception:
            log.exception(
                "id tag check failed; the tag is let through", extra={"id_tag": tag.id_tag}
            )
            continue
        if status is not None:
            return status
    return None
