"""SessionCost <-> JSON: exact, JSON-safe round trip with the receipt's key names."""

from __future__ import annotations

import json
from decimal import Decimal

from ccms_app.finance.rules.cost_json import cost_from_json, cost_to_json
from ccms_app.finance.rules.tariff_engine import price_session
from tests.finance.rules.sessions import CHARGING, PARKING, RESERVATION, at, session, tariff
from tests.finance.rules.test_tariff_ocpi_examples import COMPLEX, RESERVATION_EXPIRE_FEE


def test_round_trip_through_json_text_is_exact() -> None:
    cost = price_session(
        tariff(COMPLEX, "Europe/Amsterdam", idle_fee_cap="1.234", min_price={"excl_vat": 30}),
        session(
            at("2024-05-06 09:30", "Europe/Amsterdam"),
            (CHARGING, 147, {"energy_kwh": Decimal("20.123"), "max_current_a": Decimal(16)}),
            (PARKING, 42, "0"),
        ),
    )
    assert cost.notes  # the cap and the min price made adjustment lines
    data = json.loads(json.dumps(cost_to_json(cost)))
    assert cost_from_json(data) == cost


def test_line_keys_are_the_receipt_contract() -> None:
    cost = price_session(
        tariff(RESERVATION_EXPIRE_FEE),
        session(at("2024-05-06 10:00"), (RESERVATION, 22, "0"), (CHARGING, 60, "20")),
    )
    data = cost_to_json(cost)
    assert set(data["lines"][0]) == {
        "start",
        "end",
        "dimension",
        "fee",
        "element_index",
        "quantity",
        "billed_quantity",
        "unit_price",
        "vat",
        "amount_excl_vat",
    }
    first = data["lines"][0]
    assert first["start"] == "2024-05-06T10:00:00Z" and first["fee"] == "reservation"
    assert (first["dimension"], first["billed_quantity"], first["vat"]) == ("TIME", "0.5", "20.0")
    assert data["total"] == {"excl_vat_minor": 650, "incl_vat_minor": 730}
    assert data["vat_by_rate"] == [
        {"rate": "10.0", "vat_minor": 50},
        {"rate": "20.0", "vat_minor": 30},
    ]
    assert cost_from_json(data) == cost
