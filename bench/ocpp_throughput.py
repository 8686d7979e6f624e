"""OCPP throughput: CCMS's real OCPP server against reference servers, in one run.

Each server runs in its own process pinned to CPU 0 (fresh for every scenario); the load
generator (raw OCPP-J frames over websockets, bench/_ocpp_load.py) runs on CPU 1. Servers:

- ccms:            ChargerEventService + DbWriter + OcppServer on a fresh migrated SQLite
                   database with the charge points registered and id tags provisioned;
- ocpp-ref:        a plain `ocpp` 2.1.0 ChargePoint server with @on handlers, nothing stored;
- ocpp-sqlite-ref: the same, storing status / meter values / transactions in SQLite (WAL)
                   through one batched writer thread, replying after the commit;
- raw:             websockets + json answering every CALL with a fixed CALLRESULT.

Scenarios: (a) closed loop, 100 chargers; (b) closed loop, 1,000 chargers; (c) open loop,
1,000 chargers offered 1,000 msg/s in total; (d) idle chargers connecting and booting; (e)
session churn: 100 chargers in closed loop over short sessions (StopTransaction,
StartTransaction, three MeterValues, again), sessions/s beside msg/s.
Prints one table per scenario with the ratios CCMS / reference, and writes the same to
artifacts/bench/ocpp_throughput.json. `--baseline HEAD` adds `ccms@HEAD`: the committed code
(exported with `git archive`, run with the same venv) next to the working tree, so one run
gives the before and after figures. `--cards 20000` provisions that many id tags (a network's
card base: Authorize and StartTransaction look each card up among them).

    .venv/bin/python bench/ocpp_throughput.py [--quick] [--servers ccms,ocpp-ref] [--idle 10000]
        [--baseline HEAD]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: `bench` is importable from the project root
    sys.path.append(str(Path(__file__).resolve().parents[1]))

from bench._bench_procs import (
    BENCH_DIR,
    cpu_seconds,
    pinning_works,
    rss_bytes,
    run_generator,
    server_process,
)
from bench._ccms_ocpp_server import BENCH_TAG_PREFIX, CHARGER_PREFIX
from bench._report import (
    IDLE_COLUMNS,
    SESSION_COLUMNS,
    TRAFFIC_COLUMNS,
    error_count,
    machine_lines,
    ratio_pairs,
    ratios,
    run_and_save,
    table,
)

SERVERS = ("ccms", "ocpp-ref", "ocpp-sqlite-ref", "raw")
JSON_PATH = BENCH_DIR.parent / "artifacts" / "bench" / "ocpp_throughput.json"


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    chargers: int
    options: tuple[str, ...]  # load generator arguments besides --chargers
    idle: bool = False
    sessions: bool = False

    @property
    def columns(self) -> tuple[tuple[str, str], ...]:
        if self.idle:
            return IDLE_COLUMNS
        return SESSION_COLUMNS if self.sessions else TRAFFIC_COLUMNS


def scenarios(args: argparse.Namespace) -> list[Scenario]:
    """(a)-(e) at the sizes asked for (`--quick`: small and short, a smoke run)."""
    small, large, idle = (10, 100, 100) if args.quick else (100, 1000, args.idle)
    rate = large if args.quick else args.rate
    closed_s, open_s = (1.0, 1.0) if args.quick else (args.duration, args.open_duration)
    warmup = "0.3" if args.quick else "1.5"

    def closed(key: str, chargers: int, label: str) -> Scenario:
        title = f"({label}) closed loop, {chargers:,} chargers, one CALL in flight each, "
        title += f"{closed_s:g} s measured"
        options = ("--scenario", "closed", "--duration", str(closed_s), "--warmup", warmup)
        return Scenario(key, title, chargers, options)

    open_title = f"(c) open loop, {large:,} chargers offered {rate:,.0f} msg/s in total, "
    open_title += f"{open_s:g} s measured (latency from the scheduled send time)"
    open_options = ("--scenario", "open", "--rate", str(rate), "--warmup", warmup)
    return [
        closed("closed_small", small, "a"),
        closed("closed_large", large, "b"),
        Scenario("open_loop", open_title, large, (*open_options, "--duration", str(open_s))),
        Scenario(
            "idle",
            f"(d) idle: {idle:,} chargers connect + boot (RSS per connection = after - before)",
            idle,
            ("--scenario", "idle"),
            idle=True,
        ),
        Scenario(
            "sessions",
            f"(e) session churn, {small:,} chargers in closed loop over short sessions "
            f"(Stop, Start, 3 MeterValues), {closed_s:g} s measured",
            small,
            ("--scenario", "sessions", "--duration", str(closed_s), "--warmup", warmup),
            sessions=True,
        ),
    ]


class Bench:
    """Starts each server fresh per scenario and measures it with the load generator."""

    def __init__(self, workdir: Path, pin: bool) -> None:
        self.workdir = workdir
        self.pin = pin
        self.sources: dict[str, Path | None] = {"ccms": None}  # None: the working tree
        self._runs = 0

    def add_baseline(self, ref: str) -> str:
        """Export the committed code at `ref` (read-only `git archive`); its server name."""
        name = f"ccms@{ref}"
        root = self.workdir / f"source-{len(self.sources)}"
        archive = self.workdir / "baseline.tar"
        with archive.open("wb") as out:
            subprocess.run(
                ["git", "-C", str(BENCH_DIR.parent), "archive", "--format=tar", ref],
                stdout=out,
                check=True,
            )
        with tarfile.open(archive) as tar:
            tar.extractall(root, filter="data")
        self.sources[name] = root
        return name

    def _template(self, name: str) -> Path:
        return self.workdir / f"template-{list(self.sources).index(name)}.db"

    def _ccms_env(self, name: str, database: Path) -> dict[str, str]:
        env = {**os.environ, "CCMS_DATABASE_URL": f"sqlite:///{database}"}
        root = self.sources[name]
        if root is not None:  # its ccms_app / ocpp_server shadow the editable install
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))
        return env

    def prepare_ccms(self, chargers: int, tags: int) -> float:
        """Migrate + seed each CCMS source's database once; every start gets a copy."""
        started = time.perf_counter()
        command = [sys.executable, str(BENCH_DIR / "_ccms_ocpp_server.py"), "prepare"]
        command += ["--chargers", str(chargers), "--tags", str(tags)]
        for name in self.sources:
            template = self._template(name)
            env = {**self._ccms_env(name, template), "CCMS_LOG_LEVEL": "WARNING"}
            subprocess.run(command, env=env, check=True, capture_output=True)
            with sqlite3.connect(template) as db:
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return time.perf_counter() - started

    def _server(self, name: str) -> tuple[list[str], dict[str, str], list[str]]:
        """(command, environment, generator options naming the identities and id tags)."""
        self._runs += 1
        env = dict(os.environ)
        if name in self.sources:
            database = self.workdir / f"ccms-{self._runs}.db"
            shutil.copyfile(self._template(name), database)
            env = self._ccms_env(name, database)
            env.update(
                CCMS_OCPP_HOST="127.0.0.1",
                CCMS_OCPP_PORT="0",
                CCMS_DEMO_FLEET="0",
            )
            command = [str(BENCH_DIR / "_ccms_ocpp_server.py"), "serve"]
            naming = ["--prefix", CHARGER_PREFIX, "--tag-prefix", BENCH_TAG_PREFIX]
            return command, env, naming
        database = self.workdir / f"ref-{self._runs}.db"
        command = [str(BENCH_DIR / "_reference_servers.py"), "--kind", name]
        return [*command, "--db", str(database)], env, []

    async def measure(self, name: str, scenario: Scenario) -> dict[str, Any]:
        command, env, naming = self._server(name)
        log = self.workdir / f"{name}-{scenario.key}.log"
        async with server_process(name, command, env, log, self.pin) as server:
            marks: dict[str, float] = {}

            def at(label: str) -> Any:
                def hook(_: dict[str, Any]) -> None:
                    marks[f"cpu_{label}"] = cpu_seconds(server.pid)
                    marks[f"t_{label}"] = time.perf_counter()

                return hook

            def booted(_: dict[str, Any]) -> None:
                time.sleep(0.5)  # let the last replies' bookkeeping settle
                marks["rss_after"] = rss_bytes(server.pid)

            hooks = {"window_start": at("start"), "window_end": at("end"), "booted": booted}
            rss_before = rss_bytes(server.pid)
            options = [*scenario.options, "--chargers", str(scenario.chargers), *naming]
            generator_log = self.workdir / f"load-{name}-{scenario.key}.log"
            result = await run_generator(server.port, options, hooks, self.pin, generator_log)
        return _figures(result, marks, rss_before)


def _figures(result: dict[str, Any], marks: dict[str, float], rss_before: int) -> dict[str, Any]:
    """Add the server-side figures (CPU %, RSS) and the error count to the generator's."""
    if "t_end" in marks and "t_start" in marks:
        wall = marks["t_end"] - marks["t_start"]
        result["server_cpu_pct"] = round(100 * (marks["cpu_end"] - marks["cpu_start"]) / wall, 1)
    if "rss_after" in marks:
        chargers = max(1, int(result.get("chargers") or 0))
        result["rss_before_mb"] = round(rss_before / 2**20, 1)
        result["rss_after_mb"] = round(marks["rss_after"] / 2**20, 1)
        per_connection = (marks["rss_after"] - rss_before) / chargers / 1024
        result["rss_per_connection_kb"] = round(per_connection, 1)
    result["errors"] = error_count(result)
    return result


def cpu0_busy_pct(seconds: float = 1.0) -> float | None:
    """How busy CPU 0 (the server's core) is with other work, from /proc/stat."""

    def sample() -> tuple[int, int] | None:
        for line in Path("/proc/stat").read_text().splitlines():
            if line.startswith("cpu0 "):
                ticks = [int(value) for value in line.split()[1:]]
                return sum(ticks), ticks[3] + ticks[4]  # total, idle + iowait
        return None

    before = sample()
    time.sleep(seconds)
    after = sample()
    if before is None or after is None or after[0] == before[0]:
        return None
    busy = 1 - (after[1] - before[1]) / (after[0] - before[0])
    return round(100 * busy, 1)


def machine_facts(pin: bool) -> dict[str, Any]:
    try:
        import orjson  # noqa: F401

        has_orjson = "yes"
    except ImportError:
        has_orjson = "no (json)"
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return {
        "cores": os.cpu_count(),
        "platform": platform.platform(terse=True),
        "python": platform.python_version(),
        "pinned": pin,
        "load_average": ", ".join(f"{load:.2f}" for load in os.getloadavg()),
        "cpu0_busy_pct": cpu0_busy_pct(),
        "ocpp": metadata.version("ocpp"),
        "websockets": metadata.version("websockets"),
        "orjson": has_orjson,
        "nofile": hard,
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    pin = pinning_works()
    machine = machine_facts(pin)
    print("\n".join(machine_lines(machine)), flush=True)
    chosen = [s for s in scenarios(args) if not args.only or s.key in args.only]
    report: dict[str, Any] = {"machine": machine, "servers": args.servers, "scenarios": {}}
    with tempfile.TemporaryDirectory(prefix="ccms-ocpp-bench-") as tmp:
        bench = Bench(Path(tmp), pin)
        if args.baseline:
            args.servers.insert(1, bench.add_baseline(args.baseline))
        report["servers"] = args.servers
        if any(name in bench.sources for name in args.servers):
            tags = max((s.chargers for s in chosen if not s.idle), default=1)
            tags = max(tags, args.cards)  # the chargers use the first ones
            seconds = bench.prepare_ccms(max(s.chargers for s in chosen), tags)
            print(f"ccms database migrated and seeded in {seconds:.1f} s", flush=True)
        for scenario in chosen:
            results: dict[str, dict[str, Any]] = {}
            for name in args.servers:
                try:
                    results[name] = await bench.measure(name, scenario)
                except Exception as exc:  # one failing server must not hide the others
                    results[name] = {"error": f"{type(exc).__name__}: {exc}"}
            ratio_rows = ratios(results, scenario.columns, ratio_pairs(args.servers))
            print("\n" + table(scenario.title, results, scenario.columns, ratio_rows), flush=True)
            report["scenarios"][scenario.key] = {
                "title": scenario.title,
                "results": results,
                "ratios": ratio_rows,
            }
    return report


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run (< 1 minute)")
    parser.add_argument("--servers", default=",".join(SERVERS), help="comma-separated")
    parser.add_argument("--idle", type=int, default=2000, help="idle chargers (issue: 10000)")
    parser.add_argument("--duration", type=float, default=6.0, help="closed loop, seconds")
    parser.add_argument("--open-duration", type=float, default=8.0, help="open loop, seconds")
    parser.add_argument("--rate", type=float, default=1000.0, help="open loop msg/s offered")
    parser.add_argument(
        "--cards",
        type=int,
        default=0,
        help="id tags provisioned in CCMS's database (an operator's card base, e.g. 20000); "
        "at least one per charger",
    )
    parser.add_argument(
        "--only",
        help="comma-separated scenarios: closed_small,closed_large,open_loop,idle,sessions",
    )
    parser.add_argument(
        "--baseline", metavar="GIT_REF", help="also run the ccms code committed at GIT_REF"
    )
    parser.add_argument("--json", type=Path, default=JSON_PATH, help="where the JSON goes")
    args = parser.parse_args(argv)
    args.only = [key.strip() for key in (args.only or "").split(",") if key.strip()]
    args.servers = [name.strip() for name in args.servers.split(",") if name.strip()]
    keys = {"closed_small", "closed_large", "open_loop", "idle", "sessions"}
    if set(args.only) - keys:
        parser.error(f"--only: choose from {', '.join(sorted(keys))}")
    unknown = sorted(set(args.servers) - set(SERVERS))
    if unknown or not args.servers:
        parser.error(f"--servers: choose from {', '.join(SERVERS)} (got {unknown or 'none'})")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    run_and_save(run(args), args.json)


if __name__ == "__main__":
    main()
