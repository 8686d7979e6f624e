"""Charger security end to end: the real OcppServer with the real ChargerSecurityService and
ChargerEventService on a migrated SQLite database, over real websockets (ws:// and wss://)."""

from __future__ import annotations

import json
import shutil
import ssl
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import unquote

import pytest
from sqlmodel import Session, select
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus
from websockets.headers import build_authorization_basic

from ccms_app.accounts.models import Organisation
from ccms_app.charging.charger_events import ChargerEventService
from ccms_app.core.config import Settings
from ccms_app.network import charger_security
from ccms_app.network.models import ChargePoint, SecurityEvent
from ocpp_server.ports import ConnectionDecision
from ocpp_server.server import OcppServer

KEY = "correct-horse-battery-staple"
BOOT = [2, "boot-1", "BootNotification", {"chargePointVendor": "V", "chargePointModel": "M"}]


def add_charge_point(session: Session, org: Organisation, identity: str) -> int:
    cp = ChargePoint(identity=identity, organisation_id=org.id, registration_state="registered")
    session.add(cp)
    session.commit()
    assert cp.id is not None
    return cp.id


def events(session: Session) -> list[SecurityEvent]:
    session.rollback()  # a fresh snapshot: the server wrote in its own transactions
    return list(session.exec(select(SecurityEvent).order_by(SecurityEvent.id)).all())


def connect_as(
    url: str,
    identity: str,
    authorization: str | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> connect:
    headers = {"Authorization": authorization} if authorization is not None else None
    return connect(
        f"{url}/{identity}",
        subprotocols=["ocpp1.6"],  # type: ignore[list-item]
        additional_headers=headers,
        ssl=ssl_context,
        open_timeout=5,
        close_timeout=2,
    )


async def boot(websocket: ClientConnection) -> dict[str, object]:
    await websocket.send(json.dumps(BOOT))
    reply = json.loads(await websocket.recv())
    assert reply[0] == 3 and reply[1] == "boot-1", reply
    return reply[2]


async def refused_status(url: str, identity: str, authorization: str | None = None) -> int:
    with pytest.raises(InvalidStatus) as refused:
        async with connect_as(url, identity, authorization):
            pass
    response = refused.value.response
    if response.status_code == 401:
        assert response.headers["WWW-Authenticate"].startswith('Basic realm="CCMS"')
    return response.status_code


@pytest.fixture
async def secure_server(charger_events: ChargerEventService) -> AsyncIterator[OcppServer]:
    server = OcppServer(
        charger_events,
        response_timeout=5,
        close_timeout=1,
        authenticator=charger_security.ChargerSecurityService(),
    )
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def url(secure_server: OcppServer) -> str:
    return f"ws://127.0.0.1:{secure_server.port}/ocpp"


# --- Security Profile 1 ---------------------------------------------------------------------


async def test_the_right_password_connects(
    url: str, session: Session, organisation: Organisation
) -> None:
    cp_id = add_charge_point(session, organisation, "CP-1")
    charger_security.set_charge_point_password(cp_id, KEY)

    async with connect_as(url, "CP-1", build_authorization_basic("CP-1", KEY)) as websocket:
        reply = await boot(websocket)

    assert reply["status"] == "Accepted"
    assert events(session) == []


async def test_the_password_in_the_url_works_too(
    url: str, session: Session, organisation: Organisation
) -> None:
    """Chargers configured with ws://identity:password@host/... send the same header."""
    cp_id = add_charge_point(session, organisation, "CP-1")
    charger_security.set_charge_point_password(cp_id, KEY)
    with_credentials = url.replace("ws://", f"ws://CP-1:{KEY}@")

    async with connect_as(with_credentials, "CP-1") as websocket:
        assert (await boot(websocket))["status"] == "Accepted"


@pytest.mark.parametrize(
    ("authorization", "kind", "detail"),
    [
        (build_authorization_basic("CP-1", "wrong-password-123"), "auth_failed", "wrong password"),
        (None, "auth_missing", "no Authorization header"),
        ("Basic !!not-base64!!", "auth_invalid", "malformed Authorization header"),
        ("Bearer abcdef", "auth_invalid", "unsupported scheme"),
        (build_authorization_basic("CP-2", KEY), "auth_invalid", "is not the charge point"),
    ],
)
async def test_bad_credentials_get_401_before_the_websocket_and_are_recorded(
    url: str,
    session: Session,
    organisation: Organisation,
    authorization: str | None,
    kind: str,
    detail: str,
) -> None:
    cp_id = add_charge_point(session, organisation, "CP-1")
    charger_security.set_charge_point_password(cp_id, KEY)

    assert await refused_status(url, "CP-1", authorization) == 401

    [event] = events(session)
    assert (event.identity, event.kind) == ("CP-1", kind)
    assert detail in event.detail
    assert event.remote_address.startswith("127.0.0.1:")
    cp = session.exec(select(ChargePoint).where(ChargePoint.id == cp_id)).one()
    assert cp.is_online is False  # the websocket never opened, so the app never saw it


async def test_a_charge_point_without_a_password_connects_as_before(
    url: str, session: Session, organisation: Organisation
) -> None:
    add_charge_point(session, organisation, "CP-OPEN")

    async with connect_as(url, "CP-OPEN") as websocket:
        assert (await boot(websocket))["status"] == "Accepted"
    async with connect_as(url, "CP-OPEN", "Basic !!ignored!!") as websocket:
        assert (await boot(websocket))["status"] == "Accepted"

    assert events(session) == []


async def test_an_impostor_cannot_take_over_a_connected_charge_point(
    url: str, session: Session, organisation: Organisation, secure_server: OcppServer
) -> None:
    """Issue 9: a second connection for a live identity without a password is refused (409)
    and recorded; the real charger's connection and sessions are untouched."""
    add_charge_point(session, organisation, "CP-REAL")
    async with connect_as(url, "CP-REAL") as real:
        assert (await boot(real))["status"] == "Accepted"
        assert await refused_status(url, "CP-REAL") == 409
        assert secure_server.is_connected("CP-REAL")
        await real.send(json.dumps([2, "hb", "Heartbeat", {}]))
        assert json.loads(await real.recv())[:2] == [3, "hb"]  # still the real one's
        assert [(e.kind, e.identity) for e in events(session)] == [("duplicate_refused", "CP-REAL")]
        # The operator's choice "replace": the second connection takes over (recorded too).
        charger_security.set_duplicate_connection_policy("replace")
        async with connect_as(url, "CP-REAL") as second:
            assert (await boot(second))["status"] == "Accepted"
        assert "duplicate_replaced" in [e.kind for e in events(session)]


async def test_a_charger_with_its_password_may_replace_its_own_connection(
    url: str, session: Session, organisation: Organisation
) -> None:
    cp_id = add_charge_point(session, organisation, "CP-PW")
    charger_security.set_charge_point_password(cp_id, "a-good-password-123")
    good = build_authorization_basic("CP-PW", "a-good-password-123")
    async with connect_as(url, "CP-PW", good) as first:
        assert (await boot(first))["status"] == "Accepted"
        async with connect_as(url, "CP-PW", good) as again:  # reconnect after a network change
            assert (await boot(again))["status"] == "Accepted"
    assert events(session) == []


@pytest.mark.parametrize("identity", ["CP%20001", "CP%00X", "a%2Fb", "x" * 49])
async def test_an_invalid_identity_is_refused_with_the_reason_and_recorded(
    url: str, session: Session, organisation: Organisation, identity: str
) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with connect_as(url, identity):
            pass
    response = refused.value.response
    assert response.status_code == 400 and b"identity" in response.body
    (event,) = events(session)
    assert event.kind == "invalid_identity" and event.remote_address.startswith("127.0.0.1")
    # as sent, a NUL written as its escape (PostgreSQL stores no NUL in text)
    assert event.identity == unquote(identity).replace("\x00", "\\x00")


async def test_rotating_the_password_refuses_the_old_one(
    url: str, session: Session, organisation: Organisation
) -> None:
    cp_id = add_charge_point(session, organisation, "CP-1")
    charger_security.set_charge_point_password(cp_id, KEY)
    async with connect_as(url, "CP-1", build_authorization_basic("CP-1", KEY)):
        pass  # proven once: the service remembers it for fast reconnects

    new_key = charger_security.set_charge_point_password(cp_id)

    assert await refused_status(url, "CP-1", build_authorization_basic("CP-1", KEY)) == 401
    async with connect_as(url, "CP-1", build_authorization_basic("CP-1", new_key)) as websocket:
        assert (await boot(websocket))["status"] == "Accepted"
    charger_security.clear_charge_point_password(cp_id)
    async with connect_as(url, "CP-1") as websocket:
        assert (await boot(websocket))["status"] == "Accepted"


# --- unknown identities ---------------------------------------------------------------------


async def test_reject_policy_refuses_unknown_identities_with_404(
    url: str, session: Session, organisation: Organisation
) -> None:
    add_charge_point(session, organisation, "CP-KNOWN")
    charger_security.set_unknown_charge_point_policy("reject")

    assert await refused_status(url, "CP-STRANGER") == 404

    [event] = events(session)
    assert (event.identity, event.kind) == ("CP-STRANGER", "unknown_identity_refused")
    assert (
        session.exec(select(ChargePoint).where(ChargePoint.identity == "CP-STRANGER")).all() == []
    )
    async with connect_as(url, "CP-KNOWN") as websocket:
        assert (await boot(websocket))["status"] == "Accepted"


async def test_pending_policy_records_unknown_identities_as_before(
    url: str, session: Session, organisation: Organisation
) -> None:
    charger_security.set_unknown_charge_point_policy("pending")

    async with connect_as(url, "CP-NEW") as websocket:
        reply = await boot(websocket)

    assert reply["status"] == "Pending"
    session.rollback()
    cp = session.exec(select(ChargePoint).where(ChargePoint.identity == "CP-NEW")).one()
    assert cp.registration_state == "unregistered"
    assert events(session) == []


# --- the handshake when the application cannot decide ---------------------------------------


class BrokenAuthenticator:
    async def check_connection(
        self,
        identity: str,
        password: str | None,
        remote_address: str,
        problem: str = "",
        connected: bool = False,
    ) -> ConnectionDecision:
        raise RuntimeError("database unavailable")

    async def refused(self, identity: str, remote_address: str, reason: str) -> None:
        raise RuntimeError("database unavailable")


async def test_an_authenticator_failure_refuses_with_503(
    charger_events: ChargerEventService,
) -> None:
    server = OcppServer(charger_events, close_timeout=1, authenticator=BrokenAuthenticator())
    await server.start()
    try:
        with pytest.raises(InvalidStatus) as refused:
            async with connect_as(f"ws://127.0.0.1:{server.port}/ocpp", "CP-1"):
                pass
    finally:
        await server.stop()
    assert refused.value.response.status_code == 503


# --- Security Profile 2: TLS ----------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (the `openssl` command; no Python package)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "server.crt", folder / "server.key"
    subprocess.run(
        [
            openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


async def test_tls_with_basic_auth(
    certificate: tuple[Path, Path],
    charger_events: ChargerEventService,
    session: Session,
    organisation: Organisation,
) -> None:
    cert, key = certificate
    settings = Settings(ocpp_tls_cert=str(cert), ocpp_tls_key=str(key))
    server = OcppServer(
        charger_events,
        close_timeout=1,
        authenticator=charger_security.ChargerSecurityService(),
        ssl=charger_security.ocpp_ssl_context(settings),
    )
    cp_id = add_charge_point(session, organisation, "CP-TLS")
    charger_security.set_charge_point_password(cp_id, KEY)
    trusting = ssl.create_default_context(cafile=str(cert))
    await server.start()
    try:
        secure = f"wss://127.0.0.1:{server.port}/ocpp"
        credentials = build_authorization_basic("CP-TLS", KEY)
        async with connect_as(secure, "CP-TLS", credentials, trusting) as websocket:
            assert (await boot(websocket))["status"] == "Accepted"
        with pytest.raises(ssl.SSLCertVerificationError):  # clients verify the server
            async with connect_as(secure, "CP-TLS", credentials, ssl.create_default_context()):
                pass
    finally:
        await server.stop()


def test_an_unreadable_certificate_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.crt"
    settings = Settings(ocpp_tls_cert=str(missing), ocpp_tls_key=str(tmp_path / "nope.key"))

    with pytest.raises(charger_security.TlsConfigError, match="CCMS_OCPP_TLS_CERT"):
        charger_security.ocpp_ssl_context(settings)
