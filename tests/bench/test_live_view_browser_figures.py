"""bench/live_view_browser.py's reading of the app's push lag histogram: the bucket bound
each quantile falls in, from the difference of two /metrics scrapes (the whole benchmark
needs Chromium and minutes; its figures' arithmetic is checked here)."""

from __future__ import annotations

from bench.live_view_browser import lag_quantiles

BEFORE = {"0.05": 10.0, "0.1": 10.0, "0.25": 10.0, "+Inf": 10.0}


def test_quantiles_are_the_bounds_of_the_buckets_the_new_lags_fall_in() -> None:
    # 20 new lags: 10 within 50 ms, 9 more within 100 ms, 1 within 250 ms
    after = {"0.05": 20.0, "0.1": 29.0, "0.25": 30.0, "+Inf": 30.0}
    assert lag_quantiles(BEFORE, after) == {"count": 20, "p50_ms": 50.0, "p95_ms": 100.0}


def test_a_lag_above_every_bound_and_no_lag_at_all() -> None:
    above = {"0.05": 10.0, "0.1": 10.0, "0.25": 10.0, "+Inf": 12.0}
    assert lag_quantiles(BEFORE, above)["p95_ms"] == float("inf")
    assert lag_quantiles(BEFORE, BEFORE) == {"count": 0, "p50_ms": None, "p95_ms": None}
