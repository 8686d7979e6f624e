"""Processes for bench/ocpp_throughput.py: servers pinned to one core, the load generator on
another, and what /proc says about the server (CPU seconds, RSS).

Every process started here is stopped here, by its own pid; nothing outlives the run.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
SERVER_START_TIMEOUT = 90.0
GENERATOR_TIMEOUT = 300.0
_TICKS = os.sysconf("SC_CLK_TCK")


def pinning_works() -> bool:
    """taskset is installed and this machine has the two cores the bench pins to."""
    if shutil.which("taskset") is None or (os.cpu_count() or 1) < 2:
        return False
    result = subprocess.run(["taskset", "-c", "1", "true"], capture_output=True, check=False)
    return result.returncode == 0


def pinned(command: list[str], cpu: int, pin: bool) -> list[str]:
    return ["taskset", "-c", str(cpu), *command] if pin else command


def cpu_seconds(pid: int) -> float:
    """User + system CPU of the process, all its threads, from /proc/<pid>/stat."""
    return _stat_ticks(Path(f"/proc/{pid}/stat").read_text()) / _TICKS


def _stat_ticks(stat: str) -> int:
    """User + system ticks from the text of a /proc/<pid>/stat."""
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[11]) + int(fields[12])


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


# Who is who on the machine, from a process's command line (bench/live_view_browser.py)
ProcessGroups = dict[str, Callable[[str], bool]]


def _process_ticks() -> dict[int, tuple[str, int]]:
    """pid -> (command line, user + system ticks) of every process readable now."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # ended meanwhile
            continue
        found[int(entry.name)] = (command, _stat_ticks(stat))
    return found


def _machine_ticks() -> int:
    """Busy ticks of all cores: user, nice, system, irq, softirq, steal (not idle, iowait)."""
    first = Path("/proc/stat").read_text().splitlines()[0].split()  # "cpu  user nice ..."
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, first[1:9])
    return user + nice + system + irq + softirq + steal


@dataclass
class CpuUse:
    """CPU per group of processes between `start()` and `stop()`, in % of one core."""

    groups: ProcessGroups

    def start(self) -> None:
        self._began = (time.monotonic(), _process_ticks(), _machine_ticks())

    def stop(self) -> dict[str, float]:
        began_at, before, machine_before = self._began
        seconds = max(time.monotonic() - began_at, 1e-6)
        used = dict.fromkeys([*self.groups, "other"], 0.0)
        counted = dict.fromkeys(used, 0)
        for pid, (command, ticks) in _process_ticks().items():
            spent = ticks - before.get(pid, (command, 0))[1]
            group = next((name for name, test in self.groups.items() if test(command)), "other")
            used[group] += spent / _TICKS / seconds * 100
            counted[group] += 1 if spent > 0 else 0
        machine = (_machine_ticks() - machine_before) / _TICKS / seconds * 100
        figures = {name: round(value, 1) for name, value in used.items()}
        figures["machine"] = round(machine, 1)
        figures["cores"] = os.cpu_count() or 1
        for name, busy in counted.items():
            figures[f"{name}_processes"] = busy
        return figures


@dataclass
class RunningServer:
    name: str
    pid: int
    port: int
    log: Path


@contextlib.asynccontextmanager
async def server_process(
    name: str, command: list[str], env: dict[str, str], log: Path, pin: bool
) -> AsyncIterator[RunningServer]:
    """Start a server on CPU 0, wait for its `READY <port>` line, SIGTERM it on exit."""
    with log.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            *pinned([sys.executable, *command], 0, pin),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=env,
            cwd=BENCH_DIR.parent,
        )
    try:
        port = await asyncio.wait_for(_ready_port(process), SERVER_START_TIMEOUT)
        yield RunningServer(name, process.pid, port, log)
    finally:
        await _stop(process)


async def _ready_port(process: asyncio.subprocess.Process) -> int:
    assert process.stdout is not None
    while line := await process.stdout.readline():
        text = line.decode(errors="replace").strip()
        if text.startswith("READY "):
            return int(text.split()[1])
    raise RuntimeError(f"server exited with code {await process.wait()} before it was ready")


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), 15)
        except TimeoutError:
            process.kill()
            await process.wait()


EventHook = Callable[[dict[str, Any]], None]


async def start_generator(
    command: list[str], cpu: int, pin: bool, log: Path, line_limit: int = 2**16
) -> asyncio.subprocess.Process:
    """A load generator on `cpu`: its progress lines on stdout (`line_limit`: the longest
    one, asyncio's default unless its result carries every latency), stderr into `log`, a
    line on stdin tells it to finish."""
    with log.open("wb") as stderr:
        return await asyncio.create_subprocess_exec(
            *pinned(command, cpu, pin),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            cwd=BENCH_DIR.parent,
            limit=line_limit,
        )


async def run_generator(
    port: int, options: list[str], hooks: dict[str, EventHook], pin: bool, log: Path
) -> dict[str, Any]:
    """Run bench/_ocpp_load.py on CPU 1; call hooks[event] on its progress lines; its result.

    After a "booted" hook the generator is told (a line on its stdin) to close and finish.
    """
    command = [sys.executable, str(BENCH_DIR / "_ocpp_load.py"), "--port", str(port), *options]
    process = await start_generator(command, 1, pin, log)
    try:
        result = await asyncio.wait_for(_follow(process, hooks, log), GENERATOR_TIMEOUT)
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()
    return result


async def _follow(
    process: asyncio.subprocess.Process, hooks: dict[str, EventHook], log: Path
) -> Any:
    assert process.stdout is not None and process.stdin is not None
    result: dict[str, Any] | None = None
    while line := await process.stdout.readline():
        message = json.loads(line)
        event = message.pop("event")
        if event in hooks:
            hooks[event](message)
        if event == "booted":
            process.stdin.write(b"close\n")
            await process.stdin.drain()
        elif event == "result":
            result = message
    await process.wait()
    if result is None:
        error = log.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"load generator failed (exit {process.returncode}): {error}")
    return result
