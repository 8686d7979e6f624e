"""Driver app accounts over real HTTP (the routes on the app's Starlette app) and through the
real event gate: sign up, the verification mail (a local SMTP server), sign in and out, the
password reset, and the wall between driver and operator sign-ins."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import httpx
import pytest
from sqlmodel import select

from ccms_app.accounts import auth
from ccms_app.accounts.login_guard import login_guard
from ccms_app.accounts.models import Organisation
from ccms_app.accounts.rules.permissions import ADMINISTRATOR
from ccms_app.accounts.web_session import DRIVER_SESSION_COOKIE, SESSION_COOKIE
from ccms_app.api import build_api
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.types import utc_now
from ccms_app.driver_app import driver_accounts
from ccms_app.driver_app.models import DriverAccount, DriverAccountToken, DriverLoginSession
from ccms_app.driver_app.state.auth import DriverAuthState
from ccms_app.drivers.models import Driver, IdTag
from ccms_app.finance.payments.models import PaymentAccount
from ccms_app.monitoring.state.home import HomeState
from tests.driver_app.support import PASSWORD, driver_tab, refused, signed_in_driver
from tests.finance.test_tariff_states import _login, _tab
from tests.fixtures.settings import SettingsEnv
from tests.fixtures.smtp import Inbox, free_port, smtp_server


@pytest.fixture
def inbox(settings_env: SettingsEnv) -> Iterator[Inbox]:
    port = free_port()
    settings_env.setenv("CCMS_SMTP_HOST", "127.0.0.1")
    settings_env.setenv("CCMS_SMTP_PORT", str(port))
    settings_env.setenv("CCMS_SMTP_FROM", "app@ccms.example")
    settings_env.setenv("CCMS_PUBLIC_URL", "https://charge.example")
    with smtp_server(port) as handler:
        yield handler


@pytest.fixture
async def web(engine: object) -> AsyncIterator[httpx.AsyncClient]:
    login_guard.reset()
    transport = httpx.ASGITransport(app=build_api())
    async with httpx.AsyncClient(transport=transport, base_url="http://ccms.test") as http:
        yield http


def _link(inbox: Inbox, path: str) -> str:
    body = inbox.messages[-1].get_content()
    found = re.search(rf"https://charge\.example{re.escape(path)}\?token=(\S+)", body)
    assert found, body
    return found.group(1)


async def test_sign_up_verify_sign_in_and_out(
    web: httpx.AsyncClient, inbox: Inbox, organisation: Organisation
) -> None:
    answer = await web.post(
        "/app/auth/signup",
        data={"name": "  Ada   Lovelace ", "email": "Ada@Example.com", "password": PASSWORD},
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/app?welcome=1"
    token = answer.cookies[DRIVER_SESSION_COOKIE]
    cookie_line = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie_line and "samesite=lax" in cookie_line
    principal = driver_accounts.principal_for_session(auth.token_hash(token))
    assert principal is not None and not principal.verified
    assert (principal.name, principal.email) == ("Ada Lovelace", "ada@example.com")
    with read_session() as db:
        account = db.get(DriverAccount, principal.account_id)
        assert account is not None and account.password_hash.startswith("$argon2id$")
        tag = db.get(IdTag, account.app_id_tag_id)
        assert tag is not None and tag.id_tag.startswith("APP") and len(tag.id_tag) == 20
        assert tag.driver_id == principal.driver_id
        payer = db.get(Driver, principal.driver_id)
        assert payer is not None and payer.organisation_id == organisation.id
        accounts = db.exec(
            PaymentAccount.__table__.select().where(PaymentAccount.holder_id == payer.id)
        ).all()
        assert [row.method for row in accounts] == ["wallet"]
    mail = inbox.messages[-1]
    assert mail["To"] == "ada@example.com" and "Confirm your e-mail" in mail["Subject"]

    # the link confirms the address once; a second use is refused
    verify_token = _link(inbox, "/app/auth/verify")
    done = await web.get(f"/app/auth/verify?token={verify_token}")
    assert done.headers["location"] == "/app?verified=1"
    assert (await web.get(f"/app/auth/verify?token={verify_token}")).headers[
        "location"
    ] == "/app?verified=0"
    assert driver_accounts.principal_for_session(auth.token_hash(token)).verified  # type: ignore[union-attr]

    # the same address again: refused, nothing created
    again = await web.post(
        "/app/auth/signup", data={"name": "B", "email": "ada@example.com", "password": PASSWORD}
    )
    assert "error=taken" in again.headers["location"]

    web.cookies.clear()
    wrong = await web.post(
        "/app/auth/login", data={"email": "ada@example.com", "password": "not it at all 123"}
    )
    assert wrong.headers["location"].startswith("/app/login?error=failed")
    good = await web.post(
        "/app/auth/login",
        data={"email": "ada@example.com", "password": PASSWORD, "next": "/app/wallet"},
    )
    assert good.headers["location"] == "/app/wallet"
    second = good.cookies[DRIVER_SESSION_COOKIE]
    elsewhere = await web.post(
        "/app/auth/login",
        data={"email": "ada@example.com", "password": PASSWORD, "next": "https://evil.example"},
    )
    assert elsewhere.headers["location"] == "/app"
    # sent before the page filled its hidden `next` (a password manager is that fast): the
    # sign-in page's own address still says where the driver was going, and only inside
    # the app
    scanned = {"referer": "http://ccms.test/app/login?next=%2Fapp%2Fc%2FCP-1%2F1"}
    early = await web.post(
        "/app/auth/login",
        data={"email": "ada@example.com", "password": PASSWORD},
        headers=scanned,
    )
    assert early.headers["location"] == "/app/c/CP-1/1"
    outside = await web.post(
        "/app/auth/login",
        data={"email": "ada@example.com", "password": PASSWORD},
        headers={"referer": "http://ccms.test/app/login?next=%2Fsystem%2Faccounts"},
    )
    assert outside.headers["location"] == "/app"
    out = await web.get("/app/auth/logout", cookies={DRIVER_SESSION_COOKIE: second})
    assert out.headers["location"] == "/app/login"
    assert driver_accounts.principal_for_session(auth.token_hash(second)) is None


async def test_weak_password_and_bad_address_are_refused_by_code(
    web: httpx.AsyncClient, organisation: Organisation
) -> None:
    weak = await web.post(
        "/app/auth/signup", data={"name": "Bo", "email": "bo@example.com", "password": "password1"}
    )
    assert (
        "error=weak" in weak.headers["location"]
        and "email=bo%40example.com" in weak.headers["location"]
    )
    bad = await web.post(
        "/app/auth/signup", data={"name": "Bo", "email": "not-an-address", "password": PASSWORD}
    )
    assert "error=email" in bad.headers["location"]
    with read_session() as db:
        assert db.exec(DriverAccount.__table__.select()).all() == []


async def test_password_reset_by_mail_ends_every_sign_in(
    web: httpx.AsyncClient, inbox: Inbox, organisation: Organisation
) -> None:
    driver = signed_in_driver("cleo@example.com", verified=False)
    unknown = await web.post("/app/auth/forgot", data={"email": "nobody@example.com"})
    known = await web.post("/app/auth/forgot", data={"email": "cleo@example.com"})
    assert unknown.headers["location"] == known.headers["location"] == "/app/forgot?sent=1"
    assert [m["To"] for m in inbox.messages] == ["cleo@example.com"]
    token = _link(inbox, "/app/reset")
    weak = await web.post("/app/auth/reset", data={"token": token, "password": "short"})
    assert "error=weak" in weak.headers["location"]
    new_password = "quartz meadow violin summit"
    done = await web.post("/app/auth/reset", data={"token": token, "password": new_password})
    assert done.headers["location"] == "/app/login?reset=1"
    assert driver_accounts.principal_for_session(driver.session_hash) is None  # signed out
    used = await web.post("/app/auth/reset", data={"token": token, "password": new_password})
    assert "error=link" in used.headers["location"]
    again = await web.post(
        "/app/auth/login", data={"email": "cleo@example.com", "password": new_password}
    )
    fresh = again.cookies[DRIVER_SESSION_COOKIE]
    principal = driver_accounts.principal_for_session(auth.token_hash(fresh))
    assert principal is not None and principal.verified  # the mailbox is theirs


async def test_driver_and_operator_sign_ins_open_nothing_of_each_other(
    organisation: Organisation,
) -> None:
    driver = signed_in_driver("dora@example.com")
    with session_scope() as s:
        admin_role = auth.built_in_role_id(s, ADMINISTRATOR)
    operator = _tab(_login(int(organisation.id or 0), "ops@example.com", admin_role))

    # a driver tab is refused by operator handlers (sent to the operator login) ...
    as_driver = driver_tab(driver, "/")
    update = await as_driver.send(HomeState, "join")
    assert refused(update)
    assert any(str(e.payload.get("path", "")).startswith("/login") for e in update.events)
    # ... and an operator tab by driver handlers (sent to the driver sign-in)
    update = await operator.at("/app").send(DriverAuthState, "require_driver")
    assert refused(update)
    assert any(str(e.payload.get("path", "")).startswith("/app/login") for e in update.events)
    # the driver's own tab passes, and the gate wrote the driver into the state
    assert await as_driver.at("/app").send(DriverAuthState, "require_driver") is None
    state = await as_driver.state(DriverAuthState)
    assert (state.signed_in, state.email, state._driver_id) == (
        True,
        "dora@example.com",
        driver.driver_id,
    )


async def test_a_driver_cookie_opens_no_operator_route(
    web: httpx.AsyncClient, organisation: Organisation
) -> None:
    driver = signed_in_driver("eve@example.com")
    for cookie in ({DRIVER_SESSION_COOKIE: driver.token}, {SESSION_COOKIE: driver.token}):
        web.cookies.clear()
        answer = await web.get("/api/v1/charge-points", cookies=cookie)
        assert answer.status_code == 401
        web.cookies.clear()
        assert (await web.get("/exports/whatever", cookies=cookie)).status_code == 401


async def test_the_app_says_what_the_sign_up_and_the_link_did(organisation: Organisation) -> None:
    driver = signed_in_driver("faye@example.com", verified=False)
    tab = driver_tab(driver)

    def said(result: object) -> str:
        return str(getattr(result, "payload", "") or result)

    welcome = await tab.at("/app", "welcome=1").send(DriverAuthState, "require_driver")
    assert "We sent a link to faye@example.com" in said(welcome)
    assert "is confirmed" in said(
        await tab.at("/app", "verified=1").send(DriverAuthState, "require_driver")
    )
    assert "not valid any more" in said(
        await tab.at("/app", "verified=0").send(DriverAuthState, "require_driver")
    )
    assert await tab.at("/app").send(DriverAuthState, "require_driver") is None


def test_expired_links_and_sign_ins_go_when_new_ones_are_made(organisation: Organisation) -> None:
    driver = signed_in_driver("hal@example.com")
    old_sign_in = driver_accounts.open_session(driver.account_id)
    driver_accounts.password_reset_link("hal@example.com")
    with session_scope() as db:
        for link in db.exec(select(DriverAccountToken)).all():
            link.expires_at = utc_now() - timedelta(minutes=1)
            db.add(link)
        stale = db.exec(
            select(DriverLoginSession).where(
                DriverLoginSession.token_hash == auth.token_hash(old_sign_in)
            )
        ).one()
        stale.expires_at = utc_now() - timedelta(minutes=1)
        db.add(stale)
    driver_accounts.password_reset_link("hal@example.com")
    driver_accounts.open_session(driver.account_id)
    with read_session() as db:
        links = db.exec(select(DriverAccountToken)).all()
        assert len(links) == 1 and links[0].expires_at > utc_now()
        hashes = {s.token_hash for s in db.exec(select(DriverLoginSession)).all()}
    assert auth.token_hash(old_sign_in) not in hashes and driver.session_hash in hashes
