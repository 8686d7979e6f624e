"""POST /auth/login and GET /auth/logout over real HTTP (the ASGI app the product mounts)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import argon2
import httpx
import pytest
from sqlmodel import Session, select

from ccms_app.accounts import auth, routes
from ccms_app.accounts.auth import SESSION_COOKIE
from ccms_app.accounts.login_guard import LoginGuard, login_guard
from ccms_app.accounts.models import AuditEntry, LoginSession, OperatorAccount
from ccms_app.api import build_api
from ccms_app.core.config import Settings
from ccms_app.network.models import ChargePoint, SecurityEvent
from ccms_app.network.security_events import ThrottledRecorder
from tests.control.firmware_support import firmware_settings
from tests.fixtures.settings import SettingsEnv

__all__ = ["firmware_settings"]

EMAIL = "ops@example.com"
PASSWORD = "a-long-charging-phrase-1"
CP = "CP-LOGIN-1"

ClientFactory = Callable[..., contextlib.AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture(autouse=True)
def _fresh_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts with no remembered failures and its own security-event throttle."""
    login_guard.reset()
    monkeypatch.setattr(routes, "_security_log", ThrottledRecorder())
    monkeypatch.setattr(routes, "_refusals", routes._RefusalReports())
    monkeypatch.setattr(routes, "REFUSAL_DELAY_SECONDS", 0.0)  # one test below measures it


@pytest.fixture
def account(engine) -> OperatorAccount:
    created, _ = auth.ensure_admin(EMAIL, PASSWORD)
    return created


@pytest.fixture
def client_from(engine) -> ClientFactory:
    """httpx clients on the real app, each from the address given (default 127.0.0.1)."""

    @contextlib.asynccontextmanager
    async def make(
        address: str = "127.0.0.1", base_url: str = "http://ccms.test"
    ) -> AsyncIterator[httpx.AsyncClient]:
        transport = httpx.ASGITransport(app=build_api(), client=(address, 40000))
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as http:
            yield http

    return make


@pytest.fixture
def hashing_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The emails whose password the route really checked with Argon2."""
    calls: list[str] = []
    real = auth.verify_login

    def spy(account: OperatorAccount | None, password: str) -> auth.VerifiedLogin:
        calls.append(account.email if account else "(unknown)")
        return real(account, password)

    monkeypatch.setattr(auth, "verify_login", spy)
    return calls


async def post_login(
    http: httpx.AsyncClient, email: str, password: str, next_path: str = ""
) -> httpx.Response:
    form = {"email": email, "password": password}
    if next_path:
        form["next"] = next_path
    return await http.post("/auth/login", data=form)


def login_query(reply: httpx.Response) -> dict[str, str]:
    """The redirect's target path must be /login; its query, one value per name."""
    target = urlsplit(reply.headers["location"])
    assert reply.status_code == 303 and target.path == "/login"
    return {name: values[-1] for name, values in parse_qs(target.query).items()}


def session_cookie(reply: httpx.Response) -> str:
    headers = [h for h in reply.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE)]
    assert len(headers) == 1, headers
    return headers[0]


def fresh(session: Session, model: Any) -> list[Any]:
    session.rollback()  # see what the route committed
    return list(session.exec(select(model)).all())


async def test_right_login_redirects_to_next_with_a_strict_httponly_cookie(
    client_from: ClientFactory, account: OperatorAccount, session: Session
) -> None:
    async with client_from("10.1.2.3") as http:
        reply = await post_login(http, " OPS@example.com ", PASSWORD, "/live?tab=sessions")

    assert reply.status_code == 303
    assert reply.headers["location"] == "/live?tab=sessions"
    cookie = session_cookie(reply)
    attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite=strict", "path=/", "max-age=43200"} <= attributes
    assert "secure" not in attributes  # plain http: a Secure cookie would never come back
    token = cookie.split(";")[0].split("=", 1)[1]
    (stored,) = fresh(session, LoginSession)
    assert stored.token_hash == auth.token_hash(token) and token not in stored.token_hash
    assert stored.remote_address == "10.1.2.3"
    (entry,) = fresh(session, AuditEntry)
    assert (entry.action, entry.account_id, entry.remote_address) == (
        "login",
        account.id,
        "10.1.2.3",
    )


async def test_the_cookie_is_secure_over_https(
    client_from: ClientFactory, account: OperatorAccount
) -> None:
    async with client_from(base_url="https://ccms.test") as http:
        reply = await post_login(http, EMAIL, PASSWORD)

    assert reply.headers["location"] == "/"
    assert "secure" in {part.strip().lower() for part in session_cookie(reply).split(";")}


@pytest.mark.parametrize("asked", ["https://evil.example/", "//evil.example/x", "/auth/logout"])
async def test_next_outside_this_site_goes_home(
    client_from: ClientFactory, account: OperatorAccount, asked: str
) -> None:
    async with client_from() as http:
        reply = await post_login(http, EMAIL, PASSWORD, asked)

    assert reply.status_code == 303 and reply.headers["location"] == "/"


async def test_a_form_sent_before_its_next_was_filled_follows_the_login_page_address(
    client_from: ClientFactory, account: OperatorAccount
) -> None:
    """A login typed before the page's state arrived posts an empty `next`: the login
    page's own address (Referer) still says where the operator was going."""
    referer = {"referer": "http://ccms.test/login?next=%2Fcharge-points%2FCP-1"}
    async with client_from() as http:
        reply = await http.post(
            "/auth/login", data={"email": EMAIL, "password": PASSWORD}, headers=referer
        )
        elsewhere = await http.post(
            "/auth/login",
            data={"email": EMAIL, "password": PASSWORD},
            headers={"referer": "http://ccms.test/login?next=https://evil.example/"},
        )

    assert reply.status_code == 303 and reply.headers["location"] == "/charge-points/CP-1"
    assert elsewhere.headers["location"] == "/"


@pytest.mark.parametrize("email", [EMAIL, "nobody@example.com", "not an email"])
async def test_wrong_login_sets_nothing_and_is_a_security_event_and_audited(
    client_from: ClientFactory, account: OperatorAccount, session: Session, email: str
) -> None:
    async with client_from("10.9.9.9") as http:
        reply = await post_login(http, email, "not-the-password-at-all", "/live")

    assert login_query(reply) == {"error": "failed", "next": "/live"}
    assert reply.headers.get_list("set-cookie") == []
    assert fresh(session, LoginSession) == []
    (event,) = fresh(session, SecurityEvent)
    assert (event.kind, event.identity, event.remote_address) == ("login_failed", email, "10.9.9.9")
    (entry,) = fresh(session, AuditEntry)
    assert (entry.action, entry.outcome, entry.actor) == ("login_failed", "refused", email)
    assert entry.account_id is None and entry.remote_address == "10.9.9.9"


@pytest.mark.parametrize(
    "form",
    [{"email": EMAIL}, {"password": PASSWORD}, {"email": " ", "password": PASSWORD}],
)
async def test_missing_fields_are_asked_for(
    client_from: ClientFactory, account: OperatorAccount, form: dict[str, str]
) -> None:
    async with client_from() as http:
        reply = await http.post("/auth/login", data=form)

    assert login_query(reply) == {"error": "missing"}


async def test_an_oversized_or_overfull_form_is_refused_unchecked(
    client_from: ClientFactory, account: OperatorAccount, hashing_calls: list[str]
) -> None:
    big = f"email={EMAIL}&password={'x' * 9000}".encode()
    many = "&".join(f"f{n}=1" for n in range(20)) + f"&email={EMAIL}&password={PASSWORD}"
    async with client_from() as http:
        too_big = await http.post("/auth/login", content=big, headers=_FORM)
        too_many = await http.post("/auth/login", content=many.encode(), headers=_FORM)

    assert login_query(too_big) == {"error": "failed"}
    assert login_query(too_many) == {"error": "failed"}
    assert hashing_calls == []


_FORM = {"content-type": "application/x-www-form-urlencoded"}


async def test_after_five_failures_for_an_account_the_right_password_waits_unchecked(
    client_from: ClientFactory,
    account: OperatorAccount,
    session: Session,
    hashing_calls: list[str],
) -> None:
    for n in range(5):  # five addresses: only the account's count reaches the limit
        async with client_from(f"10.0.0.{n + 1}") as http:
            assert login_query(await post_login(http, EMAIL, f"wrong guess {n}"))["error"] == (
                "failed"
            )
    async with client_from("10.0.0.99") as http:
        reply = await post_login(http, EMAIL, PASSWORD, "/live")

    assert login_query(reply) == {"error": "throttled", "next": "/live", "wait": "2"}
    assert reply.headers.get_list("set-cookie") == []
    assert len(hashing_calls) == 5  # the sixth was refused before any hashing
    kinds = [event.kind for event in fresh(session, SecurityEvent)]
    assert kinds.count("login_throttled") == 1
    assert fresh(session, LoginSession) == []


async def test_after_five_failures_from_an_address_every_account_waits_there(
    client_from: ClientFactory,
    account: OperatorAccount,
    session: Session,
    hashing_calls: list[str],
) -> None:
    async with client_from("192.0.2.7") as sprayer:
        for n in range(5):  # five accounts guessed from one address
            reply = await post_login(sprayer, f"user{n}@example.com", "some guess here")
            assert login_query(reply)["error"] == "failed"
        refused = [await post_login(sprayer, EMAIL, PASSWORD) for _ in range(3)]
    async with client_from("192.0.2.8") as elsewhere:
        allowed = await post_login(elsewhere, EMAIL, PASSWORD)

    for reply in refused:
        assert login_query(reply)["error"] == "throttled" and int(login_query(reply)["wait"]) > 0
    assert len(hashing_calls) == 6  # five guesses, then the login from elsewhere
    assert allowed.headers["location"] == "/" and session_cookie(allowed)
    events = [(e.kind, e.remote_address) for e in fresh(session, SecurityEvent)]
    assert events.count(("login_throttled", "192.0.2.7")) == 1  # one report a minute


async def test_refusals_are_answered_late_and_only_so_many_are_held(
    client_from: ClientFactory, monkeypatch: pytest.MonkeyPatch, engine
) -> None:
    monkeypatch.setattr(routes, "REFUSAL_DELAY_SECONDS", 1.0)
    monkeypatch.setattr(routes, "MAX_HELD", 2)
    for n in range(5):
        login_guard.failed(f"user{n}@example.com", "203.0.113.5")

    async def timed_refusal() -> float:
        async with client_from("203.0.113.5") as http:
            started = time.monotonic()
            assert login_query(await post_login(http, EMAIL, PASSWORD))["error"] == "throttled"
            return time.monotonic() - started

    # The address's first refusal writes the security log (once a minute) before it is held:
    # on a busy machine that write took 0.5 s and made an answer "at once" look held. It is
    # done before the four, so all four reach the tarpit together.
    assert await timed_refusal() >= 1.0
    durations = sorted(await asyncio.gather(*(timed_refusal() for _ in range(4))))

    assert durations[0] < 0.9 and durations[1] < 0.9  # past MAX_HELD: answered at once
    assert durations[2] >= 1.0 and durations[3] >= 1.0
    assert routes._tarpit.held == 0


async def test_a_full_login_queue_turns_logins_away_as_busy(
    client_from: ClientFactory,
    account: OperatorAccount,
    monkeypatch: pytest.MonkeyPatch,
    hashing_calls: list[str],
) -> None:
    small = LoginGuard(slots=1, queue_limit=0)
    monkeypatch.setattr(routes, "login_guard", small)
    async with client_from() as http:
        with small.attempt("someone@example.com", "198.51.100.1"):  # the one slot, taken
            busy = await post_login(http, EMAIL, PASSWORD, "/live")
        served = await post_login(http, EMAIL, PASSWORD, "/live")

    assert login_query(busy) == {"error": "busy", "next": "/live"}
    assert hashing_calls == [EMAIL]  # only the login after the slot was free
    assert served.headers["location"] == "/live"


async def test_logout_ends_the_session_and_the_old_cookie_opens_nothing(
    client_from: ClientFactory,
    account: OperatorAccount,
    session: Session,
    firmware_settings: Settings,
) -> None:
    session.add(
        ChargePoint(
            identity=CP, organisation_id=account.organisation_id, registration_state="registered"
        )
    )
    session.commit()
    download = f"/diagnostics/{CP}/diag.log"

    async with client_from() as http:
        assert (await http.put(download, content=b"the log")).status_code == 201
        login = await post_login(http, EMAIL, PASSWORD)
        token = session_cookie(login).split(";")[0].split("=", 1)[1]
        assert (await http.get(download)).content == b"the log"  # the cookie works

        logout = await http.get("/auth/logout")

        assert logout.status_code == 303 and logout.headers["location"] == "/login"
        cleared = session_cookie(logout).lower()
        assert "max-age=0" in cleared and "httponly" in cleared
        assert SESSION_COOKIE not in http.cookies
        assert fresh(session, LoginSession) == []
        http.cookies.set(SESSION_COOKIE, token)  # the old cookie, replayed
        replay = await http.get(download)

    assert replay.status_code == 401 and b"the log" not in replay.content


@pytest.mark.parametrize(
    "older",
    [
        argon2.PasswordHasher(time_cost=1, memory_cost=8192),  # weaker
        argon2.PasswordHasher(),  # argon2-cffi's default: 4 lanes, 4 threads per check
    ],
)
async def test_a_hash_with_older_argon2_parameters_is_upgraded_on_the_next_login(
    client_from: ClientFactory,
    account: OperatorAccount,
    session: Session,
    older: argon2.PasswordHasher,
    settings_env: SettingsEnv,
) -> None:
    """At the default cost (the suite runs at a lower one): 64 MiB, 3 passes, one lane."""
    settings_env.delenv("CCMS_PASSWORD_HASH_PASSES")
    settings_env.delenv("CCMS_PASSWORD_HASH_MEMORY_KIB")
    old_hash = older.hash(PASSWORD)
    stored = session.get(OperatorAccount, account.id)
    stored.password_hash = old_hash
    session.add(stored)
    session.commit()

    async with client_from() as http:
        first = await post_login(http, EMAIL, PASSWORD)
        session.rollback()
        upgraded = session.get(OperatorAccount, account.id).password_hash
        again = await post_login(http, EMAIL, PASSWORD)
    session.rollback()

    assert first.headers["location"] == "/" and again.headers["location"] == "/"
    assert upgraded != old_hash and "$m=65536,t=3,p=1$" in upgraded
    assert auth.verify_password(upgraded, PASSWORD)
    # Made with the current parameters: the next login leaves it alone.
    assert session.get(OperatorAccount, account.id).password_hash == upgraded
