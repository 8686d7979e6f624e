"""What a new tab costs the server in requests: the browser's cache against the network.

An operator opens Live Monitoring in one tab after another (or reloads it). Each request a
tab sends goes through the app's event loop, which also serves the chargers. Starts the real
app (`reflex run --env prod --single-port`, as bench/live_view_browser.py) with a small
network, signs in once in headless Chromium, then opens /live in --tabs new tabs of the same
browser, one after the other, and counts per tab (Chrome DevTools Protocol, Network domain)
the responses that came from the server and those the browser's cache answered. The first
row is the baseline of the same run: the first /live tab after the sign-in page.

    .venv/bin/python bench/new_tab_requests.py [--tabs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path
from typing import Any

from playwright.async_api import BrowserContext, async_playwright

if __package__ in (None, ""):  # run as a script: `bench` is importable from the project root
    sys.path.append(str(Path(__file__).resolve().parents[1]))

from bench._app_process import (
    CHROMIUM,
    CHROMIUM_ARGS,
    app_process,
    plan_network,
    prepare_network,
)
from bench.live_view_browser import DESKTOP, log_in

CHARGE_POINTS = 20
SETTLE_S = 1.5  # after the rows show: the requests that follow the first paint count too
ROW = '[data-testid^="cp-row-"]'


async def one_tab(context: BrowserContext, url: str) -> dict[str, int]:
    """Open `url` in a new tab until its rows show; its responses by where they came from."""
    page = await context.new_page()
    devtools = await context.new_cdp_session(page)
    await devtools.send("Network.enable")
    counts = {"server": 0, "server_assets": 0, "cache": 0}

    def received(event: dict[str, Any]) -> None:
        response = event["response"]
        if response.get("fromDiskCache") or response.get("fromMemoryCache"):
            counts["cache"] += 1
            return
        counts["server"] += 1
        counts["server_assets"] += "/assets/" in response["url"]

    devtools.on("Network.responseReceived", received)
    await page.goto(url)
    await page.wait_for_selector(ROW, timeout=120_000)
    await asyncio.sleep(SETTLE_S)
    await page.close()
    return counts


async def measure(tabs: int) -> list[dict[str, int]]:
    with tempfile.TemporaryDirectory(prefix="new-tab-requests-") as tmp:
        workdir = Path(tmp)
        database_url = f"sqlite:///{workdir / 'ccms.db'}"
        prepare_network(database_url, plan_network(CHARGE_POINTS, 0))
        with app_process(workdir, database_url) as app:
            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(
                    executable_path=CHROMIUM, args=CHROMIUM_ARGS
                )
                context = await browser.new_context(viewport=DESKTOP)
                await log_in(context, app)
                rows = [await one_tab(context, f"{app.web_url}/live") for _ in range(tabs + 1)]
                await browser.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tabs", type=int, default=3, help="new /live tabs after the first")
    args = parser.parse_args()
    rows = asyncio.run(measure(args.tabs))
    print(f"{'/live tab':<28}{'from the server':>16}{'of them /assets/':>18}{'from cache':>12}")
    for index, counts in enumerate(rows):
        name = "first (after sign-in)" if index == 0 else f"new tab {index}"
        print(f"{name:<28}{counts['server']:>16}{counts['server_assets']:>18}{counts['cache']:>12}")


if __name__ == "__main__":
    main()
