"""How a charger is wired to the site's supply phases, and how much a car really uses.

Three-phase chargers are usually installed with a phase rotation (the charger's L1 on supply
L2, ...), so that single-phase cars, which draw on the charger's L1 only, spread over the
supply phases instead of all loading supply L1. A single-phase charger sits on one supply phase.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from itertools import permutations

from ccms_app.core.i18n import tr

_PHASE = {"L1": 0, "L2": 1, "L3": 2}
ROTATIONS = tuple("".join(order) for order in permutations(_PHASE)) + tuple(_PHASE)


def check_rotation(text: str) -> str:
    """The rotation, normalised ("l2 l3 l1" -> "L2L3L1"); ValueError naming the problem."""
    rotation = "".join(text.split()).upper()
    if rotation not in ROTATIONS:
        raise ValueError(
            tr(
                "phase rotation must be the supply phases of the charger's L1, L2, L3 in order "
                "(e.g. L1L2L3, L2L3L1, L3L1L2) or one phase (L1, L2, L3), got {text}",
                text=repr(text),
            )
        )
    return rotation


@functools.cache  # a handful of (rotation, phases) pairs, asked for every car every time
def supply_phases(rotation: str, used_phases: int) -> tuple[int, ...]:
    """The supply phase indexes a car draws on: the first `used_phases` of the charger's
    phases through the rotation (a single-phase car uses only the charger's L1)."""
    rotation = check_rotation(rotation)
    if used_phases not in (1, 2, 3):
        raise ValueError(
            tr("used phases must be 1, 2 or 3, got {used_phases}", used_phases=used_phases)
        )
    wired = tuple(_PHASE[rotation[i : i + 2]] for i in range(0, len(rotation), 2))
    return wired[:used_phases]


def wired_phases(rotation: str) -> tuple[int, ...]:
    """Every supply phase the charger is wired to (three, or one for a single-phase one)."""
    return supply_phases(rotation, len(check_rotation(rotation)) // 2)


def phases_in_use(phase_currents: Mapping[str, float], threshold_a: float = 1.0) -> int | None:
    """How many phases a car draws on, from per-phase Current.Import ("L1" or "L1-N" keys):
    None when a phase is not reported or the car draws nothing (cannot tell)."""
    by_phase: dict[str, float] = {}
    for name, current in phase_currents.items():
        phase = name.upper().removesuffix("-N")
        if phase in _PHASE:
            by_phase[phase] = current
    if len(by_phase) < len(_PHASE):
        return None
    drawing = sum(1 for current in by_phase.values() if current >= threshold_a)
    return drawing or None
