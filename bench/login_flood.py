"""Charger MeterValues latency with and without a flood of wrong-password logins, one run.

The real app process: the Reflex backend as `reflex run --env prod` starts it
(`run_backend_prod`: granian, one worker) with the login routes, the token scrubber, the
gate, the OCPP server and the DB writer in one process and one event loop, as `ccms run`
has them; only the compiled pages are not served (nothing is built, var/web-test is not
touched). It runs on a migrated SQLite file with `--chargers` registered charge points.
`--chargers` simulated chargers (a separate process) send MeterValues for the whole run, in
a closed loop (the next as soon as the answer arrives) or, with `--rate`, in an open loop
(latency from the scheduled send time); meanwhile the phases follow one another, `--rounds`
times:

  A   quiet            no logins
  B   flood, 1 addr    `--clients` concurrent clients POST wrong passwords from 127.0.0.1
                       (the per-address back-off refuses them unchecked after five)
  C   flood, spread    the same from fresh loopback addresses and e-mails (no back-off
                       applies: every attempt is an Argon2 check, the bounded hashing
                       threads must hold the line)
  A2  quiet again      drift check

The flood's own process runs at nice 19 (`--flood-nice`): on this one machine its CPU stands
in for the attacker's machines. Per phase (all rounds together): MeterValues CALL ->
CALLRESULT latency p50 / p99 / max of the MeterValues sent inside the phase, MeterValues/s,
login attempts/s and their outcomes; then each phase's p50 and p99 over A's, and each
round's p99. The issue's target: a flood may not raise p99 above 2x. The figures go to
artifacts/bench/login_flood.json too.

    .venv/bin/python bench/login_flood.py [--chargers 50] [--clients 16] [--seconds 10]
        [--rounds 3] [--rate 0] [--flood-nice 19]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: `bench` is importable from the project root
    sys.path.append(str(Path(__file__).resolve().parents[1]))

from bench._app_process import (
    ADMIN_EMAIL,
    TAG_PREFIX,
    TRAFFIC_PREFIX,
    plan_network,
    prepare_network,
)
from ccms_app.core.config import PROJECT_ROOT
from tests.fixtures.app_process import (
    RunningApp,
    _app_environment,
    _free_port,
    _stop,
    _wait_until_up,
)

CLIENTS = PROJECT_ROOT / "bench" / "_login_flood_clients.py"
JSON_PATH = PROJECT_ROOT / "artifacts" / "bench" / "login_flood.json"
TARGET_P99_RATIO = 2.0
PHASES = (
    ("A", "quiet", None),
    ("B", "flood from one address (back-off)", "single"),
    ("C", "flood from spread addresses (Argon2 every time)", "spread"),
    ("A2", "quiet again", None),
)


# `reflex run --env prod` ends in exactly this call for its backend; `--backend-only` cannot be
# used (rxconfig.py sets a frontend port, which Reflex refuses without a frontend).
BACKEND_LAUNCHER = (
    "import sys; from reflex.utils.exec import run_backend_prod; "
    "from reflex_base.constants import LogLevel; "
    "run_backend_prod('127.0.0.1', int(sys.argv[1]), LogLevel.WARNING)"
)


@contextlib.contextmanager
def app_backend(workdir: Path, database_url: str) -> Iterator[RunningApp]:
    """The Reflex backend (no compiled pages) on free ports; stopped on exit."""
    web_port, ocpp_port = _free_port(), _free_port()
    env = _app_environment(workdir, database_url, web_port, ocpp_port)
    env["CCMS_LOG_LEVEL"] = "WARNING"
    env["REFLEX_WEB_WORKDIR"] = str(workdir / "web")  # not var/web-test: nothing is built
    env["REFLEX_ENV_MODE"] = "prod"
    env["REFLEX_SKIP_COMPILE"] = "true"  # what `reflex run --env prod` sets for its backend
    log_path = workdir / "app.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-c", BACKEND_LAUNCHER, str(web_port)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    web_url = f"http://127.0.0.1:{web_port}"
    try:
        _wait_until_up(process, web_url, log_path)
        yield RunningApp(web_url, f"ws://127.0.0.1:{ocpp_port}/ocpp", log_path)
    finally:
        _stop(process)


class Child:
    """One client process (bench/_login_flood_clients.py): its JSON lines, its stop."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    async def next_event(self, name: str, timeout: float = 300.0) -> dict[str, Any]:
        assert self.process.stdout is not None
        while True:
            line = await asyncio.wait_for(self.process.stdout.readline(), timeout)
            if not line:
                raise RuntimeError(f"client process ended before {name!r}")
            message = json.loads(line)
            if message.pop("event") == name:
                return message

    async def tell(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line.encode() + b"\n")
        await self.process.stdin.drain()


@contextlib.asynccontextmanager
async def child(arguments: list[str], log: Path) -> AsyncIterator[Child]:
    with log.open("ab") as stderr:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(CLIENTS),
            *arguments,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            cwd=PROJECT_ROOT,
        )
    try:
        yield Child(process)
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()


async def run_phases(args: argparse.Namespace, app: RunningApp, workdir: Path) -> dict:
    ocpp_port = app.ocpp_url.rsplit(":", 1)[1].split("/", 1)[0]
    samples_path = workdir / "samples.json"
    log = workdir / "clients.log"
    charger_args = ["chargers", "--port", ocpp_port, "--chargers", str(args.chargers)]
    charger_args += ["--prefix", TRAFFIC_PREFIX, "--tag-prefix", TAG_PREFIX]
    charger_args += ["--rate", str(args.rate)]
    async with child([*charger_args, "--out", str(samples_path)], log) as chargers:
        ready = await chargers.next_event("ready")
        await asyncio.sleep(args.warmup)
        windows: dict[str, list[dict[str, Any]]] = {key: [] for key, _, _ in PHASES}
        for round_index in range(args.rounds):
            for key, _, flood in PHASES:
                windows[key].append(await _phase(args, app, flood, log, round_index))
        await chargers.tell("stop")
        result = await chargers.next_event("result")
    samples = json.loads(samples_path.read_text())
    phases = {key: _figures(samples, windows[key]) for key, _, _ in PHASES}
    rounds = [
        {key: _figures(samples, [windows[key][n]]) for key, _, _ in PHASES}
        for n in range(args.rounds)
    ]
    return {"ready": ready, "chargers_result": result, "phases": phases, "rounds": rounds}


async def _phase(
    args: argparse.Namespace, app: RunningApp, flood: str | None, log: Path, round_index: int
) -> dict[str, Any]:
    if flood is None:
        start = time.monotonic()
        await asyncio.sleep(args.seconds)
        return {"start": start, "end": time.monotonic(), "outcomes": {}}
    options = ["logins", "--url", app.web_url, "--clients", str(args.clients)]
    options += ["--seconds", str(args.seconds), "--email", ADMIN_EMAIL]
    options += ["--nice", str(args.flood_nice)]
    if flood == "spread":  # fresh addresses every round: the earlier ones still wait
        options += ["--spread", "--first-block", str(round_index * 2000)]
    async with child(options, log) as logins:
        result = await logins.next_event("result", timeout=args.seconds + 300)
    await asyncio.sleep(2.0)  # let the last attempts' writes settle before the next phase
    return result


def _figures(samples: list[list[float]], windows: list[dict[str, Any]]) -> dict[str, Any]:
    """Latency of the MeterValues sent inside the windows; the windows' login outcomes."""
    spans = [(window["start"], window["end"]) for window in windows]
    latencies = sorted(latency for sent, latency in samples if any(a <= sent < b for a, b in spans))

    def pick(q: float) -> float | None:
        if not latencies:
            return None
        return round(1000 * latencies[min(len(latencies) - 1, int(q * len(latencies)))], 2)

    seconds = sum(b - a for a, b in spans)
    outcomes: Counter[str] = Counter()
    for window in windows:
        outcomes.update(window.get("outcomes", {}))
    return {
        "seconds": round(seconds, 2),
        "meter_values": len(latencies),
        "meter_values_per_s": round(len(latencies) / seconds, 1),
        "p50_ms": pick(0.50),
        "p99_ms": pick(0.99),
        "max_ms": pick(1.0),
        "login_attempts": sum(outcomes.values()),
        "logins_per_s": round(sum(outcomes.values()) / seconds, 1),
        "outcomes": dict(outcomes),
    }


def _ratio(mine: float | None, base: float | None) -> float | None:
    return round(mine / base, 2) if mine and base else None


def report(args: argparse.Namespace, result: dict[str, Any]) -> list[str]:
    phases = result["phases"]
    base = phases["A"]
    loop = f"open loop, {args.rate:g} msg/s in all" if args.rate else "a closed loop"
    lines = [
        f"MeterValues latency, {args.chargers} chargers in {loop}; flood: "
        f"{args.clients} concurrent login clients (nice {args.flood_nice}); "
        f"{args.rounds} rounds of A B C A2, {args.seconds:g} s each",
        f"{'phase':<52} {'MV/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} "
        f"{'p50/A':>6} {'p99/A':>6} {'logins/s':>9}",
    ]
    for key, title, _ in PHASES:
        row = phases[key]
        lines.append(
            f"{key + '  ' + title:<52} {row['meter_values_per_s']:>7} {row['p50_ms']:>8} "
            f"{row['p99_ms']:>8} {row['max_ms']:>8} "
            f"{_ratio(row['p50_ms'], base['p50_ms']) or '':>6} "
            f"{_ratio(row['p99_ms'], base['p99_ms']) or '':>6} {row['logins_per_s']:>9}"
        )
    for key, _, flood in PHASES:
        if flood:
            outcomes = ", ".join(
                f"{n} {name}" for name, n in sorted(phases[key]["outcomes"].items())
            )
            lines.append(f"  {key} login outcomes: {outcomes or 'none'}")
    for n, round_phases in enumerate(result["rounds"], 1):
        cells = ", ".join(f"{key} {round_phases[key]['p99_ms']}" for key, _, _ in PHASES)
        lines.append(f"  round {n} p99 ms: {cells}")
    worst = max(
        (_ratio(phases[key]["p99_ms"], base["p99_ms"]) or 0.0 for key, _, f in PHASES if f),
        default=0.0,
    )
    verdict = "PASS" if worst <= TARGET_P99_RATIO else "FAIL"
    lines.append(
        f"worst flood p99 / quiet p99 = {worst:.2f} (target <= {TARGET_P99_RATIO:g}): {verdict}"
    )
    problems = result["chargers_result"].get("problems")
    lines.append(f"charger CALL errors: {problems or 'none'}; app log: {result['app_log']}")
    return lines


def scan_log(text: str) -> str:
    """What went wrong in the app, if anything: lock timeouts, errors, tracebacks."""
    counts = {
        word: sum(word in line for line in text.splitlines())
        for word in ("database is locked", "ERROR", "Traceback")
    }
    found = ", ".join(f"{n} lines with {word!r}" for word, n in counts.items() if n)
    return found or "no errors, no 'database is locked'"


async def bench(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="ccms-login-flood-") as tmp:
        workdir = Path(tmp)
        database_url = f"sqlite:///{workdir / 'ccms.db'}"
        prepare_network(database_url, plan_network(args.chargers + 1, args.chargers))
        with app_backend(workdir, database_url) as app:
            result = await run_phases(args, app, workdir)
        log = app.log_path.read_text(errors="replace")
    result["app_log"] = scan_log(log)
    result["app_log_tail"] = log[-2000:]
    return result


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chargers", type=int, default=50)
    parser.add_argument("--clients", type=int, default=16, help="concurrent login clients")
    parser.add_argument("--seconds", type=float, default=10.0, help="per phase and round")
    parser.add_argument("--rounds", type=int, default=3, help="times the four phases run")
    parser.add_argument("--warmup", type=float, default=5.0, help="before phase A")
    parser.add_argument(
        "--rate", type=float, default=0.0, help="open loop: MeterValues/s in all (0: closed loop)"
    )
    parser.add_argument(
        "--flood-nice", type=int, default=19, help="CPU priority of the flood's own process"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    started = time.perf_counter()
    result = asyncio.run(bench(args))
    lines = report(args, result)
    for line in lines:
        sys.stdout.write(line + "\n")
    JSON_PATH.parent.mkdir(parents=True, exist_ok=True)
    machine = {"cpus": os.cpu_count(), "python": platform.python_version()}
    JSON_PATH.write_text(
        json.dumps(
            {
                "args": vars(args),
                "machine": machine,
                "seconds": round(time.perf_counter() - started, 1),
                **result,
                "report": lines,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
