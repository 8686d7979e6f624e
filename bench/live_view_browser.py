"""Live Monitoring and Home with N charge points, measured in a real browser (issue 8).

Seeds N charge points (bench/live_view.py's seed: 10 per station, 2 connectors each), starts
the app as the browser tests do (`reflex run --env prod --single-port`, Debian Chromium via
Playwright, frontend in var/web-test) and connects simulated chargers over real OCPP websockets
(bench/_ocpp_load.py): a probe charge point that sorts first (row 1 of page 1), up to --traffic
chargers that carry the traffic, the rest held connected (`idle`). Then, per N:

- load time: from navigation start (logged in) until the probe's row is visible, median of
  --loads fresh tabs, for /live; for Home (/) until its connector counts are visible;
- DOM elements of the loaded page; the largest websocket frame a tab received while loading;
- StatusNotification -> page latency: the probe sends StatusNotification (Preparing,
  SuspendedEV, Finishing, ... in turn) and a MutationObserver in each tab records Date.now()
  when the probe's connector badge shows the new status (same machine, same clock); p50 /
  p95 / max over --samples, in three phases: one tab and no traffic; one tab while the
  traffic chargers offer --rate msg/s (`open` scenario); ten tabs on /live with that traffic
  (over all tabs);
- of that, until the websocket message carrying the new status arrived in each tab (a
  listener on the page's WebSocket): the app and the network; the rest is the tab's own work
  (parsing the update, React, the DOM), which here shares the machine's cores with the app;
- the app's own part, from its /metrics: `ccms_live_push_lag_seconds`, how long after a
  charger event (any status, connection or session start or end, not only the probe's) each
  tab was sent the update, as bucket bounds (p50 and p95 are "at most"); what is left of the
  latencies above is the way to the tab and the tab itself;
- the largest websocket frame of each phase;
- the web UI's `/ping` (Reflex's health route, what the supervisor and a load balancer ask):
  one GET every 100 ms through each phase, p50 / p95 / max and failures (issue 8: < 100 ms
  throughout);
- the CPU of the app, the browser (its tabs' renderers), the load generator and the rest of
  the machine through each phase, from /proc: here the tabs share the app's cores.

    .venv/bin/python bench/live_view_browser.py                # N = 1,000 then 10,000
    .venv/bin/python bench/live_view_browser.py --n 1000 --samples 30
    .venv/bin/python bench/live_view_browser.py --quick        # ~100 charge points, ~1 min
    .venv/bin/python bench/live_view_browser.py --n 1000 --pin # the app alone on CPU 0

The JSON report goes to artifacts/bench/live_view_browser-<timestamp>.json. Everything talks
to 127.0.0.1 and is bounded: load timeout, per-sample timeout, the traffic window.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: the project root must be importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from playwright.async_api import Browser, BrowserContext, Page, async_playwright
from prometheus_client.parser import text_string_to_metric_families

from bench._app_process import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    CHROMIUM,
    CHROMIUM_ARGS,
    IDLE_PREFIX,
    PROBE_IDENTITY,
    TAG_PREFIX,
    TRAFFIC_PREFIX,
    Network,
    RunningApp,
    app_process,
    load_generator,
    ocpp_port,
    plan_network,
    prepare_network,
)
from bench._bench_procs import CpuUse, ProcessGroups, pinning_works
from bench._ocpp_client import ChargerConnection, open_charger
from bench._ocpp_load import HOST, raise_fd_limit, status_payload

DESKTOP = {"width": 1366, "height": 800}
LOAD_TIMEOUT_MS = 240_000  # today's /live takes ~26 s with 10,000 charge points
SAMPLE_TIMEOUT_S = 20.0  # a badge that has not changed by then counts as this, and a timeout
APP_CPU, CLIENT_CPU = 0, 1  # with --pin
PING_EVERY_S = 0.1  # GET /ping this often during each latency phase
PING_TIMEOUT_S = 5.0  # an answer slower than this is a failure
SETTLE_S = 1.5  # after a load: the frames that follow the first paint still count as load
# Six statuses in turn: a tab lagging by less than six samples cannot pass an old update off
# as the new one (the probe's connector 1 starts as Charging in the seed)
STATUSES = ("Preparing", "SuspendedEV", "Finishing", "Available", "SuspendedEVSE", "Charging")
PROBE_ROW = f'[data-testid="cp-row-{PROBE_IDENTITY}"]'
PROBE_BADGE = f'[data-testid="connector-{PROBE_IDENTITY}-1"]'
HOME_READY = '[data-testid^="connectors-"]'
JSON_DIR = Path(__file__).resolve().parents[1] / "artifacts" / "bench"

# Records (badge text, Date.now()) whenever the probe's badge text changes; one query per
# React commit, re-found only when the node was replaced.
BADGE_OBSERVER = """(selector) => {
  window.__badge = [];
  let node = null, last = null;
  const check = () => {
    if (!node || !node.isConnected) node = document.querySelector(selector);
    const text = node ? node.textContent.replace(/\\s+/g, " ").trim() : null;
    if (text !== last) { last = text; window.__badge.push({text, t: Date.now()}); }
  };
  check();
  new MutationObserver(check).observe(document.body,
    {subtree: true, childList: true, characterData: true});
}"""
# Records (connector 1's status, Date.now()) whenever a websocket message that carries the
# probe's row reaches the tab, before the page's own handler runs (a listener added in the
# constructor fires before socket.io's onmessage): the arrival splits a sample's latency into
# the app and the network (sent -> arrived) and the tab's own work (arrived -> shown).
FRAME_ARRIVALS = """(identity) => {
  window.__arrivals = [];
  const Native = window.WebSocket;
  const status = /connectors.{0,80}?status[^A-Za-z]+([A-Za-z]+)/;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => {
        if (typeof event.data !== "string") return;
        const at = event.data.indexOf(identity);
        if (at < 0) return;
        const found = status.exec(event.data.slice(at, at + 600));
        if (found) window.__arrivals.push({status: found[1], t: Date.now()});
        if (window.__arrivals.length > 200) window.__arrivals.splice(0, 100);
      });
    }
  };
}"""
ARRIVED = """([status, since]) => {
  const hit = (window.__arrivals || []).find((e) => e.status === status && e.t >= since);
  return hit ? hit.t : null;
}"""
BADGE_SEEN = """([text, since]) => {
  const hit = window.__badge.find((e) => e.text === text && e.t >= since);
  return hit ? hit.t : false;
}"""


@dataclass
class Frames:
    """The largest websocket frame any tab received, per phase of the run."""

    phase: str = "login"
    largest: dict[str, int] = field(default_factory=dict)

    def watch(self, page: Page) -> None:
        page.on("websocket", lambda ws: ws.on("framereceived", self._received))

    def _received(self, payload: str | bytes) -> None:
        size = len(payload.encode() if isinstance(payload, str) else payload)
        if size > self.largest.get(self.phase, 0):
            self.largest[self.phase] = size


@dataclass(frozen=True)
class Settings:
    loads: int
    samples: int
    tabs: int
    rate: float
    traffic: int
    window_s: float
    pin: bool = False  # the app on CPU 0; Chromium and the chargers on CPU 1


# --- pages ----------------------------------------------------------------------------------


async def log_in(context: BrowserContext, app: RunningApp) -> None:
    """Sign in once; the context's cookie keeps every later tab signed in."""
    page = await context.new_page()
    await page.goto(f"{app.web_url}/login", timeout=LOAD_TIMEOUT_MS)
    await page.fill("#email", ADMIN_EMAIL, timeout=LOAD_TIMEOUT_MS)
    await page.fill("#password", ADMIN_PASSWORD)
    await page.click("[data-testid=login-submit]")
    await page.wait_for_url(lambda url: "/login" not in url, timeout=LOAD_TIMEOUT_MS)
    await page.close()


async def open_tab(
    context: BrowserContext, url: str, ready: str, frames: Frames
) -> tuple[Page, float]:
    """A new tab on `url`: seconds from navigation start until `ready` is visible."""
    page = await context.new_page()
    frames.watch(page)
    started = time.perf_counter()
    await page.goto(url, wait_until="commit", timeout=LOAD_TIMEOUT_MS)
    await page.wait_for_selector(ready, state="visible", timeout=LOAD_TIMEOUT_MS)
    return page, time.perf_counter() - started


async def dom_elements(page: Page) -> int:
    return int(await page.evaluate("document.getElementsByTagName('*').length"))


async def load_figures(
    context: BrowserContext, url: str, ready: str, loads: int, frames: Frames
) -> tuple[dict[str, Any], Page]:
    """Median load of `loads` fresh tabs; the last tab stays open for the caller."""
    seconds: list[float] = []
    page: Page | None = None
    nodes = 0
    for number in range(loads):
        if page is not None:
            await page.close()
        page, took = await open_tab(context, url, ready, frames)
        seconds.append(took)
        await asyncio.sleep(SETTLE_S)
        if number == loads - 1:
            nodes = await dom_elements(page)
    assert page is not None
    figures = {
        "load_median_s": round(statistics.median(seconds), 3),
        "load_s": [round(s, 3) for s in seconds],
        "dom_elements": nodes,
        "largest_frame_bytes": frames.largest.get(frames.phase, 0),
    }
    return figures, page


# --- StatusNotification -> page ------------------------------------------------------------


async def watch_badge(page: Page) -> None:
    await page.evaluate(BADGE_OBSERVER, PROBE_BADGE)


async def badge_time(page: Page, text: str, since_ms: float) -> float | None:
    """Date.now() in the tab when the badge first showed `text` after `since_ms`, or None."""
    try:
        handle = await page.wait_for_function(
            BADGE_SEEN, arg=[text, since_ms], polling=50, timeout=SAMPLE_TIMEOUT_S * 1000
        )
    except Exception:  # playwright's TimeoutError, or a tab that crashed under the load
        return None
    return float(await handle.json_value())


@dataclass
class Probe:
    """The charge point whose connector badge the tabs watch; statuses go round STATUSES."""

    connection: ChargerConnection
    sent: int = 0

    def next_status(self) -> str:
        self.sent += 1
        return STATUSES[self.sent % len(STATUSES)]


async def arrival_time(page: Page, status: str, since_ms: float) -> float | None:
    """Date.now() in the tab when a message with the probe's row in `status` arrived."""
    try:
        found = await page.evaluate(ARRIVED, [status, since_ms])
    except Exception:  # a tab that crashed under the load
        return None
    return None if found is None else float(found)


@dataclass
class Sample:
    """One StatusNotification's latencies (ms) over the tabs: until each showed it, and until
    the message carrying it arrived in each (None: no such message was seen)."""

    shown: list[float]
    arrived: list[float | None]


async def one_sample(probe: Probe, tabs: list[Page]) -> Sample:
    """Send one StatusNotification; the latency (ms) until each tab received and showed it."""
    status = probe.next_status()
    sent_ms = time.time() * 1000
    payload = status_payload(status)
    call = asyncio.ensure_future(probe.connection.call("StatusNotification", payload))
    seen = await asyncio.gather(*(badge_time(tab, f"1: {status}", sent_ms - 1) for tab in tabs))
    await call
    arrived = await asyncio.gather(*(arrival_time(tab, status, sent_ms - 1) for tab in tabs))
    return Sample(
        [SAMPLE_TIMEOUT_S * 1000 if t is None else max(0.0, t - sent_ms) for t in seen],
        [None if t is None else max(0.0, t - sent_ms) for t in arrived],
    )


# The machine's processes while a phase is measured: the browser's tabs share these cores
# with the app here, where in production they run on the operators' own machines.
CPU_GROUPS: ProcessGroups = {
    "app": lambda command: "reflex run" in command,
    "browser": lambda command: "chromium" in command or "chrome" in command,
    "load generator": lambda command: "_ocpp_load.py" in command,
}


async def latency(
    app: RunningApp, probe: Probe, tabs: list[Page], samples: int, deadline: float
) -> dict[str, Any]:
    """p50 / p95 / max (ms) over `samples` StatusNotifications and every tab, until deadline;
    the CPU each group of processes used meanwhile; the app's push lag meanwhile."""
    lag_before = await push_lag(app.web_url)
    values: list[float] = []
    arrived: list[float] = []
    sent = 0
    cpu = CpuUse(CPU_GROUPS)
    cpu.start()
    while sent < samples and time.monotonic() < deadline:
        sample = await one_sample(probe, tabs)
        values += sample.shown
        arrived += [ms for ms in sample.arrived if ms is not None]
        sent += 1
        await asyncio.sleep(0.2 + 0.1 * (sent % 3))  # off the publisher's batching rhythm
    figures = {"samples": sent, "tabs": len(tabs), **percentiles(values)}
    figures["arrived"] = {"count": len(arrived), **quantiles(arrived)}
    figures["cpu_pct"] = cpu.stop()
    figures["push_lag"] = lag_quantiles(lag_before, await push_lag(app.web_url))
    return figures


async def push_lag(web_url: str) -> dict[str, float]:
    """The app's ccms_live_push_lag_seconds now: cumulative count per bucket bound (ms)."""
    async with httpx.AsyncClient(timeout=PING_TIMEOUT_S) as client:
        reply = await client.get(f"{web_url}/metrics")
    reply.raise_for_status()
    buckets: dict[str, float] = {}
    for family in text_string_to_metric_families(reply.text):
        if family.name == "ccms_live_push_lag_seconds":
            for sample in family.samples:
                if sample.name.endswith("_bucket"):
                    buckets[sample.labels["le"]] = sample.value
    return buckets


def lag_quantiles(before: dict[str, float], after: dict[str, float]) -> dict[str, Any]:
    """p50 / p95 (ms) of the lags recorded between two scrapes, as the bound of the bucket
    each falls in ("at most"; inf above the last bound), and how many there were."""
    bounds = sorted((float(le), le) for le in after)
    added = [(bound, after[le] - before.get(le, 0.0)) for bound, le in bounds]
    count = added[-1][1] if added else 0.0

    def bound_of(q: float) -> float | None:
        for bound, cumulative in added:
            if count and cumulative >= q * count:
                return bound if bound == float("inf") else round(bound * 1000, 1)
        return None

    return {"count": int(count), "p50_ms": bound_of(0.5), "p95_ms": bound_of(0.95)}


def quantiles(values: list[float]) -> dict[str, float | None]:
    """p50 / p95 / max (ms, nearest rank) of `values`; None for each when there are none."""
    ordered = sorted(values)

    def pick(q: float) -> float | None:
        return round(ordered[round(q * (len(ordered) - 1))], 1) if ordered else None

    return {"p50_ms": pick(0.5), "p95_ms": pick(0.95), "max_ms": pick(1.0)}


def percentiles(values: list[float]) -> dict[str, Any]:
    timeouts = sum(1 for v in values if v >= SAMPLE_TIMEOUT_S * 1000)
    return {**quantiles(values), "timeouts": timeouts}


async def with_traffic(
    app: RunningApp,
    network: Network,
    settings: Settings,
    probe: Probe,
    tabs: list[Page],
    log: Path,
) -> dict[str, Any]:
    """Latency while the traffic chargers offer `rate` msg/s (bench/_ocpp_load.py `open`)."""
    options = ["--scenario", "open", "--chargers", str(network.traffic)]
    options += ["--rate", str(settings.rate), "--duration", str(settings.window_s)]
    options += ["--warmup", "3", "--prefix", TRAFFIC_PREFIX, "--tag-prefix", TAG_PREFIX]
    async with load_generator(app, options, log) as generator:
        await generator.wait_for("window_start")
        deadline = time.monotonic() + settings.window_s
        figures = await latency(app, probe, tabs, settings.samples, deadline)
        result = await generator.wait_for("result")
    figures["traffic"] = {
        key: result.get(key)
        for key in ("chargers", "msg_per_s", "p50_ms", "p99_ms", "call_errors", "rejected", "lost")
    }
    return figures


@dataclass
class Pings:
    """`/ping` round trips (ms) and failures during one phase."""

    latencies: list[float] = field(default_factory=list)
    failures: int = 0

    def figures(self) -> dict[str, Any]:
        return {
            **quantiles(self.latencies),
            "count": len(self.latencies),
            "failures": self.failures,
        }


@contextlib.asynccontextmanager
async def pinging(web_url: str) -> AsyncIterator[Pings]:
    """GET /ping every PING_EVERY_S (a new request after the previous answer or timeout)."""
    pings = Pings()

    async def loop(client: httpx.AsyncClient) -> None:
        while True:
            started = time.perf_counter()
            try:
                reply = await client.get(f"{web_url}/ping")
                if reply.status_code == 200:
                    pings.latencies.append((time.perf_counter() - started) * 1000)
                else:
                    pings.failures += 1
            except httpx.HTTPError:
                pings.failures += 1
            await asyncio.sleep(max(0.0, PING_EVERY_S - (time.perf_counter() - started)))

    async with httpx.AsyncClient(timeout=PING_TIMEOUT_S) as client:
        task = asyncio.create_task(loop(client))
        try:
            yield pings
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


# --- one network size -----------------------------------------------------------------------


async def connect_probe(app: RunningApp) -> Probe:
    connection = await open_charger(HOST, ocpp_port(app), PROBE_IDENTITY)
    boot = {"chargePointVendor": "CCMS Bench", "chargePointModel": "Probe"}
    reply = await connection.call("BootNotification", boot)
    if reply.get("status") != "Accepted":
        raise RuntimeError(f"the probe's BootNotification was not accepted: {reply}")
    return Probe(connection)


async def measure_pages(
    browser: Browser, app: RunningApp, network: Network, settings: Settings, workdir: Path
) -> dict[str, Any]:
    """Home, then Live Monitoring, then the three latency phases, in one browser context."""
    context = await browser.new_context(viewport=DESKTOP)
    await context.add_init_script(f"({FRAME_ARRIVALS})({json.dumps(PROBE_IDENTITY)})")
    frames = Frames()
    await log_in(context, app)
    probe = await connect_probe(app)
    try:
        frames.phase = "home-load"
        home, home_tab = await load_figures(
            context, f"{app.web_url}/", HOME_READY, settings.loads, frames
        )
        await home_tab.close()
        frames.phase = "live-load"
        live, tab = await load_figures(
            context, f"{app.web_url}/live", PROBE_ROW, settings.loads, frames
        )
        await watch_badge(tab)
        frames.phase = "1-tab"
        deadline = time.monotonic() + 2 * settings.window_s
        async with pinging(app.web_url) as quiet_pings:
            quiet = await latency(app, probe, [tab], settings.samples, deadline)
        frames.phase = "1-tab-traffic"
        async with pinging(app.web_url) as busy_pings:
            busy = await with_traffic(
                app, network, settings, probe, [tab], workdir / "traffic-1.log"
            )
        tabs, opened = await open_more_tabs(context, app, frames, settings.tabs - 1)
        frames.phase = "tabs-traffic"
        async with pinging(app.web_url) as crowd_pings:
            crowd = await with_traffic(
                app, network, settings, probe, [tab, *tabs], workdir / "traffic-n.log"
            )
        phases = {"1 tab, no traffic": quiet, "1 tab, traffic": busy}
        phases[f"{len(tabs) + 1} tabs, traffic"] = crowd
        keys = ("1-tab", "1-tab-traffic", "tabs-traffic")
        for name, key, pings in zip(
            phases, keys, (quiet_pings, busy_pings, crowd_pings), strict=True
        ):
            phases[name]["largest_frame_bytes"] = frames.largest.get(key, 0)
            phases[name]["ping"] = pings.figures()
        return {"home": home, "live": live, "tabs_opened_s": opened, "latency": phases}
    finally:
        await probe.connection.close(1.0)
        await context.close()


async def open_more_tabs(
    context: BrowserContext, app: RunningApp, frames: Frames, count: int
) -> tuple[list[Page], list[float]]:
    """`count` more tabs on /live, opened at the same time; their load seconds."""
    frames.phase = "tabs-load"
    attempts = await asyncio.gather(
        *(open_tab(context, f"{app.web_url}/live", PROBE_ROW, frames) for _ in range(count)),
        return_exceptions=True,
    )
    opened = [attempt for attempt in attempts if not isinstance(attempt, BaseException)]
    for page, _ in opened:  # a tab that did not load in LOAD_TIMEOUT_MS is left out
        await watch_badge(page)
    return [page for page, _ in opened], [round(seconds, 2) for _, seconds in opened]


async def measure_size(n: int, settings: Settings) -> dict[str, Any]:
    """Seed, start the app, hold the idle chargers connected, measure in Chromium."""
    network = plan_network(n, settings.traffic)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="live-view-browser-") as tmp:
        workdir = Path(tmp)
        database_url = f"sqlite:///{workdir / 'ccms.db'}"
        prepare_network(database_url, network)
        marks = {"seed_s": time.perf_counter() - started}
        with app_process(workdir, database_url, APP_CPU if settings.pin else None) as app:
            marks["app_start_s"] = time.perf_counter() - started - marks["seed_s"]
            options = ["--scenario", "idle", "--chargers", str(network.idle), "--hold", "3600"]
            async with load_generator(
                app, [*options, "--prefix", IDLE_PREFIX], workdir / "idle.log"
            ) as idle:
                booted = await idle.wait_for("booted") if network.idle else {"chargers": 0}
                marks["idle_boot_s"] = booted.get("boot_s", 0.0)
                async with async_playwright() as playwright:
                    browser = await playwright.chromium.launch(
                        executable_path=CHROMIUM, args=CHROMIUM_ARGS
                    )
                    try:
                        figures = await measure_pages(browser, app, network, settings, workdir)
                    finally:
                        await browser.close()
    return {
        "charge_points": n,
        "traffic_chargers": network.traffic,
        "idle_chargers": booted.get("chargers"),
        **figures,
        **{key: round(value, 1) for key, value in marks.items()},
        "wall_s": round(time.perf_counter() - started, 1),
    }


# --- report ---------------------------------------------------------------------------------


def _kb(size: int | None) -> str:
    return "-" if not size else f"{size / 1024:,.1f} KB"


def report_lines(result: dict[str, Any], settings: Settings) -> list[str]:
    home, live = result["home"], result["live"]
    lines = [
        f"\n{result['charge_points']:,} charge points "
        f"({result['traffic_chargers']} send traffic, {result['idle_chargers']} held idle; "
        f"run took {result['wall_s']:.0f} s: seeding {result['seed_s']:.0f} s, app start "
        f"{result['app_start_s']:.0f} s, idle chargers booted in {result['idle_boot_s']:.0f} s)",
        f"{'page':<10}{'load s (median)':>17}{'loads s':>26}{'DOM elements':>14}"
        f"{'largest frame':>16}",
    ]
    for name, page in (("Home /", home), ("Live", live)):
        each = ", ".join(f"{s:.2f}" for s in page["load_s"])
        lines.append(
            f"{name:<10}{page['load_median_s']:>17.2f}{each:>26}{page['dom_elements']:>14,}"
            f"{_kb(page['largest_frame_bytes']):>16}"
        )
    opened = result["tabs_opened_s"]
    if opened:
        lines.append(f"{len(opened)} more /live tabs opened at once: slowest {max(opened):.1f} s")
    lines.append(
        f"{'StatusNotification -> page':<28}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}"
        f"{'samples':>9}{'timeouts':>9}{'largest frame':>15}{'traffic msg/s':>15}"
    )
    for name, phase in result["latency"].items():
        traffic = phase.get("traffic", {}).get("msg_per_s")
        lines.append(
            f"{name:<28}{_ms(phase['p50_ms']):>9}{_ms(phase['p95_ms']):>9}"
            f"{_ms(phase['max_ms']):>9}{phase['samples']:>9}{phase['timeouts']:>9}"
            f"{_kb(phase['largest_frame_bytes']):>15}"
            f"{'-' if traffic is None else f'{traffic:,.0f}':>15}"
        )
    lines.append(
        f"{'... -> message in the tab':<28}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}"
        f"{'seen':>9}   (the app and the network; the rest is the tab's own work)"
    )
    for name, phase in result["latency"].items():
        arrived = phase.get("arrived", {})
        lines.append(
            f"{name:<28}{_ms(arrived.get('p50_ms')):>9}{_ms(arrived.get('p95_ms')):>9}"
            f"{_ms(arrived.get('max_ms')):>9}{arrived.get('count', 0):>9}"
        )
    lines.append(
        f"{'... -> sent by the app':<28}{'p50 ms':>9}{'p95 ms':>9}{'':>9}{'updates':>9}"
        "   (its /metrics, every tab and charger event: at most, by bucket)"
    )
    for name, phase in result["latency"].items():
        lag = phase.get("push_lag", {})
        lines.append(
            f"{name:<28}{_at_most(lag.get('p50_ms')):>9}{_at_most(lag.get('p95_ms')):>9}"
            f"{'':>9}{lag.get('count', 0):>9}"
        )
    lines.append(
        f"{'GET /ping meanwhile':<28}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'pings':>9}"
        f"{'failed':>9}"
    )
    for name, phase in result["latency"].items():
        ping = phase["ping"]
        lines.append(
            f"{name:<28}{_ms(ping['p50_ms']):>9}{_ms(ping['p95_ms']):>9}"
            f"{_ms(ping['max_ms']):>9}{ping['count']:>9}{ping['failures']:>9}"
        )
    groups = [*CPU_GROUPS, "other"]
    lines.append(f"{'CPU meanwhile, % of a core':<28}" + "".join(f"{g:>16}" for g in groups))
    for name, phase in result["latency"].items():
        cpu = phase["cpu_pct"]
        shares = "".join(f"{cpu[g]:>16.0f}" for g in groups)
        lines.append(f"{name:<28}{shares}  machine {cpu['machine']:.0f} of {cpu['cores'] * 100}")
    lines.append(
        f"traffic offered: {settings.rate:,.0f} msg/s; a timed-out sample counts as "
        f"{SAMPLE_TIMEOUT_S * 1000:,.0f} ms. Targets (issue 8, 10,000 charge points): load "
        "< 2 s, frames <= 64 KB, p95 < 250 ms with traffic and with 10 tabs; /ping < 100 ms."
    )
    return lines


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def _at_most(value: float | None) -> str:
    if value is None:
        return "-"
    return "> 10 s" if value == float("inf") else f"<= {value:,.0f}"


def machine() -> dict[str, Any]:
    return {
        "cores": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "platform": platform.platform(),
        "python": platform.python_version(),
    }


async def run(sizes: list[int], settings: Settings) -> dict[str, Any]:
    report: dict[str, Any] = {"machine": machine(), "settings": settings.__dict__, "sizes": []}
    for n in sizes:
        try:
            result = await measure_size(n, settings)
        except Exception as exc:  # one size failing still reports the others
            print(f"\n{n:,} charge points: failed: {exc!r}"[:2000])
            report["sizes"].append({"charge_points": n, "error": repr(exc)[:2000]})
            continue
        report["sizes"].append(result)
        print("\n".join(report_lines(result, settings)), flush=True)
    return report


def parse_args(argv: list[str] | None = None) -> tuple[list[int], Settings]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, action="append", help="charge points (repeatable)")
    parser.add_argument("--quick", action="store_true", help="~100 charge points, few samples")
    parser.add_argument("--loads", type=int, default=3, help="page loads per page (median)")
    parser.add_argument("--samples", type=int, default=30, help="StatusNotifications per phase")
    parser.add_argument("--tabs", type=int, default=10, help="tabs on /live in the last phase")
    parser.add_argument("--rate", type=float, default=1000.0, help="charger traffic, msg/s")
    parser.add_argument("--traffic", type=int, default=1000, help="chargers sending it")
    parser.add_argument("--window", type=float, default=45.0, help="seconds of traffic")
    parser.add_argument(
        "--pin",
        action="store_true",
        help="the app on CPU 0, Chromium and the chargers on CPU 1 (the server's figures "
        "without the tabs' renderers on its core)",
    )
    args = parser.parse_args(argv)
    if args.pin and not pinning_works():
        parser.error("--pin needs taskset and two cores")
    if args.quick:
        settings = Settings(2, 8, 3, min(args.rate, 200.0), 50, 12.0, args.pin)
        return args.n or [100], settings
    settings = Settings(
        args.loads, args.samples, args.tabs, args.rate, args.traffic, args.window, args.pin
    )
    return args.n or [1000, 10_000], settings


def main(argv: list[str] | None = None) -> None:
    sizes, settings = parse_args(argv)
    raise_fd_limit()
    if settings.pin:  # Playwright's Chromium and the load generators inherit this core
        os.sched_setaffinity(0, {CLIENT_CPU})
        print(f"pinned: the app on CPU {APP_CPU}; Chromium and the chargers on CPU {CLIENT_CPU}")
    # SIGTERM unwinds like Ctrl-C, so the app, the chargers and Chromium are stopped too
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    report = asyncio.run(run(sizes, settings))
    JSON_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    path = JSON_DIR / f"live_view_browser-{stamp}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nJSON: {path}")


if __name__ == "__main__":
    main()
