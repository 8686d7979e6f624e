"""Load generator for bench/ocpp_throughput.py: simulated AC chargers over raw OCPP-J 1.6.

Run as its own process (pinned to another core than the server):

    python bench/_ocpp_load.py --port P --scenario closed --chargers 100 --duration 8

Every charger boots, reports Available, starts a transaction with its own id tag, then sends
MeterValues (energy register, power, SoC: one sampled-value set like a real AC charger) with a
StatusNotification or Heartbeat every few messages. Scenarios:

- closed: one CALL in flight per charger, each sends the next as soon as the answer arrives;
- open:   each charger sends on its own schedule so all together offer `--rate` msg/s; latency
          counts from the scheduled send time, so a server that falls behind shows it;
- sessions: closed loop over short charging sessions: StopTransaction, StartTransaction, then
          SESSION_METER_VALUES MeterValues, again and again (what a shift change, a car park
          emptying or a site coming back online sends); `sessions_per_s` beside msg/s;
- idle:   chargers connect and boot, then stay connected until a line arrives on stdin.

Progress and the result are JSON lines on stdout ({"event": ...}); the harness samples the
server's CPU between "window_start" and "window_end" and its RSS at "booted". Everything is
bounded by count and time and talks to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import resource
import sys
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

if __package__ in (None, ""):  # run as a script: `bench` is importable from the project root
    sys.path.append(str(__import__("pathlib").Path(__file__).resolve().parents[1]))

from bench._ocpp_client import CallError, ChargerConnection, ConnectionGone, open_charger

HOST = "127.0.0.1"
STATUS_EVERY = 5  # every 5th message of the loop is a StatusNotification or a Heartbeat
SESSION_METER_VALUES = 3  # MeterValues per session in the `sessions` scenario
DRAIN_TIMEOUT = 30.0  # seconds the chargers may take to get their last answer after the window


def raise_fd_limit() -> int:
    """Raise RLIMIT_NOFILE to its hard limit (thousands of sockets); returns the new soft one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def identity(prefix: str, index: int) -> str:
    """The charge point identity of the index-th charger (1-based), as the harness seeded it."""
    return f"{prefix}{index:04d}"


def id_tag(prefix: str, index: int) -> str:
    return f"{prefix}{index:05d}"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def emit(event: str, **fields: Any) -> None:
    """One JSON line on stdout for the harness."""
    sys.stdout.write(json.dumps({"event": event, **fields}) + "\n")
    sys.stdout.flush()


@dataclass
class Stats:
    """What the chargers saw: answers, latencies in the window, and everything that went wrong."""

    latencies: list[float] = field(default_factory=list)
    in_window: int = 0  # answers that arrived inside the measurement window
    sessions_in_window: int = 0  # `sessions`: StartTransactions answered inside the window
    answered: int = 0  # every CALLRESULT, set-up included
    protocol_errors: int = 0  # frames the chargers could not make sense of
    call_errors: int = 0
    rejected: int = 0  # Boot not Accepted, id tag not Accepted
    connect_failures: int = 0
    lost: int = 0  # connections closed under a charger
    error_codes: dict[str, int] = field(default_factory=dict)

    def error(self, exc: CallError) -> None:
        self.call_errors += 1
        self.error_codes[exc.code] = self.error_codes.get(exc.code, 0) + 1

    def outcome(self) -> dict[str, Any]:
        """The counts a result reports beside its figures."""
        return {
            "answered": self.answered,
            "call_errors": self.call_errors,
            "error_codes": self.error_codes,
            "rejected": self.rejected,
            "protocol_errors": self.protocol_errors,
            "connect_failures": self.connect_failures,
            "lost": self.lost,
        }


@dataclass
class Charger:
    """One simulated AC charger: its connection, transaction and meter register."""

    index: int
    connection: ChargerConnection
    transaction_id: int | None = None
    energy_wh: float = 0.0
    sent: int = 0

    def next_message(self) -> tuple[str, dict[str, Any]]:
        """The next CALL of the charging loop: mostly MeterValues, a status or heartbeat now
        and then."""
        self.sent += 1
        if self.sent % STATUS_EVERY == 0:
            if (self.sent // STATUS_EVERY) % 2:
                return "Heartbeat", {}
            return "StatusNotification", status_payload("Charging")
        self.energy_wh += 3.7 + (self.index % 7) * 0.1
        return "MeterValues", self.meter_payload()

    def meter_payload(self) -> dict[str, Any]:
        soc = min(100, 20 + self.sent // 50)
        sampled = [
            _sample(f"{self.energy_wh:.1f}", "Energy.Active.Import.Register", "Wh", "Outlet"),
            _sample(f"{7200 + self.index % 50 * 4}", "Power.Active.Import", "W", "Outlet"),
            _sample(str(soc), "SoC", "Percent", "EV"),
        ]
        payload: dict[str, Any] = {
            "connectorId": 1,
            "meterValue": [{"timestamp": now_iso(), "sampledValue": sampled}],
        }
        if self.transaction_id is not None:
            payload["transactionId"] = self.transaction_id
        return payload


def _sample(value: str, measurand: str, unit: str, location: str) -> dict[str, str]:
    return {
        "value": value,
        "context": "Sample.Periodic",
        "format": "Raw",
        "measurand": measurand,
        "location": location,
        "unit": unit,
    }


def status_payload(status: str) -> dict[str, Any]:
    return {"connectorId": 1, "errorCode": "NoError", "status": status, "timestamp": now_iso()}


async def answered(charger: Charger, stats: Stats, action: str, payload: dict[str, Any]) -> Any:
    """One set-up CALL; a CALLERROR is counted and gives None."""
    try:
        reply = await charger.connection.call(action, payload)
    except CallError as exc:
        stats.error(exc)
        return None
    stats.answered += 1
    return reply


async def connect(port: int, name: str, stats: Stats, attempts: int = 3) -> ChargerConnection:
    for attempt in range(attempts):
        try:
            return await open_charger(HOST, port, name)
        except Exception:  # refused, reset, timed out, closed during the handshake
            stats.connect_failures += 1
            if attempt == attempts - 1:
                raise
            await asyncio.sleep(0.2 * (attempt + 1))
    raise AssertionError("unreachable")


async def bring_up(args: argparse.Namespace, index: int, stats: Stats, start: bool) -> Charger:
    """Connect and boot one charger; with `start`, also report Available and start charging."""
    connection = await connect(args.port, identity(args.prefix, index), stats)
    charger = Charger(index, connection)
    boot = await answered(
        charger,
        stats,
        "BootNotification",
        {"chargePointVendor": "CCMS Bench", "chargePointModel": "AC22", "firmwareVersion": "1.0"},
    )
    if not boot or boot.get("status") != "Accepted":
        stats.rejected += 1
    if not start:
        return charger
    await answered(charger, stats, "StatusNotification", status_payload("Available"))
    reply = await answered(
        charger,
        stats,
        "StartTransaction",
        {
            "connectorId": 1,
            "idTag": id_tag(args.tag_prefix, index),
            "meterStart": 0,
            "timestamp": now_iso(),
        },
    )
    if reply:
        charger.transaction_id = reply.get("transactionId")
        if reply.get("idTagInfo", {}).get("status") != "Accepted":
            stats.rejected += 1
    await answered(charger, stats, "StatusNotification", status_payload("Charging"))
    return charger


async def bring_up_all(args: argparse.Namespace, stats: Stats, start: bool) -> list[Charger]:
    """All chargers, at most `--connect-concurrency` of them connecting at the same time."""
    gate = asyncio.Semaphore(args.connect_concurrency)

    async def one(index: int) -> Charger | None:
        async with gate:
            try:
                return await bring_up(args, index, stats, start)
            except Exception:
                return None

    chargers = await asyncio.gather(*(one(i) for i in range(1, args.chargers + 1)))
    return [charger for charger in chargers if charger is not None]


LoopFactory = Callable[["Charger", "Window"], Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class Window:
    """The measurement window on the perf_counter clock."""

    start: float
    end: float


async def closed_loop(
    charger: Charger,
    stats: Stats,
    window: Window,
    next_call: Callable[[], tuple[str, dict[str, Any]]] | None = None,
    on_reply: Callable[[str, Any], None] | None = None,
) -> None:
    """Send the next CALL as soon as the previous one is answered, until the window ends.
    `next_call` (default: the charging loop's) picks each CALL; `on_reply(action, payload)`
    sees each answer (None for a CALLERROR)."""
    clock = time.perf_counter
    next_call = next_call or charger.next_message
    while (sent := clock()) < window.end:
        action, payload = next_call()
        try:
            reply = await charger.connection.call(action, payload)
        except CallError as exc:
            stats.error(exc)
            reply = None
        except ConnectionGone:
            stats.lost += 1
            return
        if on_reply is not None:
            on_reply(action, reply)
        if reply is None:
            continue
        done = clock()
        stats.answered += 1
        if window.start <= done <= window.end:
            stats.in_window += 1
            stats.sessions_in_window += action == "StartTransaction"
            if sent >= window.start:
                stats.latencies.append(done - sent)


def session_messages(charger: Charger, tag: str) -> tuple[str, dict[str, Any]]:
    """The next CALL of the `sessions` loop: MeterValues while a session runs, then its
    StopTransaction, then a new StartTransaction (no transaction: the last stop was sent)."""
    if charger.transaction_id is None:
        charger.sent = 0
        payload = {"connectorId": 1, "idTag": tag, "meterStart": round(charger.energy_wh)}
        return "StartTransaction", {**payload, "timestamp": now_iso()}
    charger.sent += 1
    if charger.sent > SESSION_METER_VALUES:
        return "StopTransaction", stop_payload(charger)
    charger.energy_wh += 3.7 + (charger.index % 7) * 0.1
    return "MeterValues", charger.meter_payload()


def stop_payload(charger: Charger) -> dict[str, Any]:
    """StopTransaction as a charger sends it: meterStop is the register, rounded to Wh."""
    return {
        "transactionId": charger.transaction_id,
        "meterStop": round(charger.energy_wh),
        "timestamp": now_iso(),
        "reason": "Local",
    }


def session_reply(charger: Charger, stats: Stats, action: str, reply: Any) -> None:
    """What the `sessions` loop learns from an answer: the new transaction, or that none runs
    (a stop answered, or a start or stop refused: begin a new session)."""
    if reply is None or action == "StopTransaction":
        charger.transaction_id = None
    elif action == "StartTransaction":
        charger.transaction_id = reply.get("transactionId")
        if reply.get("idTagInfo", {}).get("status") != "Accepted":
            stats.rejected += 1


async def open_loop(charger: Charger, stats: Stats, window: Window, interval: float) -> None:
    """Send on a fixed schedule (one CALL every `interval` s), latency from the scheduled time."""
    clock = time.perf_counter
    due = window.start - interval + interval * (charger.index % 1000) / 1000
    while (due := due + interval) < window.end:
        delay = due - clock()
        if delay > 0:
            await asyncio.sleep(delay)
        elif -delay > window.end - window.start:
            return  # a server this far behind gets no new CALLs after the window
        action, payload = charger.next_message()
        try:
            await charger.connection.call(action, payload)
        except CallError as exc:
            stats.error(exc)
            continue
        except ConnectionGone:
            stats.lost += 1
            return
        done = clock()
        stats.answered += 1
        if done <= window.end:
            stats.in_window += 1
        if due >= window.start:  # late answers count too: the backlog is what we measure
            stats.latencies.append(done - due)


async def mark_window(window: Window) -> None:
    """Tell the harness when the window opens and closes (it samples server CPU then)."""
    await asyncio.sleep(max(0.0, window.start - time.perf_counter()))
    emit("window_start")
    await asyncio.sleep(max(0.0, window.end - time.perf_counter()))
    emit("window_end")


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def run_loops(
    chargers: list[Charger], args: argparse.Namespace, stats: Stats, loop_of: LoopFactory
) -> dict[str, Any]:
    """Warm up, then measure `--duration` s; the figures count only answers in the window."""
    begin = time.perf_counter() + args.warmup
    window = Window(begin, begin + args.duration)
    marker = asyncio.create_task(mark_window(window))
    cpu_before = _cpu_seconds()
    tasks = [asyncio.create_task(loop_of(charger, window)) for charger in chargers]
    await marker
    cpu_used = _cpu_seconds() - cpu_before
    _, late = await asyncio.wait(tasks, timeout=DRAIN_TIMEOUT)
    for task in late:
        task.cancel()
    return {
        "window_s": args.duration,
        "generator_cpu_pct": round(100 * cpu_used / (args.warmup + args.duration), 1),
        "unfinished": len(late),
        "messages": stats.in_window,
        "msg_per_s": round(stats.in_window / args.duration, 1),
        "sessions_per_s": round(stats.sessions_in_window / args.duration, 1),
        **latency_figures(stats.latencies),
    }


def latency_figures(latencies: list[float]) -> dict[str, float | None]:
    """p50/p99/max in milliseconds."""
    ordered = sorted(latencies)

    def pick(q: float) -> float | None:
        return round(1000 * ordered[int(q * (len(ordered) - 1))], 2) if ordered else None

    return {
        "p50_ms": pick(0.5),
        "p99_ms": pick(0.99),
        "max_ms": pick(1.0),
    }


async def stop_transactions(chargers: list[Charger], stats: Stats) -> None:
    """After the window, every charger ends its session as a charger does (StopTransaction),
    so the next run with the same identities does not start by closing 1,000 sessions whose
    stop was lost (each priced in the writer: a storm that landed in the next window)."""

    async def stop(charger: Charger) -> None:
        if charger.transaction_id is None:
            return
        with contextlib.suppress(ConnectionGone):
            await answered(charger, stats, "StopTransaction", stop_payload(charger))

    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.gather(*(stop(c) for c in chargers)), DRAIN_TIMEOUT)


async def close_all(chargers: list[Charger], stats: Stats) -> None:
    stats.protocol_errors += sum(charger.connection.protocol_errors for charger in chargers)
    await asyncio.gather(*(charger.connection.close(1.0) for charger in chargers))


async def run_traffic(args: argparse.Namespace, stats: Stats) -> dict[str, Any]:
    started = time.perf_counter()
    chargers = await bring_up_all(args, stats, start=True)
    setup_s = time.perf_counter() - started
    emit("ready", chargers=len(chargers), setup_s=round(setup_s, 2))
    if args.scenario == "closed":

        def loop_of(charger: Charger, window: Window) -> Coroutine[Any, Any, None]:
            return closed_loop(charger, stats, window)
    elif args.scenario == "sessions":

        def loop_of(charger: Charger, window: Window) -> Coroutine[Any, Any, None]:
            tag = id_tag(args.tag_prefix, charger.index)
            return closed_loop(
                charger,
                stats,
                window,
                next_call=lambda: session_messages(charger, tag),
                on_reply=lambda action, reply: session_reply(charger, stats, action, reply),
            )
    else:
        interval = args.chargers / args.rate

        def loop_of(charger: Charger, window: Window) -> Coroutine[Any, Any, None]:
            return open_loop(charger, stats, window, interval)

    figures = await run_loops(chargers, args, stats, loop_of)
    await stop_transactions(chargers, stats)
    await close_all(chargers, stats)
    return {"chargers": len(chargers), "setup_s": round(setup_s, 2), **figures}


async def run_idle(args: argparse.Namespace, stats: Stats) -> dict[str, Any]:
    """Connect + boot all, report, then hold the connections until the harness says so."""
    started = time.perf_counter()
    chargers = await bring_up_all(args, stats, start=False)
    boot_s = time.perf_counter() - started
    emit("booted", chargers=len(chargers), boot_s=round(boot_s, 2))
    loop = asyncio.get_running_loop()
    with contextlib.suppress(TimeoutError):  # the harness writes a line once it read the RSS
        await asyncio.wait_for(loop.run_in_executor(None, sys.stdin.readline), args.hold)
    await close_all(chargers, stats)
    return {"chargers": len(chargers), "boot_s": round(boot_s, 2)}


async def generate(args: argparse.Namespace) -> dict[str, Any]:
    """Run one scenario and return its figures plus the error counters."""
    stats = Stats()
    if args.scenario == "idle":
        figures = await run_idle(args, stats)
    else:
        figures = await run_traffic(args, stats)
    return {**figures, **stats.outcome()}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--scenario", choices=("closed", "open", "sessions", "idle"), required=True)
    parser.add_argument("--chargers", type=int, default=100)
    parser.add_argument("--duration", type=float, default=8.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=1.5, help="unmeasured seconds first")
    parser.add_argument("--rate", type=float, default=1000.0, help="open loop: msg/s offered")
    parser.add_argument("--hold", type=float, default=120.0, help="idle: max seconds to hold")
    parser.add_argument("--prefix", default="BENCH-CP-", help="identity = prefix + %%04d")
    parser.add_argument("--tag-prefix", default="BENCH-TAG-", help="id tag = prefix + %%05d")
    parser.add_argument("--connect-concurrency", type=int, default=200)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    raise_fd_limit()
    result = asyncio.run(generate(args))
    emit("result", **result)


if __name__ == "__main__":
    main()
