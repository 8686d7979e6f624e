"""What a reservation costs under a tariff, with the same engine that prices sessions.

OCPI 2.2.1 prices reservations with tariff elements restricted to `RESERVATION` (the time the
connector is held before the session; billed with the session that uses it: session pricing
adds that period, `session_pricing._reserved_at`) and `RESERVATION_EXPIRES` (a reservation
that ends unused; the engine looks at those elements first, then at RESERVATION ones).

Here a reservation is priced alone: one RESERVATION period from its start to its end, as
used (`while_reserved`) or as expired (`if_expired`). CCMS choice: the tariff's min_price and
max_price are session limits, so they are left out of a reservation priced alone (a minimum
session price must not turn a free reservation into a charge).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta

from ccms_app.finance.rules.tariff_engine import price_session
from ccms_app.finance.rules.tariff_types import (
    PeriodKind,
    SessionCost,
    SessionTimeline,
    Tariff,
    TimelinePeriod,
)


@dataclass(frozen=True)
class ReservationFee:
    """Incl. VAT, in the tariff's currency's minor units."""

    currency: str
    while_reserved_minor: int  # the whole time held, billed with the session that uses it
    if_expired_minor: int  # billed when it ends unused

    @property
    def free(self) -> bool:
        return self.while_reserved_minor == 0 and self.if_expired_minor == 0


def has_reservation_prices(tariff: Tariff) -> bool:
    """Whether any element of the tariff prices reservations (either kind)."""
    return any(
        element.restrictions is not None and element.restrictions.reservation is not None
        for element in tariff.elements
    )


def reservation_cost(tariff: Tariff, start: datetime, end: datetime, expired: bool) -> SessionCost:
    """The engine's cost of a reservation held from `start` to `end` (aware datetimes)."""
    alone = dataclasses.replace(tariff, min_price=None, max_price=None)
    timeline = SessionTimeline(
        periods=(TimelinePeriod(start=start, kind=PeriodKind.RESERVATION),),
        end=max(start, end),
        reservation_expired=expired,
    )
    return price_session(alone, timeline)


def reservation_fee(tariff: Tariff, start: datetime, minutes: int) -> ReservationFee:
    """What holding a connector for `minutes` from `start` costs: used, or expired unused."""
    if not has_reservation_prices(tariff):
        return ReservationFee(tariff.currency, 0, 0)
    end = start + timedelta(minutes=minutes)
    used = reservation_cost(tariff, start, end, expired=False)
    unused = reservation_cost(tariff, start, end, expired=True)
    return ReservationFee(tariff.currency, used.total.incl_vat_minor, unused.total.incl_vat_minor)
