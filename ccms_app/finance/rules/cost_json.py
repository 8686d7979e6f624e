"""SessionCost <-> JSON-safe dict (the SessionCost.breakdown column and the receipts read it).

Decimals are written as strings (exact), datetimes as ISO 8601 in UTC with a Z, minor-unit
amounts as ints. cost_from_json(cost_to_json(c)) == c. The key names, above all of "lines"
({"start", "end", "dimension", "fee", "element_index", "quantity", "billed_quantity",
"unit_price", "vat", "amount_excl_vat"}), are a contract with the receipt renderer.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from ccms_app.finance.rules.tariff_json_values import iso_utc
from ccms_app.finance.rules.tariff_types import (
    ChargingPeriodOut,
    CostLine,
    Dimension,
    DimensionCost,
    SessionCost,
)

_BUCKETS = ("total", "energy", "time", "parking", "fixed")


def _optional(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _cost(value: DimensionCost) -> dict[str, int]:
    return {"excl_vat_minor": value.excl_vat_minor, "incl_vat_minor": value.incl_vat_minor}


def cost_to_json(cost: SessionCost) -> dict[str, Any]:
    """A JSON-safe dict of the cost (json.dumps works on it as is)."""
    data: dict[str, Any] = {"currency": cost.currency}
    for bucket in _BUCKETS:
        data[bucket] = _cost(getattr(cost, bucket))
    data["vat_by_rate"] = [
        {"rate": _optional(rate), "vat_minor": minor} for rate, minor in cost.vat_by_rate
    ]
    data["total_energy_kwh"] = str(cost.total_energy_kwh)
    data["total_time_hours"] = str(cost.total_time_hours)
    data["total_parking_hours"] = str(cost.total_parking_hours)
    data["lines"] = [_line_json(line) for line in cost.lines]
    data["charging_periods"] = [
        {
            "start": iso_utc(period.start),
            "dimensions": [
                {"type": kind, "volume": str(volume)} for kind, volume in period.dimensions
            ],
            "element_index": period.element_index,
        }
        for period in cost.charging_periods
    ]
    data["notes"] = list(cost.notes)
    return data


def _line_json(line: CostLine) -> dict[str, Any]:
    return {
        "start": iso_utc(line.start),
        "end": iso_utc(line.end),
        "dimension": line.dimension.value,
        "fee": line.fee,
        "element_index": line.element_index,
        "quantity": str(line.quantity),
        "billed_quantity": str(line.billed_quantity),
        "unit_price": str(line.unit_price),
        "vat": _optional(line.vat),
        "amount_excl_vat": str(line.amount_excl_vat),
    }


def cost_from_json(data: dict[str, Any]) -> SessionCost:
    """The SessionCost `cost_to_json` wrote (KeyError / ValueError on anything else)."""
    return SessionCost(
        currency=data["currency"],
        total=_cost_from(data["total"]),
        energy=_cost_from(data["energy"]),
        time=_cost_from(data["time"]),
        parking=_cost_from(data["parking"]),
        fixed=_cost_from(data["fixed"]),
        vat_by_rate=tuple(
            (_decimal_or_none(item["rate"]), int(item["vat_minor"])) for item in data["vat_by_rate"]
        ),
        total_energy_kwh=Decimal(data["total_energy_kwh"]),
        total_time_hours=Decimal(data["total_time_hours"]),
        total_parking_hours=Decimal(data["total_parking_hours"]),
        lines=tuple(_line_from(item) for item in data.get("lines", [])),
        charging_periods=tuple(
            ChargingPeriodOut(
                start=datetime.fromisoformat(item["start"]),
                dimensions=tuple((d["type"], Decimal(d["volume"])) for d in item["dimensions"]),
                element_index=item["element_index"],
            )
            for item in data.get("charging_periods", [])
        ),
        notes=tuple(data.get("notes", [])),
    )


def _cost_from(item: dict[str, Any]) -> DimensionCost:
    return DimensionCost(
        excl_vat_minor=int(item["excl_vat_minor"]), incl_vat_minor=int(item["incl_vat_minor"])
    )


def _decimal_or_none(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _line_from(item: dict[str, Any]) -> CostLine:
    return CostLine(
        start=datetime.fromisoformat(item["start"]),
        end=datetime.fromisoformat(item["end"]),
        dimension=Dimension(item["dimension"]),
        element_index=int(item["element_index"]),
        fee=item["fee"],
        quantity=Decimal(item["quantity"]),
        billed_quantity=Decimal(item["billed_quantity"]),
        unit_price=Decimal(item["unit_price"]),
        vat=_decimal_or_none(item["vat"]),
        amount_excl_vat=Decimal(item["amount_excl_vat"]),
    )
