"""What a reservation costs: the quote a driver sees before reserving, and the price of one
that expired unused (billed by `finance.payments.reservation_fees`).

The tariff is the one that would price a session of that id tag on that connector started
at that moment (`tariff_assignments.resolve`, the same order of levels: driver, membership,
group, connector, charge point, station, network), read in the station's zone; the fee
comes from its reservation elements (`rules.reservation_fee`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from ccms_app.charging.models import Reservation
from ccms_app.core.db import read_session
from ccms_app.finance.payments.models import PaymentMethod
from ccms_app.finance.payments.payment_accounts import payer_of_id_tag
from ccms_app.finance.rules.reservation_fee import (
    ReservationFee,
    has_reservation_prices,
    reservation_cost,
    reservation_fee,
)
from ccms_app.finance.rules.tariff_types import SessionCost
from ccms_app.finance.rules.tariff_types import Tariff as TariffDefinition
from ccms_app.finance.tariff_assignments import Resolution, resolve
from ccms_app.finance.tariffs import load_definition
from ccms_app.network.models import Connector
from ccms_app.network.station_zone import station_zone_of


@dataclass(frozen=True)
class ReservationQuote:
    """The fee per choice of minutes, under the tariff that applies (None: no tariff)."""

    tariff_name: str
    currency: str
    fees: dict[int, ReservationFee]
    # Whether an unused reservation is billed to this payer now: wallet payers are (the
    # expiry sweep debits the wallet); card and invoice payers are not yet.
    expiry_billed: bool

    @property
    def free(self) -> bool:
        return all(fee.free for fee in self.fees.values())


def station_zone(session: Session, charge_point_id: int) -> str:
    """The zone of the charge point's station (restriction times are read there), else UTC."""
    return station_zone_of(session, charge_point_id) or "UTC"


def _connector_pk(session: Session, charge_point_id: int, connector_id: int) -> int | None:
    return session.exec(
        select(Connector.id).where(
            Connector.charge_point_id == charge_point_id, Connector.connector_id == connector_id
        )
    ).first()


def _tariff(
    session: Session, charge_point_id: int, connector_id: int, id_tag: str, at: datetime
) -> tuple[Resolution, TariffDefinition] | None:
    connector_pk = _connector_pk(session, charge_point_id, connector_id)
    resolution = resolve(session, charge_point_id, connector_id, id_tag, at, connector_pk)
    if resolution is None:
        return None
    zone = station_zone(session, charge_point_id)
    return resolution, load_definition(resolution.version.definition, zone)


def wallet_pays(session: Session, id_tag: str) -> bool:
    """Whether the payer behind the id tag pays from a wallet (unused reservations billed)."""
    payer = payer_of_id_tag(session, id_tag)
    return payer is not None and payer.method == PaymentMethod.WALLET


def quote_reservation(
    charge_point_id: int,
    connector_id: int,
    id_tag: str,
    minutes: Sequence[int],
    at: datetime,
) -> ReservationQuote | None:
    """The fee of reserving for each of `minutes` from `at`; None when no tariff applies
    (nothing is billed then, reservations included)."""
    with read_session() as session:
        found = _tariff(session, charge_point_id, connector_id, id_tag, at)
        if found is None:
            return None
        resolution, tariff = found
        billed = wallet_pays(session, id_tag)
    fees = {m: reservation_fee(tariff, at, m) for m in minutes}
    return ReservationQuote(resolution.tariff_name, tariff.currency, fees, billed)


def expired_cost(session: Session, reservation: Reservation) -> SessionCost | None:
    """What an expired, unused reservation costs under the tariff that applied when it was
    made (None: no tariff, or the tariff prices no reservations)."""
    found = _tariff(
        session,
        reservation.charge_point_id,
        reservation.connector_id,
        reservation.id_tag,
        reservation.created_at,
    )
    if found is None or not has_reservation_prices(found[1]):
        return None
    return reservation_cost(found[1], reservation.created_at, reservation.expiry_date, expired=True)
