"""REST API list endpoints at 100,000 rows, next to the same query through the UI's list service.

Seeds a migrated temporary SQLite database like bench/lists_100k.py (N charge points,
N drivers with an id tag each, N/10 stations, ...), serves the web-port app in its own
process (granian, one worker, as `ccms run` serves it) and asks, with an Administrator API
key over real HTTP, for each list resource the API has:
- the first page (default sort),
- a filtered page (a filter the list offers, its commonest value),
- a deep cursor page (the page after row N - 100 in the default sort),
and prints p50 / p95 per request next to the same query made in this process through
`core.listing.fetch_page` (what a Reflex list state calls; its deep page is an OFFSET page,
the UI's way to page). The ratio API / UI is the price of HTTP, auth (one key lookup per
request), JSON and the `total` count; the deep row shows what keyset paging saves.

    .venv/bin/python bench/api_lists.py [--rows 100000] [--repeat 30]
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: `bench` is importable from the project root
    sys.path.append(str(Path(__file__).resolve().parents[1]))

import httpx
from pydantic import BaseModel

from bench.lists_100k import seed
from ccms_app.accounts import api_keys
from ccms_app.api import routes as api_routes
from ccms_app.api.listing import encode_cursor, item_model
from ccms_app.api.resources import ListResource
from ccms_app.core import db, listing
from ccms_app.core.listing import Keyset, ListQuery
from ccms_app.core.migrations import upgrade_database
from tests.api.rest import free_port

PAGE_SIZE = 50
# The list resources to measure, with a filter of each (column, value) when the API has them.
FILTERS: dict[str, tuple[str, Any]] = {
    "charge_points": ("status", "Charging"),
    "stations": ("timezone", "Europe/Amsterdam"),
    "drivers": ("status", "active"),
    "id_tags": ("status", "blocked"),
    "vehicles": ("", None),
    "user_groups": ("", None),
}


@dataclass(frozen=True)
class Probe:
    label: str
    params: dict[str, Any]
    ui_query: ListQuery


def resources() -> dict[str, ListResource]:
    """The list resources the REST API serves (each routes module's ListResources)."""
    found: dict[str, ListResource] = {}
    for info in pkgutil.iter_modules(api_routes.__path__):
        module = importlib.import_module(f"{api_routes.__name__}.{info.name}")
        for value in vars(module).values():
            if isinstance(value, ListResource) and value.plural in FILTERS:
                found[value.plural] = value
    return found


def probes(resource: ListResource, item: type[BaseModel], scope: set[int]) -> list[Probe]:
    spec = resource.spec
    default = ListQuery(sort=spec.default_sort, page_size=PAGE_SIZE)
    result = [Probe("first page", {"page_size": PAGE_SIZE}, default)]
    key, value = FILTERS[resource.plural]
    if key:
        filtered = ListQuery(sort=spec.default_sort, page_size=PAGE_SIZE, filters={key: value})
        result.append(
            Probe(f"filter {key}={value}", {"page_size": PAGE_SIZE, key: value}, filtered)
        )
    total = listing.count_rows(spec, default, scope)
    deep_page = max(1, (total - 100) // PAGE_SIZE)
    before = listing.fetch_page(
        spec, ListQuery(sort=spec.default_sort, page=deep_page, page_size=PAGE_SIZE), scope
    )
    last = before.rows[-1]
    cursor = encode_cursor(item, default, Keyset(last[default.sort], last["id"]))
    deep_ui = ListQuery(sort=spec.default_sort, page=deep_page + 1, page_size=PAGE_SIZE)
    result.append(
        Probe(
            f"deep page (row {deep_page * PAGE_SIZE:,})",
            {"page_size": PAGE_SIZE, "cursor": cursor},
            deep_ui,
        )
    )
    return result


def timings(call: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """p50 and p95 in ms of `repeat` calls after one warm-up call."""
    call()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))]


def serve(database_url: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = dict(os.environ, CCMS_DATABASE_URL=database_url, CCMS_LOG_LEVEL="WARNING")
    process = subprocess.Popen(
        [sys.executable, "-m", "granian", "--interface", "asgi", "--factory", "--host",
         "127.0.0.1", "--port", str(port), "--workers", "1", "ccms_app.api:build_api"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        with suppress(OSError), urllib.request.urlopen(f"{url}/api/v1/openapi.json", timeout=2):
            return process, url
        time.sleep(0.2)
    process.terminate()
    raise RuntimeError("the API did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'api-lists.db'}"
        upgrade_database(url)
        engine = db.make_engine(url)
        db.set_engine(engine)
        started = time.perf_counter()
        operator, partner = seed(engine, args.rows)
        print(f"seeded {args.rows:,} rows per list in {time.perf_counter() - started:.1f} s")
        key = api_keys.create_api_key_from_cli("bench", "Administrator", operator).key
        scope = {operator, partner}
        process, base = serve(url)
        try:
            report(base, key, scope, args.repeat)
        finally:
            process.terminate()
            process.wait(timeout=10)


def report(base: str, key: str, scope: set[int], repeat: int) -> None:
    headers = {"Authorization": f"Bearer {key}"}
    columns = f"{'API p50':>9}{'p95':>8}{'UI p50':>9}{'p95':>8}{'API/UI':>8}"
    print(f"\n{'list / request':<52}{columns}  (ms)")
    with httpx.Client(base_url=f"{base}/api/v1", headers=headers, timeout=60) as http:
        for plural, resource in resources().items():
            item = item_model(resource)
            for probe in probes(resource, item, scope):

                def api_call(p: Probe = probe, r: ListResource = resource) -> None:
                    reply = http.get(r.path, params=p.params)
                    reply.raise_for_status()

                def ui_call(p: Probe = probe, r: ListResource = resource) -> None:
                    listing.fetch_page(r.spec, p.ui_query, scope)

                api = timings(api_call, repeat)
                ui = timings(ui_call, repeat)
                print(
                    f"{plural + ' / ' + probe.label:<52}{api[0]:>9.2f}{api[1]:>8.2f}"
                    f"{ui[0]:>9.2f}{ui[1]:>8.2f}{api[0] / ui[0]:>7.1f}x"
                )


if __name__ == "__main__":
    main()
