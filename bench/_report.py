"""The plain-text tables of bench/ocpp_throughput.py: one per scenario, one row per server, then
the ratios CCMS / reference for every figure (higher msg/s ratio is better, higher latency,
CPU, seconds or KB ratio is worse)."""

from __future__ import annotations

import asyncio
import json
import resource
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

REFERENCES = ("ocpp-sqlite-ref", "ocpp-ref")

# (column title, result key) per kind of scenario
TRAFFIC_COLUMNS = (
    ("msg/s", "msg_per_s"),
    ("p50 ms", "p50_ms"),
    ("p99 ms", "p99_ms"),
    ("server CPU %", "server_cpu_pct"),
    ("generator CPU %", "generator_cpu_pct"),
    ("set-up s", "setup_s"),
    ("errors", "errors"),
)
SESSION_COLUMNS = (("sessions/s", "sessions_per_s"), *TRAFFIC_COLUMNS)
IDLE_COLUMNS = (
    ("booted", "chargers"),
    ("boot all s", "boot_s"),
    ("RSS before MB", "rss_before_mb"),
    ("RSS after MB", "rss_after_mb"),
    ("KB/connection", "rss_per_connection_kb"),
    ("errors", "errors"),
)
_NOT_RATIOS = {"errors", "chargers"}
NAME_WIDTH = 28
GENERATOR_SATURATED = 90.0  # % of its core: beyond this the client may be the limit


def error_count(result: dict[str, Any]) -> int:
    """Everything that went wrong for the chargers: CALLERRORs, rejections, lost sockets..."""
    keys = ("call_errors", "rejected", "connect_failures", "lost", "protocol_errors", "unfinished")
    return sum(int(result.get(key) or 0) for key in keys)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if value >= 100:
            return f"{value:,.0f}"
        return f"{value:.2f}" if value < 10 else f"{value:.1f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def ratio_pairs(servers: list[str]) -> list[tuple[str, str]]:
    """(numerator, denominator) rows: ccms against each reference and any ccms baseline."""
    if "ccms" not in servers:
        return []
    baselines = [name for name in servers if name.startswith("ccms@")]
    return [("ccms", name) for name in (*REFERENCES, *baselines) if name in servers]


def ratios(
    results: dict[str, dict[str, Any]],
    columns: tuple[tuple[str, str], ...],
    pairs: list[tuple[str, str]],
) -> dict[str, dict[str, float | None]]:
    """{"ccms / <other>": {key: ccms value / other value}} for the servers that ran."""
    out: dict[str, dict[str, float | None]] = {}
    for numerator, denominator in pairs:
        mine, theirs = results.get(numerator), results.get(denominator)
        if not mine or not theirs or "error" in mine or "error" in theirs:
            continue
        row: dict[str, float | None] = {}
        for _, key in columns:
            if key not in _NOT_RATIOS:
                row[key] = _divide(mine.get(key), theirs.get(key))
        out[f"{numerator} / {denominator}"] = row
    return out


def _divide(mine: Any, theirs: Any) -> float | None:
    if isinstance(mine, int | float) and isinstance(theirs, int | float) and theirs:
        return round(mine / theirs, 3)
    return None


def table(
    title: str,
    results: dict[str, dict[str, Any]],
    columns: tuple[tuple[str, str], ...],
    ratio_rows: dict[str, dict[str, float | None]],
) -> str:
    """One scenario: a header, a row per server, the ratio rows."""
    widths = [max(len(name), 9) for name, _ in columns]
    header = "server".ljust(NAME_WIDTH) + "".join(
        name.rjust(width + 2) for (name, _), width in zip(columns, widths, strict=True)
    )
    lines = [title, header, "-" * len(header)]
    for server, result in results.items():
        if "error" in result:
            lines.append(server.ljust(NAME_WIDTH) + f"  failed: {result['error']}"[:200])
            continue
        cells = [_cell(result.get(key)) for _, key in columns]
        lines.append(server.ljust(NAME_WIDTH) + _join(cells, widths))
    for name, row in ratio_rows.items():
        cells = ["" if key in _NOT_RATIOS else _ratio(row.get(key)) for _, key in columns]
        lines.append(name.ljust(NAME_WIDTH) + _join(cells, widths))
    busy = [name for name, result in results.items() if _generator_bound(result)]
    if busy:
        lines.append(f"note: the load generator used >= 90 % of its core for {', '.join(busy)}:")
        lines.append("      those msg/s are a lower bound of what the server can do")
    return "\n".join(lines)


def _generator_bound(result: dict[str, Any]) -> bool:
    return float(result.get("generator_cpu_pct") or 0) >= GENERATOR_SATURATED


def _ratio(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}x" if value >= 0.1 else f"{value:.2g}x"


def _join(cells: list[str], widths: list[int]) -> str:
    return "".join(cell.rjust(width + 2) for cell, width in zip(cells, widths, strict=True))


def machine_lines(machine: dict[str, Any]) -> list[str]:
    pin = (
        "server on CPU 0, load generator on CPU 1 (taskset)"
        if machine["pinned"]
        else "NOT pinned: taskset unavailable or fewer than 2 cores"
    )
    return [
        f"machine: {machine['cores']} cores, {machine['platform']}, python {machine['python']}",
        f"pinning: {pin}",
        f"load average at start: {machine['load_average']}; CPU 0 busy with other work just "
        f"before the run: {machine['cpu0_busy_pct']} %  (other work skews absolute figures; "
        "the ratios are measured in the same run)",
        f"libraries: ocpp {machine['ocpp']}, websockets {machine['websockets']}, "
        f"orjson in the generator: {machine['orjson']}; RLIMIT_NOFILE raised to "
        f"{machine['nofile']} in every process",
    ]


def run_and_save(run: Coroutine[Any, Any, dict[str, Any]], path: Path) -> dict[str, Any]:
    """Run a benchmark (as many open files as allowed: thousands of websockets), add its
    wall time, write its report as JSON to `path` and say where."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    started = time.perf_counter()
    report = asyncio.run(run)
    report["wall_s"] = round(time.perf_counter() - started, 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwhole run {report['wall_s']:.0f} s; JSON: {path}")
    return report
