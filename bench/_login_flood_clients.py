"""The two client processes of bench/login_flood.py.

    python bench/_login_flood_clients.py chargers --port P --chargers 50 --out samples.json
        connect, boot and start a transaction on each charger, say {"event": "ready"}, then
        send MeterValues in a closed loop (the next as soon as the CALLRESULT arrives; with
        --rate R, open loop: R msg/s in all on a fixed schedule, latency counted from the
        scheduled send time) until a line arrives on stdin; write every (sent at, latency)
        pair to --out, in seconds on CLOCK_MONOTONIC (one clock for every process of the
        machine), and say "result".
    python bench/_login_flood_clients.py logins --url http://127.0.0.1:P --clients 16
            --seconds 12 --spread
        `--clients` concurrent clients POST wrong passwords to /auth/login, each sending the
        next as soon as the answer arrives, for `--seconds`; prints the outcomes (the login
        page's error codes) and its window on CLOCK_MONOTONIC. Without --spread every
        attempt comes from 127.0.0.1 (the server's per-address back-off soon refuses them
        unchecked); with --spread each client moves to a fresh loopback source address
        (127.<10 + client>.x.y, from --first-block on) every FREE_FAILURES attempts, with
        a fresh e-mail each time, as a botnet would, so no back-off applies and every
        attempt costs the server an Argon2 check. The flood runs at nice 19 (--nice): on
        this one machine its own CPU stands in for the attacker's machines, which are not
        the server's.

Progress goes to stdout as JSON lines; everything talks to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx

if __package__ in (None, ""):  # run as a script: `bench` is importable from the project root
    sys.path.append(str(Path(__file__).resolve().parents[1]))

from bench._ocpp_client import CallError, ConnectionGone
from bench._ocpp_load import Charger, Stats, bring_up_all, emit, raise_fd_limit

FREE_FAILURES = 5  # ccms_app.accounts.rules.login_backoff: failures before a wait


async def _stdin_line() -> None:
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)


async def run_chargers(args: argparse.Namespace) -> None:
    stats = Stats()
    setup = argparse.Namespace(
        port=args.port,
        chargers=args.chargers,
        prefix=args.prefix,
        tag_prefix=args.tag_prefix,
        connect_concurrency=50,
    )
    chargers = await bring_up_all(setup, stats, start=True)
    emit("ready", chargers=len(chargers), rejected=stats.rejected, errors=stats.call_errors)
    samples: list[tuple[float, float]] = []
    problems: Counter[str] = Counter()
    stop = asyncio.Event()

    interval = args.chargers / args.rate if args.rate else 0.0

    async def meter_loop(charger: Charger) -> None:
        clock = time.monotonic
        due = clock() + interval * charger.index / args.chargers
        while not stop.is_set():
            if interval:  # open loop: on schedule, latency counted from the scheduled time
                due += interval
                await asyncio.sleep(max(0.0, due - clock()))
            charger.sent += 1
            charger.energy_wh += 3.7 + (charger.index % 7) * 0.1
            payload = charger.meter_payload()
            sent = due if interval else clock()
            try:
                await charger.connection.call("MeterValues", payload)
            except CallError as exc:
                problems[exc.code] += 1
                continue
            except ConnectionGone:
                problems["connection lost"] += 1
                return
            samples.append((sent, clock() - sent))

    loops = [asyncio.create_task(meter_loop(charger)) for charger in chargers]
    await _stdin_line()
    stop.set()
    await asyncio.wait(loops, timeout=30)
    await asyncio.gather(*(charger.connection.close(1.0) for charger in chargers))
    Path(args.out).write_text(json.dumps(samples))
    emit("result", samples=len(samples), problems=dict(problems))


def _outcome(reply: httpx.Response) -> str:
    """The login page's error code (failed, throttled, busy, ...) or where a login went."""
    target = urlsplit(reply.headers.get("location", ""))
    if reply.status_code != 303:
        return f"http {reply.status_code}"
    if target.path != "/login":
        return "logged in"
    return parse_qs(target.query).get("error", ["?"])[0]


async def run_logins(args: argparse.Namespace) -> None:
    with contextlib.suppress(OSError):
        os.nice(args.nice)
    outcomes: Counter[str] = Counter()
    start = time.monotonic()
    end = start + args.seconds

    async def attempts(client: int, address: str, count: int) -> None:
        transport = httpx.AsyncHTTPTransport(local_address=address)
        async with httpx.AsyncClient(transport=transport, base_url=args.url, timeout=60) as http:
            for n in range(count):
                if time.monotonic() >= end:
                    return
                email = (
                    f"flood-{client}-{address}-{n}@example.com"
                    if args.spread
                    else (args.email if n % 2 else f"nobody-{client}@example.com")
                )
                form = {"email": email, "password": f"wrong guess {n}", "next": "/live"}
                try:
                    reply = await http.post("/auth/login", data=form)
                except httpx.HTTPError as exc:
                    outcomes[type(exc).__name__] += 1
                    continue
                outcomes[_outcome(reply)] += 1

    async def client_loop(client: int) -> None:
        if not args.spread:
            await attempts(client, "127.0.0.1", sys.maxsize)
            return
        for block in range(args.first_block, 256 * 254):
            if time.monotonic() >= end:
                return
            address = f"127.{10 + client}.{block // 254}.{block % 254 + 1}"
            await attempts(client, address, FREE_FAILURES)

    emit("started", at=start)
    await asyncio.gather(*(client_loop(client) for client in range(args.clients)))
    emit("result", start=start, end=end, finished=time.monotonic(), outcomes=dict(outcomes))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    roles = parser.add_subparsers(dest="role", required=True)
    chargers = roles.add_parser("chargers")
    chargers.add_argument("--port", type=int, required=True)
    chargers.add_argument("--chargers", type=int, default=50)
    chargers.add_argument("--rate", type=float, default=0.0, help="open loop: msg/s in all")
    chargers.add_argument("--prefix", default="BENCH-T-")
    chargers.add_argument("--tag-prefix", default="BENCH-TAG-")
    chargers.add_argument("--out", required=True)
    logins = roles.add_parser("logins")
    logins.add_argument("--url", required=True)
    logins.add_argument("--clients", type=int, default=16)
    logins.add_argument("--seconds", type=float, default=12.0)
    logins.add_argument("--email", default="browser-test@example.com")
    logins.add_argument("--spread", action="store_true")
    logins.add_argument(
        "--first-block", type=int, default=0, help="--spread: skip addresses used before"
    )
    logins.add_argument("--nice", type=int, default=19, help="the flood's own CPU priority")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    raise_fd_limit()
    asyncio.run(run_chargers(args) if args.role == "chargers" else run_logins(args))


if __name__ == "__main__":
    main()
