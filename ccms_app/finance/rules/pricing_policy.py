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
        return PolicyOutcome(True, f"meterStop {stop} Wh is below meterStart {start} Wh")
    if evidence.closed_by_ccms:
        return PolicyOutcome(True, "no StopTransaction: priced up to CCMS's stop time")
    if not evidence.id_tag_accepted:
        return PolicyOutcome(True, "the id tag was refused at start, yet the session ran")
    if evidence.flagged:
        return PolicyOutcome(True, f"odd charger data: {evidence.flag_reason}"[:500])
    if evidence.register_samples == 0:
        if stop is None:
            return PolicyOutcome(True, "no meter values and no meterStop: energy unknown")
        return PolicyOutcome(False, "no meter values: energy spread evenly over the session")
    return PolicyOutcome(False, "")
