"""The allocation as OCPP 1.6 charging profiles.

- A running transaction gets a TxProfile (stack level `TX_STACK_LEVEL`, relative to its start,
  one period at its limit) with a validTo `validity_s` from now: refreshed at half-time while
  CCMS runs, so a charger that loses CCMS falls back to its TxDefaultProfile within minutes
  instead of keeping a high limit.
- A member charge point gets that TxDefaultProfile (connector 0, stack level
  `DEFAULT_STACK_LEVEL`, no validTo) with its fallback current when it boots or connects: the
  safe default for every new transaction until CCMS sends its TxProfile, and after one expires.
- Decreases go out before increases and increases wait for them, so a node is never over its
  limit while the cars swap current.

AC limits are amperes per phase; DC chargers take watts (the AC current on the three supply
phases at 230 V). Each profile goes through control.smart_charging (recorded, with the
charge point's answer) like an operator's.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

from ccms_app.control.smart_charging.profile_commands import set_profile
from ccms_app.core.types import utc_now
from ccms_app.load_balancing.controller import ProfileOrder, record_sent
from ccms_app.load_balancing.rules.limits import NOMINAL_VOLTAGE_V

log = logging.getLogger(__name__)

TX_STACK_LEVEL = 1
DEFAULT_STACK_LEVEL = 0
REQUESTED_BY = "load balancing"
MAX_IN_FLIGHT = 32  # SetChargingProfile calls at once (each charger is its own queue anyway)

_in_flight: set[tuple[int, int]] = set()


def limit_value(limit_da: int, current_type: str, phases: int = 3) -> tuple[str, Decimal]:
    """(chargingRateUnit, limit): amperes per phase for AC, watts for DC."""
    if current_type == "DC":
        watts = Decimal(limit_da) / 10 * NOMINAL_VOLTAGE_V * phases
        return "W", watts.quantize(Decimal("0.1"))
    return "A", (Decimal(limit_da) / 10).quantize(Decimal("0.1"))


def _profile(
    purpose: str, stack_level: int, unit: str, limit: Decimal, **extra: Any
) -> dict[str, Any]:
    return {
        "stack_level": stack_level,
        "charging_profile_purpose": purpose,
        "charging_profile_kind": "Relative",
        "charging_schedule": {
            "charging_rate_unit": unit,
            "charging_schedule_period": [{"start_period": 0, "limit": str(limit)}],
        },
        **extra,
    }


def tx_profile(order: ProfileOrder) -> dict[str, Any]:
    unit, limit = limit_value(order.limit_da, order.current_type, order.phases)
    valid_to = utc_now() + timedelta(seconds=order.validity_s)
    return _profile(
        "TxProfile",
        TX_STACK_LEVEL,
        unit,
        limit,
        transaction_id=order.transaction_id,
        valid_to=valid_to.isoformat(),
    )


async def send_orders(orders: Sequence[ProfileOrder], timeout: float | None = None) -> None:
    """Decreases first (all answered), then increases; a connector with a call in flight is
    skipped (the next recomputation sees it was not sent and orders it again)."""
    ready = [o for o in orders if (o.charge_point_id, o.connector_id) not in _in_flight]
    for o in ready:
        _in_flight.add((o.charge_point_id, o.connector_id))
    lower = [o for o in ready if o.previous_da is None or o.limit_da <= o.previous_da]
    higher = [o for o in ready if o not in lower]
    limit = asyncio.Semaphore(MAX_IN_FLIGHT)
    try:
        await asyncio.gather(*(_send(o, limit, timeout) for o in lower))
        await asyncio.gather(*(_send(o, limit, timeout) for o in higher))
    finally:
        for o in ready:
            _in_flight.discard((o.charge_point_id, o.connector_id))


async def _send(order: ProfileOrder, limit: asyncio.Semaphore, timeout: float | None) -> None:
    async with limit:
        try:
            view = await set_profile(
                order.charge_point_id, order.connector_id, tx_profile(order), REQUESTED_BY, timeout
            )
            status = view.status
        except Exception as exc:
            log.warning(
                "load balancing profile not sent",
                extra={"charge_point_id": order.charge_point_id, "error": str(exc)},
            )
            status = "failed"
    await asyncio.to_thread(record_sent, order, str(status), utc_now())
    if status != "accepted":
        log.warning(
            "load balancing profile not accepted",
            extra={
                "charge_point_id": order.charge_point_id,
                "connector_id": order.connector_id,
                "transaction_id": order.transaction_id,
                "limit_a": order.limit_da / 10,
                "status": str(status),
            },
        )


async def install_fallback(
    charge_point_id: int, fallback_a: float, current_type: str, timeout: float | None = None
) -> str:
    """The TxDefaultProfile a member charger falls back to; returns the charger's answer."""
    unit, limit = limit_value(round(fallback_a * 10), current_type)
    spec = _profile("TxDefaultProfile", DEFAULT_STACK_LEVEL, unit, limit)
    try:
        view = await set_profile(charge_point_id, 0, spec, REQUESTED_BY, timeout)
    except Exception as exc:
        log.warning(
            "load balancing fallback profile not sent",
            extra={"charge_point_id": charge_point_id, "error": str(exc)},
        )
        return "failed"
    return str(view.status)
