"""What a connector offers this driver: the QR label's page and "Charge here".

Station, charge point, the connector's state for this driver (rules.charging), its type and
power, the price they would pay (`stations.connector_price`: the same tariff resolution and
words as the station list) and whether they can start, and if not why, in words that say
what to do. The payment check is finance's own decision
(`finance.rules.session_payment.payer_refusal`) on the figures the charger's id tag check
reads, so a driver the charger would answer "Blocked" is told so before anything is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from ccms_app.charging.models import ChargingSession, Reservation, SessionStatus
from ccms_app.core.db import read_session
from ccms_app.core.display import format_number
from ccms_app.core.i18n import tr
from ccms_app.core.money import format_money
from ccms_app.core.types import utc_now
from ccms_app.driver_app.charging_scope import charge_point_in_scope, driver_tags, started_with
from ccms_app.driver_app.driver_accounts import DriverPrincipal
from ccms_app.driver_app.errors import DriverAppNotFound
from ccms_app.driver_app.rules import charging as rules
from ccms_app.driver_app.rules.station_prices import price_text
from ccms_app.driver_app.stations import connector_price
from ccms_app.drivers.authorization import check_id_tag
from ccms_app.finance.payments import settings as payment_settings
from ccms_app.finance.payments import stripe_gateway
from ccms_app.finance.payments.holders import organisation_currency
from ccms_app.finance.payments.payment_accounts import payer_of_id_tag
from ccms_app.finance.rules.session_payment import payer_refusal
from ccms_app.finance.wallets.ledger import balance
from ccms_app.network.models import ChargePoint, Connector, RegistrationState, Station

ACCEPTED_RESERVATION = "accepted"


@dataclass(frozen=True)
class ChargeOffer:
    """One connector as this driver sees it, in their language."""

    charge_point_id: int
    identity: str
    connector_id: int
    station_name: str
    station_address: str
    state: str
    state_label: str
    state_colour: str
    connector_type: str
    power: str
    price: str
    can_start: bool
    refusal_code: str = ""
    refusal: str = ""
    action_path: str = ""
    action_label: str = ""


def connector_offer(driver: DriverPrincipal, identity: str, connector_id: int) -> ChargeOffer:
    """The QR label's page: DriverAppNotFound for a charge point outside the driver's scope
    or a connector it does not have."""
    with read_session() as db:
        cp = charge_point_in_scope(db, driver, identity=identity)
        return offer_at(db, driver, cp, connector_id)


def offer_by_id(driver: DriverPrincipal, charge_point_id: int, connector_id: int) -> ChargeOffer:
    with read_session() as db:
        cp = charge_point_in_scope(db, driver, id=charge_point_id)
        return offer_at(db, driver, cp, connector_id)


def offer_at(
    db: Session, driver: DriverPrincipal, cp: ChargePoint, connector_id: int
) -> ChargeOffer:
    connector = db.exec(
        select(Connector).where(
            Connector.charge_point_id == cp.id, Connector.connector_id == connector_id
        )
    ).first()
    if connector is None or connector_id < 1:
        raise DriverAppNotFound(tr("This connector does not exist."), code="not_found")
    now = utc_now()
    tags = driver_tags(db, driver)
    state = rules.connector_state(_facts(db, cp, connector, tags, now))
    refusal = _refusal(db, driver, cp, connector_id, state)
    station = db.get(Station, cp.station_id) if cp.station_id is not None else None
    price = connector_price(driver, _id(cp), connector_id, now)
    return ChargeOffer(
        charge_point_id=_id(cp),
        identity=cp.identity,
        connector_id=connector_id,
        station_name=station.name if station is not None else cp.identity,
        station_address=station.address if station is not None else "",
        state=state,
        state_label=tr(rules.LABELS[state]),
        state_colour=rules.COLOURS[state],
        connector_type=connector.connector_type,
        power=_power(connector.max_power_w or cp.max_power_w),
        price=price_text(price),
        can_start=refusal is None,
        refusal_code=refusal.code if refusal else "",
        refusal=refusal.message if refusal else "",
        action_path=refusal.action_path if refusal else "",
        action_label=tr(refusal.action_label) if refusal and refusal.action_label else "",
    )


def _id(cp: ChargePoint) -> int:
    return int(cp.id or 0)


def _power(watts: int | None) -> str:
    return "" if not watts else format_number(watts / 1000, "kW", 0 if watts % 1000 == 0 else 1)


def _facts(
    db: Session, cp: ChargePoint, connector: Connector, tags: frozenset[str], now: datetime
) -> rules.ConnectorFacts:
    here = db.exec(
        select(ChargingSession.id).where(
            ChargingSession.charge_point_id == cp.id,
            ChargingSession.connector_id == connector.connector_id,
            ChargingSession.status == SessionStatus.ACTIVE,
            started_with(tags),
        )
    ).first()
    reserved = db.exec(
        select(Reservation.id).where(
            Reservation.charge_point_id == cp.id,
            col(Reservation.connector_id).in_([0, connector.connector_id]),
            Reservation.status == ACCEPTED_RESERVATION,
            col(Reservation.expiry_date) > now,
            func.lower(Reservation.id_tag).in_(sorted(tags) or [""]),
        )
    ).first()
    return rules.ConnectorFacts(
        online=cp.is_online,
        in_service=cp.enabled and cp.registration_state == RegistrationState.REGISTERED,
        charge_point_status=cp.status,
        connector_status=connector.status,
        driver_session_here=here is not None,
        reserved_for_driver=reserved is not None,
    )


def _refusal(
    db: Session, driver: DriverPrincipal, cp: ChargePoint, connector_id: int, state: str
) -> rules.Refusal | None:
    app_tag = driver.app_id_tag
    tag_status = "Accepted"
    if app_tag:
        tag_status = check_id_tag(db, app_tag, cp, utc_now(), extra_checks=False).status
    return rules.start_refusal(
        verified=driver.verified,
        email=driver.email,
        has_app_tag=bool(app_tag),
        state=state,
        payer=payer_facts(db, app_tag),
        running_elsewhere=_running_elsewhere(db, app_tag, _id(cp), connector_id),
        tag_status=tag_status,
    )


def payer_facts(db: Session, id_tag: str) -> rules.Payer:
    """How the tag's holder pays and whether the charger's payment check would refuse them
    (the figures `finance.payments.session_payments.refuse_unpaid` reads)."""
    payer = payer_of_id_tag(db, id_tag) if id_tag else None
    if payer is None:
        return rules.Payer(method="invoice", refusal=None)
    currency = organisation_currency(db, payer.organisation_id)
    minimum = payment_settings.current(db, payer.organisation_id).wallet_minimum_minor
    wallet = None
    if payer.method == "wallet":
        wallet = balance(db, payer.holder_kind, payer.holder_id, currency).total_minor
    refusal = payer_refusal(
        method=payer.method,
        wallet_total_minor=wallet,
        wallet_minimum_minor=minimum,
        has_saved_card=bool(payer.account and payer.account.card_payment_method_id),
        cards_configured=stripe_gateway.configured(),
    )
    return rules.Payer(
        method=str(payer.method),
        refusal=refusal,
        balance=format_money(wallet or 0, currency),
        minimum=format_money(minimum, currency),
    )


def _running_elsewhere(db: Session, app_tag: str, charge_point_id: int, connector_id: int) -> str:
    """Where the app tag charges now, other than this connector ("" when nowhere): the
    charger would answer ConcurrentTx to a second start with it."""
    if not app_tag:
        return ""
    row = db.exec(
        select(ChargingSession, ChargePoint)
        .join(ChargePoint, col(ChargePoint.id) == ChargingSession.charge_point_id)
        .where(
            ChargingSession.status == SessionStatus.ACTIVE,
            func.lower(ChargingSession.id_tag) == app_tag.lower(),
        )
    ).first()
    if row is None:
        return ""
    session, cp = row
    if session.charge_point_id == charge_point_id and session.connector_id == connector_id:
        return ""
    station = db.get(Station, cp.station_id) if cp.station_id is not None else None
    name = station.name if station is not None else cp.identity
    return tr("{station} (connector {connector})", station=name, connector=session.connector_id)
