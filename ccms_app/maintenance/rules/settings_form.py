"""The maintenance settings form: thresholds, SLA hours per priority, verification time and
digest window, each a whole number within a range that keeps the engine sensible.

Pure. Bounds say why: an offline threshold under a minute raises alarms for every
websocket reconnect; an SLA longer than 90 days is no SLA; a digest window over an hour
delays the first mail of an outage too long. The SLA hours must not shrink with urgency
(critical <= high <= medium <= low).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise

from ccms_app.core.i18n import N_, gettext, reader_language, tr


@dataclass(frozen=True)
class Bound:
    label: str
    low: int
    high: int
    unit: str


BOUNDS: dict[str, Bound] = {
    "offline_threshold_s": Bound(N_("Offline alarm after"), 60, 86_400, "seconds"),
    "failed_start_threshold": Bound(N_("Failed starts in a row"), 2, 100, "starts"),
    "verification_s": Bound(N_("Verified after available for"), 60, 604_800, "seconds"),
    "digest_window_s": Bound(N_("E-mail digest window"), 10, 3_600, "seconds"),
    "sla_critical_h": Bound(N_("SLA critical"), 1, 2_160, "hours"),
    "sla_high_h": Bound(N_("SLA high"), 1, 2_160, "hours"),
    "sla_medium_h": Bound(N_("SLA medium"), 1, 2_160, "hours"),
    "sla_low_h": Bound(N_("SLA low"), 1, 2_160, "hours"),
}
SLA_ORDER = ("sla_critical_h", "sla_high_h", "sla_medium_h", "sla_low_h")


class SettingsFormError(ValueError):
    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = dict(errors)


def check_settings(form: Mapping[str, str]) -> dict[str, int]:
    """Every setting as a number within its bounds; SettingsFormError naming each bad one."""
    errors: dict[str, str] = {}
    values: dict[str, int] = {}
    for name, bound in BOUNDS.items():
        raw = str(form.get(name, "")).strip()
        if not raw.isdigit() or len(raw) > 9:
            errors[name] = tr(
                "A whole number of {unit} ({low}-{high}).",
                unit=bound.unit,
                low=bound.low,
                high=bound.high,
            )
            continue
        number = int(raw)
        if not bound.low <= number <= bound.high:
            errors[name] = tr(
                "Between {low} and {high} {unit} ({number} given).",
                low=bound.low,
                high=bound.high,
                unit=bound.unit,
                number=number,
            )
            continue
        values[name] = number
    for faster, slower in pairwise(SLA_ORDER):
        if faster in values and slower in values and values[faster] > values[slower]:
            errors.setdefault(
                slower,
                tr(
                    "{slower} may not be shorter than {faster}.",
                    slower=gettext(reader_language(), BOUNDS[slower].label),
                    faster=gettext(reader_language(), BOUNDS[faster].label),
                ),
            )
    if errors:
        raise SettingsFormError(errors)
    return values
