"""Reserving a connector in the driver app, the driver's reservations, and cancelling one.

`/app/reserve/<connector.id>` shows the connector as the charging page does (the charging
module of the app: `charging_offer.offer_by_id`, whose refusals say what to do: confirm
the e-mail, top up, another connector), the holds the app offers (`rules.reservations`) and
the fee of each before anything is sent: the tariff that would price this driver's session
there (`finance.reservation_pricing.quote_reservation`: time held is billed with the
session that uses it; an unused reservation is billed from a wallet when it expires). The
reservation goes through `charging.reservations.reserve` with the driver's app id tag, so
the charge point, the operator's pages and the expiry sweep treat it like any other.

A driver's reservations are those made with one of their id tags; anyone else's is not
found. One open reservation per driver at a time.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from ccms_app.charging import reservations as charging_reservations
from ccms_app.charging.models import Reservation
from ccms_app.charging.reservations import ReservationError, ReservationView
from ccms_app.control.commands import UnknownChargePointError
from ccms_app.core.db import read_session
from ccms_app.core.display import format_time
from ccms_app.core.i18n import tr
from ccms_app.core.money import format_money
from ccms_app.core.types import utc_now
from ccms_app.driver_app.charging_offer import ChargeOffer, offer_by_id
from ccms_app.driver_app.charging_scope import charge_point_in_scope, driver_tags
from ccms_app.driver_app.driver_accounts import DriverPrincipal, require_verified
from ccms_app.driver_app.errors import DriverAppError, DriverAppNotFound
from ccms_app.driver_app.rules import reservations as rules
from ccms_app.finance.payments.reservation_fees import ChargedFee, fees_charged
from ccms_app.finance.reservation_pricing import ReservationQuote, quote_reservation, station_zone
from ccms_app.network.models import ChargePoint, Connector, RegistrationState, Station


@dataclass(frozen=True)
class FeeChoice:
    """One hold the driver may choose, with what it costs (texts in their language)."""

    minutes: int
    label: str  # "30 min"
    while_reserved: str  # "" when free
    if_unused: str


@dataclass(frozen=True)
class ReserveTarget:
    connector_pk: int
    offer: ChargeOffer
    tariff: str
    choices: tuple[FeeChoice, ...]
    free: bool
    can_reserve: bool
    refusal: str  # why not, when not
    action_path: str  # where the refusal's remedy is (top up ...), "" when none
    action_label: str


@dataclass(frozen=True)
class Reserved:
    reservation_id: int
    status: str
    ok: bool
    message: str
    tone: str


@dataclass(frozen=True)
class ReservationItem:
    id: int
    charge_point_id: int
    station: str
    charge_point: str
    connector: int
    status: str
    status_label: str
    tone: str
    until: str
    made: str
    cancellable: bool
    fee: str  # "Fee charged: €1.00" for an unused one billed, else ""


def requested_by(driver: DriverPrincipal) -> str:
    """Who the operator's pages say asked (commands, reservations)."""
    return f"driver app: {driver.email}"[:320]


def _target_row(db: Session, driver: DriverPrincipal, connector_pk: int) -> tuple[Connector, int]:
    """The connector row and its charge point id, if the driver may reserve there."""
    missing = DriverAppNotFound(tr("This connector does not exist."), code="not_found")
    connector = db.get(Connector, connector_pk)
    if connector is None or connector.connector_id < 1:
        raise missing
    try:
        cp = charge_point_in_scope(db, driver, id=connector.charge_point_id)
    except DriverAppNotFound:
        raise missing from None  # the same answer as for a connector that does not exist
    if cp.registration_state != RegistrationState.REGISTERED:
        raise missing
    return connector, int(cp.id or 0)


def _open_of(db: Session, tags: frozenset[str], now: datetime) -> list[Reservation]:
    return list(
        db.exec(
            select(Reservation).where(
                func.lower(col(Reservation.id_tag)).in_(sorted(tags) or [""]),
                col(Reservation.status).in_(rules.OPEN),
                col(Reservation.expiry_date) > now,
            )
        ).all()
    )


def _taken(db: Session, charge_point_id: int, connector_id: int, now: datetime) -> bool:
    found = db.exec(
        select(Reservation.id).where(
            Reservation.charge_point_id == charge_point_id,
            col(Reservation.connector_id).in_([0, connector_id]),
            col(Reservation.status).in_(rules.OPEN),
            col(Reservation.expiry_date) > now,
        )
    ).first()
    return found is not None


def _money(minor: int, currency: str) -> str:
    return format_money(minor, currency)


def fee_choices(quote: ReservationQuote | None) -> tuple[FeeChoice, ...]:
    """What each hold costs, worded: while held (billed with the session), if unused."""
    choices = []
    for minutes in rules.DURATIONS:
        label = tr("{minutes} min", minutes=minutes)
        fee = quote.fees.get(minutes) if quote is not None else None
        if fee is None or fee.free:
            choices.append(FeeChoice(minutes, label, "", tr("Free")))
            continue
        held = (
            tr(
                "Up to {amount} for the time it is held, added to your charging session.",
                amount=_money(fee.while_reserved_minor, fee.currency),
            )
            if fee.while_reserved_minor
            else ""
        )
        unused = (
            tr(
                "If you do not start charging in time: {amount}, taken from your wallet "
                "when the reservation ends.",
                amount=_money(fee.if_expired_minor, fee.currency),
            )
            if fee.if_expired_minor and quote is not None and quote.expiry_billed
            else tr("If you do not start charging in time: nothing is charged.")
        )
        choices.append(FeeChoice(minutes, label, held, unused))
    return tuple(choices)


def reserve_target(driver: DriverPrincipal, connector_pk: int) -> ReserveTarget:
    """The reservation page of a connector; DriverAppNotFound outside the driver's network."""
    now = utc_now()
    with read_session() as db:
        connector, charge_point_id = _target_row(db, driver, connector_pk)
        tags = driver_tags(db, driver)
        mine = _open_of(db, tags, now)
        taken = _taken(db, charge_point_id, connector.connector_id, now)
    offer = offer_by_id(driver, charge_point_id, connector.connector_id)
    quote = quote_reservation(
        charge_point_id, connector.connector_id, driver.app_id_tag, rules.DURATIONS, now
    )
    refusal = _refusal(driver, offer, mine, taken)
    return ReserveTarget(
        connector_pk=connector_pk,
        offer=offer,
        tariff=quote.tariff_name if quote is not None else "",
        choices=fee_choices(quote),
        free=quote is None or quote.free,
        can_reserve=refusal is None,
        refusal=refusal or "",
        action_path=offer.action_path if refusal == offer.refusal else "",
        action_label=offer.action_label if refusal == offer.refusal else "",
    )


def _refusal(
    driver: DriverPrincipal, offer: ChargeOffer, mine: list[Reservation], taken: bool
) -> str | None:
    """Why this driver cannot reserve this connector now (None: they can)."""
    if mine:
        return tr("You have a reservation already: use or cancel it first.")
    if not offer.can_start:
        return offer.refusal
    if taken:
        return tr("This connector is reserved already. Choose another one.")
    if not driver.app_id_tag:
        return tr("Your account cannot reserve. Contact the operator.")
    return None


async def reserve(driver: DriverPrincipal, connector_pk: int, minutes: object) -> Reserved:
    """Reserve the connector for the chosen hold with the driver's app id tag; the outcome
    as the charge point answered it. DriverAppError before anything is sent when the driver
    cannot reserve (the reason in words), DriverAppNotFound for a connector not theirs."""
    require_verified(driver)
    chosen = rules.minutes_choice(minutes)
    if chosen is None:
        raise DriverAppError(tr("Choose how long to hold the connector."), code="minutes")
    target = await asyncio.to_thread(reserve_target, driver, connector_pk)
    if not target.can_reserve:
        raise DriverAppError(target.refusal, code="refused")
    now = utc_now()
    until = rules.expiry(now, chosen)
    try:
        view = await charging_reservations.reserve(
            target.offer.charge_point_id,
            target.offer.connector_id,
            driver.app_id_tag,
            until,
            requested_by(driver),
        )
    except UnknownChargePointError:
        raise DriverAppNotFound(tr("This connector does not exist."), code="not_found") from None
    except ReservationError:
        raise DriverAppError(
            tr("This connector cannot be reserved right now. Choose another one."),
            code="refused",
        ) from None
    return await asyncio.to_thread(_worded, view)


def _until(view: ReservationView) -> str:
    """When the reservation ends, in its station's zone."""
    with read_session() as db:
        zone = station_zone(db, view.charge_point_id)
    return format_time(view.expiry_date, zone, utc_now())


def _worded(view: ReservationView) -> Reserved:
    words = rules.outcome(view.status)
    until = _until(view)
    return Reserved(
        view.id, view.status, view.status == "accepted", tr(words.text, until=until), words.tone
    )


def my_reservations(driver: DriverPrincipal) -> list[ReservationItem]:
    """The driver's reservations, newest first (open and past), at most rules.LISTED."""
    now = utc_now()
    with read_session() as db:
        tags = driver_tags(db, driver)
        rows = db.exec(
            select(Reservation, ChargePoint, Station)
            .join(ChargePoint, col(ChargePoint.id) == Reservation.charge_point_id)
            .join(Station, col(Station.id) == ChargePoint.station_id, isouter=True)
            .where(func.lower(col(Reservation.id_tag)).in_(sorted(tags) or [""]))
            .order_by(col(Reservation.created_at).desc(), col(Reservation.id).desc())
            .limit(rules.LISTED)
        ).all()
    fees = fees_charged([int(r.id or 0) for r, _cp, _st in rows])
    return [_item(r, cp, st, fees, now) for r, cp, st in rows]


def _item(
    row: Reservation,
    cp: ChargePoint,
    station: Station | None,
    fees: dict[int, ChargedFee],
    now: datetime,
) -> ReservationItem:
    zone = station.timezone if station is not None and station.timezone else "UTC"
    words = rules.status_words(row.status)
    charged = fees.get(int(row.id or 0))
    return ReservationItem(
        id=int(row.id or 0),
        charge_point_id=row.charge_point_id,
        station=station.name if station is not None else cp.identity,
        charge_point=cp.identity,
        connector=row.connector_id,
        status=row.status,
        status_label=tr(words.text),
        tone=words.tone,
        until=format_time(row.expiry_date, zone, now),
        made=format_time(row.created_at, zone, now),
        cancellable=rules.is_open(row.status, row.expiry_date, now),
        fee=tr("Fee charged: {amount}", amount=_money(charged.amount_minor, charged.currency))
        if charged is not None
        else "",
    )


def _own(driver: DriverPrincipal, reservation_id: int) -> Reservation:
    with read_session() as db:
        row = db.get(Reservation, reservation_id)
        tags = driver_tags(db, driver)
    if row is None or row.id_tag.lower() not in tags:
        raise DriverAppNotFound(tr("This reservation does not exist."), code="not_found")
    return row


async def cancel(driver: DriverPrincipal, reservation_id: int) -> Reserved:
    """Cancel one of the driver's open reservations (CancelReservation to the charge point)."""
    row = await asyncio.to_thread(_own, driver, reservation_id)
    if not rules.is_open(row.status, row.expiry_date, utc_now()):
        raise DriverAppError(tr("This reservation is not open any more."), code="closed")
    try:
        view = await charging_reservations.cancel(reservation_id, requested_by(driver))
    except ReservationError:
        raise DriverAppError(tr("This reservation is not open any more."), code="closed") from None
    if view.status == "cancelled":
        return Reserved(view.id, view.status, True, tr("Reservation cancelled."), "green")
    until = await asyncio.to_thread(_until, view)
    message = tr(
        "The charger did not confirm the cancellation. The reservation ends by itself at "
        "{until}; try again in a moment.",
        until=until,
    )
    return Reserved(view.id, view.status, False, message, "amber")
