"""How the driver app loads on a slow phone connection, against the operator's login page
measured in the same run (issue 18: "loads fast on a slow connection").

Starts the app as the browser tests do (`reflex run --env prod --single-port`, Debian
Chromium via Playwright) on a small network (one station, one charge point) with a signed-up
driver, and throttles the browser's network with Chrome DevTools (default: 150 ms round
trip, 1.6 Mbit/s down, 750 kbit/s up, a slow 4G / good 3G phone). Per page, median of --runs
fresh browser contexts (empty cache):

- baseline: the operator's Home (/), signed in, first visit (until its connector counts
  show): the operator console on the same phone and connection;
- operator /login and driver /app/login, signed out (until the e-mail field shows: both are
  prerendered, so this is the first paint);
- driver cold: /app signed in, first visit (until the station list shows);
- driver warm: /app again in the same context (HTTP cache and the service worker's cache).

Printed: bytes received over the network (the requests' encoded sizes, the live socket left
out), requests, and time until the page shows, with each figure's ratio to the baseline.

    .venv/bin/python bench/driver_app_load.py
    .venv/bin/python bench/driver_app_load.py --runs 5 --latency-ms 300 --down-kbps 400

The JSON report goes to artifacts/bench/driver_app_load-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: the project root must be importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.async_api import Browser, BrowserContext, async_playwright

from bench._app_process import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    CHROMIUM,
    CHROMIUM_ARGS,
    RunningApp,
    app_process,
)
from ccms_app.accounts import auth
from ccms_app.accounts.auth import SESSION_COOKIE, ensure_admin
from ccms_app.accounts.web_session import DRIVER_SESSION_COOKIE
from ccms_app.core import db
from ccms_app.core.config import PROJECT_ROOT
from ccms_app.core.migrations import upgrade_database
from ccms_app.driver_app import driver_accounts
from ccms_app.network.provisioning import register_charge_point

DRIVER_EMAIL = "bench-driver@example.com"
DRIVER_PASSWORD = "bench lantern orbit tulip"
REPORTS = PROJECT_ROOT / "artifacts" / "bench"
PAGE_TIMEOUT_MS = 120_000
HOME_READY = "[data-testid=home-counts]"  # Home's counts, filled from the server


@dataclass(frozen=True)
class Load:
    bytes: int
    requests: int
    ms: float


def prepare(database_url: str) -> tuple[str, str]:
    """A migrated database with one registered charge point, a signed-in operator and a
    signed-in driver; their session tokens."""
    upgrade_database(database_url)
    engine = db.make_engine(database_url)
    db.set_engine(engine)
    try:
        register_charge_point("BENCH-APP-1", "Bench Depot")
        admin, _ = ensure_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
        link = driver_accounts.sign_up(
            driver_accounts.SignUp("Bench Driver", DRIVER_EMAIL, DRIVER_PASSWORD)
        )
        return auth.open_session(admin), driver_accounts.open_session(link.account_id)
    finally:
        db.set_engine(None)
        engine.dispose()


async def _throttled(context: BrowserContext, args: argparse.Namespace) -> Any:
    """A page whose network is throttled, and a counter of what it receives."""
    page = await context.new_page()
    cdp = await context.new_cdp_session(page)
    await cdp.send("Network.enable")
    await cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": args.latency_ms,
            "downloadThroughput": args.down_kbps * 1000 / 8,
            "uploadThroughput": args.up_kbps * 1000 / 8,
        },
    )
    return page, cdp


async def _measure(page: Any, cdp: Any, url: str, shown: str) -> Load:
    received: dict[str, float] = {}

    def finished(event: dict[str, Any]) -> None:
        received[event["requestId"]] = float(event.get("encodedDataLength", 0))

    cdp.on("Network.loadingFinished", finished)
    started = time.perf_counter()
    await page.goto(url, wait_until="commit", timeout=PAGE_TIMEOUT_MS)
    await page.locator(shown).first.wait_for(state="visible", timeout=PAGE_TIMEOUT_MS)
    elapsed = (time.perf_counter() - started) * 1000
    await page.wait_for_load_state("networkidle", timeout=PAGE_TIMEOUT_MS)
    cdp.remove_listener("Network.loadingFinished", finished)
    return Load(int(sum(received.values())), len(received), elapsed)


async def _signed_in(browser: Browser, app: RunningApp, cookie: str, token: str) -> BrowserContext:
    context = await browser.new_context(viewport={"width": 360, "height": 740})
    await context.add_cookies([{"name": cookie, "value": token, "url": app.web_url}])
    return context


async def one_run(
    browser: Browser, app: RunningApp, tokens: tuple[str, str], args: argparse.Namespace
) -> dict[str, Load]:
    operator, driver = tokens
    context = await _signed_in(browser, app, SESSION_COOKIE, operator)
    page, cdp = await _throttled(context, args)
    loads = {"baseline operator /": await _measure(page, cdp, f"{app.web_url}/", HOME_READY)}
    await context.close()
    for name, path in (("operator /login", "/login"), ("driver /app/login", "/app/login")):
        context = await browser.new_context(viewport={"width": 360, "height": 740})
        page, cdp = await _throttled(context, args)
        loads[name] = await _measure(page, cdp, f"{app.web_url}{path}", "input[type=email]")
        await context.close()
    context = await _signed_in(browser, app, DRIVER_SESSION_COOKIE, driver)
    page, cdp = await _throttled(context, args)
    stations = "[data-testid=stations-list]"
    loads["driver /app cold"] = await _measure(page, cdp, f"{app.web_url}/app", stations)
    await page.evaluate("navigator.serviceWorker.ready")
    loads["driver /app warm"] = await _measure(page, cdp, f"{app.web_url}/app", stations)
    await context.close()
    return loads


def summary(runs: list[dict[str, Load]]) -> dict[str, dict[str, float]]:
    """Per page: the median of each figure, and its ratio to the baseline's median."""
    names = list(runs[0])
    medians = {
        name: {
            field: statistics.median(getattr(run[name], field) for run in runs)
            for field in ("bytes", "requests", "ms")
        }
        for name in names
    }
    base = medians[names[0]]
    return {
        name: {
            **figures,
            **{f"{f}_ratio": figures[f] / base[f] if base[f] else 0.0 for f in figures},
        }
        for name, figures in medians.items()
    }


def print_table(result: dict[str, dict[str, float]], args: argparse.Namespace) -> None:
    print(
        f"network: {args.latency_ms} ms RTT, {args.down_kbps} kbit/s down, "
        f"{args.up_kbps} kbit/s up; median of {args.runs} runs"
    )
    head = ("page", "KB received", "x base", "requests", "ms shown", "x base")
    print("{:<20} {:>12} {:>7} {:>9} {:>9} {:>7}".format(*head))
    for name, f in result.items():
        print(
            f"{name:<20} {f['bytes'] / 1024:>12.1f} {f['bytes_ratio']:>7.2f} "
            f"{f['requests']:>9.0f} {f['ms']:>9.0f} {f['ms_ratio']:>7.2f}"
        )


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="ccms-bench-app-") as tmp:
        database_url = f"sqlite:///{Path(tmp) / 'ccms.db'}"
        tokens = prepare(database_url)
        with app_process(Path(tmp), database_url) as app:
            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(
                    executable_path=CHROMIUM, args=CHROMIUM_ARGS
                )
                runs = [await one_run(browser, app, tokens, args) for _ in range(args.runs)]
                await browser.close()
    result = summary(runs)
    print_table(result, args)
    REPORTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    report = REPORTS / f"driver_app_load-{stamp}.json"
    report.write_text(
        json.dumps(
            {
                "args": vars(args),
                "summary": result,
                "runs": [{name: asdict(load) for name, load in run.items()} for run in runs],
            },
            indent=1,
        )
    )
    print(f"report: {report}")


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--latency-ms", type=int, default=150)
    parser.add_argument("--down-kbps", type=int, default=1600)
    parser.add_argument("--up-kbps", type=int, default=750)
    return parser.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse()))
