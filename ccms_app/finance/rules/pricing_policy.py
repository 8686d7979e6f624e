"""How odd sessions are priced: priced, or priced and held for review; never silently zero.

The written policy (docs/finance.md repeats it for operators):

- normal session: energy as counted from the register samples (the data policy) -> final;
- no meter values, meterStop known: meterStop - meterStart spread evenly over the charging
  time -> final, noted;
- meterStop below meterStart: what the samples counted (0 without samples) -> review;
- no StopTransaction (closed by CCMS): counted up to the last evidence, ending at CCMS's stop
  time -> review;
- clock jumps, replayed or odd data (the session is flagged by the data policy) -> review;
- id tag refused at start, yet the charger charged -> review;
- no tariff applies -> unpriced, noted ("not billed: no tariff applies ...").

A session held for review has its cost computed and shown, but no receipt or invoice takes it
until an operator releases it (finance.session_pricing.release) or re-prices it
(finance.session_pricing.reprice).
"""

from __future__ import annotations

from dataclasses import dataclass

from ccms_app.core.i18n import N_, tr
from ccms_app.core.stored_text import reword

# The notes, stored in English (a cost is priced as the charger stops: nobody reads it then)
# and shown in the reader's language (`note_text`).
BELOW_START = N_("meterStop {stop} Wh is below meterStart {start} Wh")
CLOSED_BY_CCMS = N_("no StopTransaction: priced up to CCMS's stop time")
REFUSED_TAG = N_("the id tag was refused at start, yet the session ran")
ODD_DATA = N_("odd charger data: {reason}")
ENERGY_UNKNOWN = N_("no meter values and no meterStop: energy unknown")
SPREAD_EVENLY = N_("no meter values: energy spread evenly over the session")
# Written by finance.session_pricing: no tariff, pricing failed, released by an operator.
NOT_BILLED = N_("not billed: no tariff applies to this charge point and id tag")
PRICING_FAILED = N_("pricing failed: {error}")
RELEASED = N_("{note}; released by {actor}")
NOTES = (
    BELOW_START,
    CLOSED_BY_CCMS,
    REFUSED_TAG,
    ODD_DATA,
    ENERGY_UNKNOWN,
    SPREAD_EVENLY,
    NOT_BILLED,
    PRICING_FAILED,
)


@dataclass(frozen=True)
class SessionEvidence:
    """What the pricing policy looks at (from the session row and its samples)."""

    meter_start_wh: int
    meter_stop_wh: int | None
    register_samples: int
    closed_by_ccms: bool
    flagged: bool
    flag_reason: str
    id_tag_accepted: bool


@dataclass(frozen=True)
class PolicyOutcome:
    review: bool
    note: str  # what an operator reads next to the cost ("" for a normal session)


def judge(evidence: SessionEvidence) -> PolicyOutcome:
    """Final or held for review, and why (first rule that applies)."""
    stop, start = evidence.meter_stop_wh, evidence.meter_start_wh
    if stop is not None and stop < start:
        return PolicyOutcome(True, BELOW_START.format(stop=stop, start=start))
    if evidence.closed_by_ccms:
        return PolicyOutcome(True, CLOSED_BY_CCMS)
    if not evidence.id_tag_accepted:
        return PolicyOutcome(True, REFUSED_TAG)
    if evidence.flagged:
        return PolicyOutcome(True, ODD_DATA.format(reason=evidence.flag_reason)[:500])
    if evidence.register_samples == 0:
        if stop is None:
            return PolicyOutcome(True, ENERGY_UNKNOWN)
        return PolicyOutcome(False, SPREAD_EVENLY)
    return PolicyOutcome(False, "")


def note_text(stored: str) -> str:
    """A stored cost note in the reader's language ("" stays ""); "...; released by x" too."""
    if not stored:
        return ""
    head, released, actor = stored.rpartition("; released by ")
    if released and head:
        return tr(RELEASED, note=reword(head, NOTES), actor=actor)
    return reword(stored, NOTES)
