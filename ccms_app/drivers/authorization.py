"""Id tag checks for Authorize and StartTransaction, read from the id tag table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, bindparam, exists, or_, true
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, func, select

from ccms_app.charging.models import ChargingSession, SessionStatus
from ccms_app.drivers.authorization_checks import refusal
from ccms_app.drivers.id_tag_lookup import lookup_params, spelled_like
from ccms_app.drivers.models import Driver, DriverStatus, IdTag, IdTagStatus, UserGroupMember
from ccms_app.drivers.rules.authorization import ACCEPTED, id_tag_status
from ccms_app.network.models import ChargePoint, RegistrationState
from ocpp_server.ports import IdTagInfo


def owner_blocked_clause() -> ColumnElement[bool]:
    """True for an id tag row whose owner stops it charging (see drivers.rules.authorization): its
    driver is suspended, or it is a group card and the group has no authorised active member.
    Correlates to IdTag, so it works in a single lookup and in bulk (lists, local lists)."""
    suspended_driver = (
        exists()
        .where(col(Driver.id) == IdTag.driver_id, col(Driver.status) == DriverStatus.SUSPENDED)
        .correlate(IdTag)
    )
    authorised_member = (
        exists()
        .where(
            col(UserGroupMember.group_id) == IdTag.group_id,
            col(UserGroupMember.authorised) == true(),
            col(Driver.id) == UserGroupMember.driver_id,
            col(Driver.status) == DriverStatus.ACTIVE,
        )
        .correlate(IdTag)
    )
    return or_(suspended_driver, and_(col(IdTag.group_id).is_not(None), ~authorised_member))


# Built once (Authorize and every StartTransaction run them): the card and whether its owner
# blocks it, and a running session of the card's other than `ignored` (0: none; ids start at 1).
_CARD_CHECK = spelled_like(select(IdTag, owner_blocked_clause()))
_RUNNING_WITH_TAG = select(ChargingSession.id).where(
    func.lower(ChargingSession.id_tag) == bindparam("key"),
    col(ChargingSession.status) == SessionStatus.ACTIVE,
    col(ChargingSession.id) != bindparam("ignored"),
)


def check_id_tag(
    session: Session,
    id_tag: str,
    charge_point: ChargePoint | None,
    now: datetime,
    *,
    starting: bool = False,
    ignore_session_id: int | None = None,
    extra_checks: bool = True,
) -> IdTagInfo:
    """IdTagInfo for `id_tag` on `charge_point`.

    ConcurrentTx only when `starting` (OCPP 1.6 gives it in StartTransaction replies only:
    an Authorize answered ConcurrentTx would be cached by the charger as a refusal) and the
    tag runs another accepted session (not `ignore_session_id`; refused starts hold no card),
    unless the tag may run several at once (fleet cards).

    `extra_checks`: a tag accepted so far also passes the checks other modules registered
    (drivers.authorization_checks: e.g. a wallet below the minimum is Blocked). A
    StopTransaction's answer leaves them out (charging.transactions)."""
    # OCPP IdTokens are case-insensitive.
    row = session.exec(_CARD_CHECK, params=lookup_params(id_tag)).first()
    tag, owner_blocked = row if row is not None else (None, False)
    busy = False
    if starting and tag is not None and not tag.concurrent_transactions:
        params = {"key": id_tag.lower(), "ignored": ignore_session_id or 0}
        busy = session.exec(_RUNNING_WITH_TAG, params=params).first() is not None
    status = id_tag_status(
        known=tag is not None,
        blocked=tag is not None and tag.status == IdTagStatus.BLOCKED,
        expiry=tag.expiry_date if tag else None,
        now=now,
        in_other_transaction=busy,
        # A charge point the operator disabled (usage state) accepts no id tag either.
        charge_point_registered=charge_point is not None
        and charge_point.registration_state == RegistrationState.REGISTERED
        and charge_point.enabled,
        owner_blocked=bool(owner_blocked),
    )
    if status == ACCEPTED and extra_checks and tag is not None:
        status = refusal(session, tag, charge_point, now) or status
    return IdTagInfo(
        status=status,
        expiry_date=tag.expiry_date if tag else None,
        parent_id_tag=tag.parent_id_tag if tag else None,
    )
