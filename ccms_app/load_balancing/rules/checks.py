"""What an operator should know about a site's configuration before it bites.

The fallback currents are what chargers draw when CCMS cannot reach them (their
TxDefaultProfile): if CCMS is down or the network goes away, every connector may charge at
its fallback at once. Where those add up to more than a node's limit on a phase, an outage of
CCMS could trip that fuse; the live page says so, with the figures (in the reader's
language: the warnings are made when the page or the REST API reads them, never stored).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ccms_app.core.i18n import tr
from ccms_app.load_balancing.rules.allocation import Node
from ccms_app.load_balancing.rules.wording import NODE_UNNAMED


@dataclass(frozen=True)
class Fallback:
    node_id: int
    phases: tuple[int, ...]  # supply phase indexes
    fallback_da: int
    connectors: int


def fallback_overloads(nodes: Sequence[Node], fallbacks: Sequence[Fallback]) -> list[str]:
    """One sentence per node whose fallbacks together exceed its limit on some phase."""
    parent = {n.id: n.parent_id for n in nodes}
    totals: dict[int, list[int]] = {n.id: [0, 0, 0] for n in nodes}
    for f in fallbacks:
        node: int | None = f.node_id
        while node is not None and node in totals:
            for phase in f.phases:
                totals[node][phase] += f.fallback_da * f.connectors
            node = parent.get(node)
    warnings = []
    for n in nodes:
        if n.limit_da is None:
            continue
        over = [
            f"L{p + 1} {totals[n.id][p] / 10:.1f} A > {n.limit_da[p] / 10:.1f} A"
            for p in range(3)
            if totals[n.id][p] > n.limit_da[p]
        ]
        if over:
            warnings.append(
                tr(
                    "The fallback currents under {node} add up to more than its limit "
                    "({phases}): if CCMS cannot reach the chargers, they may all draw their "
                    "fallback at once. Lower the fallbacks or raise the limit.",
                    node=n.name or tr(NODE_UNNAMED, id=n.id),
                    phases=", ".join(over),
                )
            )
    return warnings
