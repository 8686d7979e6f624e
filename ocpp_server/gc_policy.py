"""The cyclic garbage collector's settings for a process holding thousands of charger
connections: call `settle_after_startup()` once the server is up.

Measured with bench/ocpp_throughput.py's open loop (1,000 chargers offering 1,000 msg/s, one
core): with the default thresholds (700, 10, 10) a young collection ran every ~7 ms, so every
object of a CALL still waiting for its group commit (payload dicts, dataclasses, futures, the
writer's ORM rows, ~10-20 ms in flight) survived two of them and was promoted to the oldest
generation. The oldest generation then grew by thousands of objects a second, and a full
collection of every connection's objects (~130,000 at 1,000 chargers, ten times that at
10,000) paused the event loop for 70-150 ms every few seconds: p99 164-705 ms. With a young
generation of GEN0_THRESHOLD objects a collection runs about once a second, almost everything
allocated since is already freed by reference counting, nothing in flight is promoted and no
full collection ran in steady state: p99 21-24 ms, and a third of the GC time.

`gc.freeze()` first moves everything built at start-up (modules, schemas, ORM mappers) out of
the collector's view for good, as before.
"""

from __future__ import annotations

import gc

GEN0_THRESHOLD = 50_000  # allocations between young collections (CPython default: 700)


def settle_after_startup() -> None:
    """Collect once, freeze what start-up built, and raise the young-generation threshold."""
    gc.collect()
    gc.freeze()
    _gen0, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(GEN0_THRESHOLD, gen1, gen2)
