"""Which tariffs price a running session differently with the clock alone (live costs skip
re-pricing the others until new energy is metered)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ccms_app.finance.rules.tariff_engine import grows_with_time
from ccms_app.finance.rules.tariff_types import (
    Dimension,
    PriceComponent,
    Restrictions,
    Tariff,
    TariffElement,
)


def _element(dimension: Dimension, restrictions: Restrictions | None = None) -> TariffElement:
    return TariffElement((PriceComponent(dimension, Decimal("0.30")),), restrictions)


def _tariff(*elements: TariffElement) -> Tariff:
    return Tariff("EUR", elements)


@pytest.mark.parametrize(
    ("tariff", "grows"),
    [
        (_tariff(_element(Dimension.ENERGY)), False),
        (_tariff(_element(Dimension.ENERGY), _element(Dimension.FLAT)), False),
        # energy is priced by when it was delivered: a peak window changes nothing later
        (_tariff(_element(Dimension.ENERGY, Restrictions(min_power=Decimal(11)))), False),
        (_tariff(_element(Dimension.ENERGY), _element(Dimension.TIME)), True),
        (_tariff(_element(Dimension.ENERGY), _element(Dimension.PARKING_TIME)), True),
        (_tariff(_element(Dimension.ENERGY, Restrictions(max_duration=3600))), True),
        (_tariff(_element(Dimension.ENERGY, Restrictions(min_duration=600))), True),
        # a flat fee that applies only in some window may start applying as the session runs
        (_tariff(_element(Dimension.FLAT, Restrictions(min_kwh=Decimal(1)))), True),
    ],
)
def test_time_and_parking_prices_and_restricted_fees_grow_with_time(
    tariff: Tariff, grows: bool
) -> None:
    assert grows_with_time(tariff) is grows
