"""A building load reading as an integration sends it: per phase, one current for all three,
or a power; when it was measured.

Pure. Accepted shapes (exactly one):
- {"l1_a": .., "l2_a": .., "l3_a": ..}: the current per phase, amperes;
- {"current_a": ..}: the same current on every phase;
- {"power_kw": ..}: a three-phase power, spread evenly at the nominal voltage
  (A per phase = kW * 1000 / (3 * 230), `rules.limits.kw_to_phase_da`).
Values may be negative, down to -10,000 A: a building with a PV roof exporting to the grid
has a negative load, which frees capacity for the cars under a dynamic strategy (the site
limit is the grid connection's, in both directions).
`measured_at` is optional (default: now), ISO 8601 with its offset, and at most five minutes
in the future (clocks drift; a reading from tomorrow is a wrong clock, not a reading).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from ccms_app.core.i18n import tr
from ccms_app.load_balancing.rules.limits import NOMINAL_VOLTAGE_V, amps, kw_to_phase_da
from ccms_app.load_balancing.rules.site_form import FormError

MAX_READING_A = 10_000.0
MAX_READING_KW = MAX_READING_A * 3 * NOMINAL_VOLTAGE_V / 1000
FUTURE_TOLERANCE = timedelta(minutes=5)
PHASE_FIELDS = ("l1_a", "l2_a", "l3_a")
READING_FIELDS = (*PHASE_FIELDS, "current_a", "power_kw", "measured_at")


def _number(value: Any, name: str, bound: float, unit: str, errors: dict[str, str]) -> float:
    try:
        if isinstance(value, bool) or value is None or value == "":
            raise ValueError
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        errors[name] = tr(
            "Give a number of {unit} ({given} given).", unit=unit, given=repr(str(value)[:40])
        )
        return 0.0
    if number != number or not -bound <= number <= bound:
        errors[name] = tr(
            "Give -{bound:g} to {bound:g} {unit} ({number:g} given).",
            bound=bound,
            unit=unit,
            number=number,
        )
        return 0.0
    return number


def _measured_at(value: Any, now: datetime, errors: dict[str, str]) -> datetime:
    if value is None or value == "":
        return now
    moment = value
    if not isinstance(value, datetime):
        try:
            moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            errors["measured_at"] = tr(
                "Give an ISO 8601 time with its offset (e.g. 2026-01-31T08:00:00Z)."
            )
            return now
    if moment.tzinfo is None or moment.utcoffset() is None:
        errors["measured_at"] = tr("Give the time's offset (e.g. +01:00 or Z): whose 08:00 is it?")
        return now
    moment = moment.astimezone(UTC)
    if moment > now + FUTURE_TOLERANCE:
        errors["measured_at"] = tr(
            "The reading is more than 5 minutes in the future: check the clock."
        )
    return moment


def check_reading(
    form: Mapping[str, Any], now: datetime
) -> tuple[datetime, tuple[float, float, float]]:
    """(measured_at in UTC, per-phase amperes); FormError naming every wrong field."""
    errors: dict[str, str] = {}
    given = {k for k, v in form.items() if v is not None and v != "" and k != "measured_at"}
    unknown = sorted(given - set(READING_FIELDS))
    for name in unknown:
        errors[name] = tr("Unknown field: send l1_a, l2_a and l3_a, or current_a, or power_kw.")
    shapes = [
        shape
        for shape, fields in (
            ("phases", set(PHASE_FIELDS)),
            ("current", {"current_a"}),
            ("power", {"power_kw"}),
        )
        if given & fields
    ]
    phases = (0.0, 0.0, 0.0)
    if len(shapes) != 1:
        field = "l1_a" if not shapes else sorted(given & set(READING_FIELDS))[0]
        errors.setdefault(
            field, tr("Send exactly one of: l1_a, l2_a and l3_a; current_a; power_kw.")
        )
    elif shapes == ["phases"]:
        values = []
        for name in PHASE_FIELDS:
            if name not in given:
                errors[name] = tr("Give all three phases (l1_a, l2_a, l3_a), or current_a for all.")
                values.append(0.0)
            else:
                values.append(_number(form[name], name, MAX_READING_A, "A", errors))
        phases = (values[0], values[1], values[2])
    elif shapes == ["current"]:
        current = _number(form["current_a"], "current_a", MAX_READING_A, "A", errors)
        phases = (current, current, current)
    else:
        power = _number(form["power_kw"], "power_kw", MAX_READING_KW, "kW", errors)
        per_phase = amps(kw_to_phase_da(power))
        phases = (per_phase, per_phase, per_phase)
    measured_at = _measured_at(form.get("measured_at"), now, errors)
    if errors:
        raise FormError(errors)
    return measured_at, phases
