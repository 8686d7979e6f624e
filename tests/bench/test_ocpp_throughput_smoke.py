"""Smoke test of the OCPP throughput harness (bench/ocpp_throughput.py): for ~2 s its load
generator drives the raw reference server and CCMS's real OCPP server, each in its own process,
and every CALL must be answered without a protocol error. Timings are the benchmark's business,
never asserted here."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest


@pytest.fixture(scope="module")
def harness() -> ModuleType:
    """bench/ocpp_throughput.py, imported (bench/ is a namespace package under the root)."""
    return importlib.import_module("bench.ocpp_throughput")


def _assert_clean(result: dict[str, Any], chargers: int) -> None:
    assert result["chargers"] == chargers
    assert result["messages"] > 0
    assert result["answered"] >= result["messages"]
    for problem in ("call_errors", "rejected", "lost", "protocol_errors", "unfinished"):
        assert result[problem] == 0, (problem, result)


async def test_generator_gets_answers_from_raw_and_ccms(
    harness: ModuleType, tmp_path: Path
) -> None:
    bench = harness.Bench(tmp_path, pin=harness.pinning_works())
    chargers = 5
    bench.prepare_ccms(chargers=chargers, tags=chargers)
    scenario = harness.Scenario(
        key="smoke",
        title="smoke",
        chargers=chargers,
        options=("--scenario", "closed", "--duration", "1.5", "--warmup", "0.3"),
    )
    for server in ("raw", "ccms"):
        result = await bench.measure(server, scenario)
        _assert_clean(result, chargers)
        assert result["error_codes"] == {}
        assert "server_cpu_pct" in result
    churn = harness.Scenario(
        key="smoke-sessions",
        title="smoke",
        chargers=chargers,
        options=("--scenario", "sessions", "--duration", "1.5", "--warmup", "0.3"),
        sessions=True,
    )
    result = await bench.measure("ccms", churn)
    _assert_clean(result, chargers)
    assert result["sessions_per_s"] > 0  # sessions stopped and started again, none refused
