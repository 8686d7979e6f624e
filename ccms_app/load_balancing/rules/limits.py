"""Amperes to whole deciamps, and a node's per-phase limit from its rating, plan and building load.

The allocation works in whole deciamps (0.1 A, an int) so its sums are exact. Limits are
rounded *down* to the 0.1 A and margins *up*, so rounding never lets a node exceed its rating.
A power limit (kW) is a three-phase total at the nominal voltage:
per phase A = kW * 1000 / (3 * 230).
"""

from __future__ import annotations

import math
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from ccms_app.core.i18n import tr

NOMINAL_VOLTAGE_V = 230
_TENTH = Decimal("0.1")


def _tenths(amps: float, rounding: str) -> int:
    # Via the decimal text of the float: 0.15 is "0.15", not 0.1499999...
    return int(Decimal(repr(amps)).quantize(_TENTH, rounding=rounding) * 10)


def deciamps(amps: float) -> int:
    """A measured or configured current in whole 0.1 A, half up (16.05 A -> 161)."""
    if not math.isfinite(amps):
        raise ValueError(tr("current must be a finite number, got {amps}", amps=amps))
    return _tenths(amps, ROUND_HALF_UP)


def amps(da: int) -> float:
    return da / 10


def kw_to_phase_da(kw: float, phases: int = 3) -> int:
    """Per-phase current for a power at the nominal voltage, rounded down (never more)."""
    if phases not in (1, 2, 3):
        raise ValueError(tr("phases must be 1, 2 or 3, got {phases}", phases=phases))
    da = Decimal(repr(kw)) * 10_000 / (phases * NOMINAL_VOLTAGE_V)
    return int(da.to_integral_value(rounding=ROUND_FLOOR))


def node_limit_da(limit_a: float | None, limit_kw: float | None, margin_a: float) -> int | None:
    """The lower of the current and power limits, less the safety margin, never below 0;
    None when the node has neither (it limits nothing itself)."""
    limits = []
    if limit_a is not None:
        limits.append(_tenths(limit_a, ROUND_FLOOR))
    if limit_kw is not None:
        limits.append(kw_to_phase_da(limit_kw))
    if not limits:
        return None
    return max(0, min(limits) - _tenths(margin_a, ROUND_CEILING))


def root_limit_da(
    node_limit: int | None,
    plan_limit: int | None,
    building_da: tuple[int, int, int] | None,
) -> tuple[int, int, int] | None:
    """What the grid connection leaves for the chargers, per phase: the lower of its own limit
    and the active plan's, less the building load on that phase (dynamic strategy), never
    below 0. A negative building load (a PV roof exporting) frees capacity on that phase: the
    fuse carries the net current. None when neither the node nor a plan limits it."""
    limits = [limit for limit in (node_limit, plan_limit) if limit is not None]
    if not limits:
        return None
    base = min(limits)
    if building_da is None:
        return (base, base, base)
    l1, l2, l3 = (max(0, base - load) for load in building_da)
    return (l1, l2, l3)
