"""A driver's RFID cards in the app: the list, block a lost card, add a card by its number.

Blocking goes through the drivers module's own use case (`drivers.id_tags.block_id_tag`),
the one an operator's Block button calls: the card answers Blocked from the next Authorize
on, and the local authorization lists holding it are marked for the next sync, so chargers
that check cards offline learn it too. Unblocking is the operator's job (a found card might
have been copied).

A card is added only from the operator's stock: a card in the driver's organisation that
belongs to nobody (no driver, no group), is active, not expired and was never used to
charge (its sessions would otherwise show in this driver's history). Any other number gets
the same refusal (`rules.account.CARD_REFUSED`), so the app never tells whether someone else
holds a card. The card is taken with one conditional UPDATE (still nobody's), so two
drivers typing the same number cannot both get it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import NoReturn

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from ccms_app.charging.models import ChargingSession
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.i18n import N_, tr
from ccms_app.core.types import utc_now
from ccms_app.driver_app.driver_accounts import DriverPrincipal
from ccms_app.driver_app.errors import DriverAppError, DriverAppNotFound
from ccms_app.driver_app.models import DriverAccount
from ccms_app.driver_app.rules import account as rules
from ccms_app.drivers import id_tags
from ccms_app.drivers.common import Scope, id_tags_changed
from ccms_app.drivers.models import IdTag, IdTagStatus

log = logging.getLogger(__name__)

# What Authorize answers for a card, as the driver reads it (drivers.rules.authorization).
AUTHORIZATION_WORDS = {
    "Accepted": (N_("Active"), "green"),
    "Blocked": (N_("Blocked"), "red"),
    "Expired": (N_("Expired"), "gray"),
}


@dataclass(frozen=True)
class CardView:
    id: int
    id_tag: str
    status: str  # active | blocked (what the operator or the driver set)
    label: str  # "Active", "Blocked", "Expired" in the driver's language
    tone: str
    description: str
    blockable: bool


def _app_tag_id(db: Session, driver: DriverPrincipal) -> int | None:
    account = db.get(DriverAccount, driver.account_id)
    return account.app_id_tag_id if account is not None else None


def my_cards(driver: DriverPrincipal) -> list[CardView]:
    """The driver's RFID cards (not the app's own id tag), in the order they were added."""
    with read_session() as db:
        app_tag = _app_tag_id(db, driver)
        tags = db.exec(
            select(IdTag)
            .where(IdTag.driver_id == driver.driver_id, col(IdTag.id) != (app_tag or 0))
            .order_by(col(IdTag.id))
        ).all()
        organisations = {tag.organisation_id for tag in tags}
    views = []
    for tag in tags:
        scope = Scope(tag.organisation_id, frozenset(organisations))
        views.append(_card(id_tags.get_id_tag(scope, int(tag.id or 0))))
    return views


def _card(view: id_tags.IdTagView) -> CardView:
    label, tone = AUTHORIZATION_WORDS.get(view.authorization, (view.authorization, "gray"))
    return CardView(
        id=view.id,
        id_tag=view.id_tag,
        status=view.status,
        label=tr(label),
        tone=tone,
        description=view.description,
        blockable=view.status != IdTagStatus.BLOCKED,
    )


def _own_card(db: Session, driver: DriverPrincipal, card_id: int) -> IdTag:
    """One of the driver's cards (never the app tag); DriverAppNotFound otherwise."""
    tag = db.get(IdTag, card_id)
    if tag is None or tag.driver_id != driver.driver_id or tag.id == _app_tag_id(db, driver):
        raise DriverAppNotFound(tr("This card does not exist."), code="not_found")
    return tag


def block_card(driver: DriverPrincipal, card_id: int) -> CardView:
    """Block one of the driver's cards now (a lost or stolen card); see the module doc."""
    with read_session() as db:
        tag = _own_card(db, driver, card_id)
        organisation_id = tag.organisation_id
    scope = Scope(organisation_id, frozenset({organisation_id}))
    view = id_tags.block_id_tag(scope, card_id)
    log.info("driver blocked a card", extra={"account_id": driver.account_id, "card": card_id})
    return _card(view)


def add_card(driver: DriverPrincipal, number: str) -> CardView:
    """Link a stock card to the driver by the number printed on it (see the module doc)."""
    candidates = rules.card_candidates(number)
    if not candidates:
        message = tr(rules.CARD_MISSING if not number.strip() else rules.CARD_REFUSED)
        raise DriverAppError(message, {"number": message}, code="refused")
    with session_scope() as db:
        if len(my_card_ids(db, driver)) >= rules.MAX_CARDS:
            message = tr(
                "You have {count} cards already: ask the operator to add more.",
                count=rules.MAX_CARDS,
            )
            raise DriverAppError(message, {"number": message}, code="limit")
        tag = _stock_card(db, driver, candidates)
        taken = db.execute(
            update(IdTag)
            .where(
                col(IdTag.id) == tag.id,
                col(IdTag.driver_id).is_(None),
                col(IdTag.group_id).is_(None),
            )
            .values(driver_id=driver.driver_id)
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]  # taken meanwhile
            _refuse()
        id_tags_changed(db, [tag.id])
        card_id = int(tag.id or 0)
    log.info("driver added a card", extra={"account_id": driver.account_id, "card": card_id})
    scope = Scope(driver.organisation_id, frozenset({driver.organisation_id}))
    return _card(id_tags.get_id_tag(scope, card_id))


def my_card_ids(db: Session, driver: DriverPrincipal) -> list[int]:
    app_tag = _app_tag_id(db, driver)
    rows = db.exec(
        select(IdTag.id).where(IdTag.driver_id == driver.driver_id, col(IdTag.id) != (app_tag or 0))
    ).all()
    return [int(row) for row in rows if row is not None]


def _stock_card(db: Session, driver: DriverPrincipal, candidates: tuple[str, ...]) -> IdTag:
    """The unassigned, unused, active stock card of the driver's organisation the number
    names; the one refusal otherwise."""
    keys = [c.lower() for c in candidates]
    tag = db.exec(select(IdTag).where(func.lower(IdTag.id_tag).in_(keys))).first()
    if (
        tag is None
        or tag.organisation_id != driver.organisation_id
        or tag.driver_id is not None
        or tag.group_id is not None
        or tag.status != IdTagStatus.ACTIVE
        or (tag.expiry_date is not None and tag.expiry_date <= utc_now())
        or _used(db, tag.id_tag)
    ):
        _refuse()
    return tag


def _used(db: Session, id_tag: str) -> bool:
    found = db.exec(
        select(ChargingSession.id).where(func.lower(ChargingSession.id_tag) == id_tag.lower())
    ).first()
    return found is not None


def _refuse() -> NoReturn:
    message = tr(rules.CARD_REFUSED)
    raise DriverAppError(message, {"number": message}, code="refused")
