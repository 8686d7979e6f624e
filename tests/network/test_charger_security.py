"""Charge point passwords, the unknown-identity policy and security events, on a real DB."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from ccms_app.accounts.auth import verify_password
from ccms_app.accounts.models import Organisation
from ccms_app.core.config import Settings
from ccms_app.network import charger_security as security
from ccms_app.network import security_events
from ccms_app.network.models import ChargePoint


@pytest.fixture
def cp_id(session: Session, organisation: Organisation) -> int:
    cp = ChargePoint(identity="CP-1", organisation_id=organisation.id)
    session.add(cp)
    session.commit()
    assert cp.id is not None
    return cp.id


def stored_hash(session: Session, cp_id: int) -> str:
    session.rollback()
    return session.exec(select(ChargePoint).where(ChargePoint.id == cp_id)).one().auth_password_hash


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-pass", "16-40 characters (OCPP AuthorizationKey); it has 10"),
        ("x" * 41, "16-40 characters (OCPP AuthorizationKey); it has 41"),
        ("has a space in it!!", "printable ASCII characters without spaces; it contains ' '"),
        ("pässwörd-with-umlauts", "it contains 'ä', 'ö'"),
        ("tab\tseparated-password", "it contains '\\t'"),
    ],
)
def test_invalid_passwords_are_refused_with_the_reason(
    session: Session, cp_id: int, password: str, message: str
) -> None:
    with pytest.raises(security.ChargerSecurityError) as refused:
        security.set_charge_point_password(cp_id, password)

    assert message in str(refused.value)
    assert stored_hash(session, cp_id) == ""


def test_the_boundaries_are_accepted() -> None:
    security.validate_authorization_key("a" * 16)
    security.validate_authorization_key("~!@#$%^&*()_+{}|:<>?" + "Z" * 20)


def test_a_set_password_is_stored_only_as_an_argon2_hash(
    session: Session, organisation: Organisation, cp_id: int
) -> None:
    returned = security.set_charge_point_password(cp_id, "my-own-password-16")

    assert returned == "my-own-password-16"
    stored = stored_hash(session, cp_id)
    assert stored.startswith("$argon2id$") and "my-own-password-16" not in stored
    assert verify_password(stored, "my-own-password-16")
    assert security.charge_point_security(cp_id) == security.ChargePointSecurity(
        cp_id, "CP-1", organisation.id, has_password=True
    )


def test_generate_then_rotate_then_clear(session: Session, cp_id: int) -> None:
    first = security.set_charge_point_password(cp_id)
    first_hash = stored_hash(session, cp_id)
    second = security.set_charge_point_password(cp_id)
    second_hash = stored_hash(session, cp_id)

    assert len(first) == security.GENERATED_KEY_LENGTH and first.isalnum()
    assert first != second
    assert verify_password(first_hash, first) and not verify_password(second_hash, first)
    assert verify_password(second_hash, second)

    security.clear_charge_point_password(cp_id)

    assert stored_hash(session, cp_id) == ""
    assert security.charge_point_security(cp_id).has_password is False


def test_an_unknown_charge_point_is_a_lookup_error(engine: Engine) -> None:
    with pytest.raises(LookupError, match="charge point 999 does not exist"):
        security.set_charge_point_password(999, "a-good-password-123")
    assert security.charge_point_security(999) is None
    assert security.find_charge_point_id("CP-NOPE") is None


def test_find_charge_point_id(cp_id: int) -> None:
    assert security.find_charge_point_id("CP-1") == cp_id


def test_the_policy_defaults_to_pending_and_can_be_set(
    session: Session, organisation: Organisation
) -> None:
    assert security.unknown_charge_point_policy() == "pending"

    assert security.set_unknown_charge_point_policy("reject") == "reject"

    assert security.unknown_charge_point_policy() == "reject"
    session.rollback()
    assert session.get(Organisation, organisation.id).unknown_charge_points == "reject"
    security.set_unknown_charge_point_policy("pending")
    assert security.unknown_charge_point_policy() == "pending"


def test_an_invalid_policy_is_refused(organisation: Organisation) -> None:
    with pytest.raises(security.ChargerSecurityError, match="choose one of pending, reject"):
        security.set_unknown_charge_point_policy("allow-all")
    assert security.unknown_charge_point_policy() == "pending"


def test_setting_the_policy_on_an_empty_database_creates_the_root_operator(
    session: Session,
) -> None:
    security.set_unknown_charge_point_policy("reject")

    [org] = session.exec(select(Organisation)).all()
    assert (org.parent_id, org.unknown_charge_points) == (None, "reject")


def test_the_connection_facts_read_the_charge_point_and_the_root_policy(
    cp_id: int, organisation: Organisation
) -> None:
    security.set_unknown_charge_point_policy("reject")
    security.set_charge_point_password(cp_id, "a-good-password-123")

    known = security.connection_facts("CP-1")
    unknown = security.connection_facts("CP-2")

    assert (known.known, known.policy, known.password_hash.startswith("$argon2")) == (
        True,
        "reject",
        True,
    )
    assert unknown == security.ConnectionFacts(known=False, password_hash="", policy="reject")


def test_security_events_newest_first_and_cut_to_size(engine: Engine) -> None:
    security_events.record_security_event("CP-1", "10.0.0.1:5000", "auth_failed", "wrong password")
    security_events.record_security_event("X" * 300, "10.0.0.2:6000", "auth_invalid", "d" * 900)

    newest, oldest = security_events.recent_security_events()

    assert (newest.identity, len(newest.detail), newest.kind) == ("X" * 64, 500, "auth_invalid")
    assert (oldest.identity, oldest.remote_address) == ("CP-1", "10.0.0.1:5000")
    assert security_events.recent_security_events(limit=1) == [newest]


def test_tls_needs_both_files(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CCMS_OCPP_TLS_CERT", "/etc/ccms/ocpp.crt")
    monkeypatch.delenv("CCMS_OCPP_TLS_KEY", raising=False)

    with pytest.raises(ValueError, match="CCMS_OCPP_TLS_KEY is not set"):
        Settings.from_env()

    monkeypatch.setenv("CCMS_OCPP_TLS_KEY", "/etc/ccms/ocpp.key")
    settings = Settings.from_env()
    assert settings.ocpp_tls and settings.ocpp_tls_key == "/etc/ccms/ocpp.key"


def test_no_tls_settings_means_plain_websockets() -> None:
    assert security.ocpp_ssl_context(Settings()) is None


def test_charger_keys_use_the_light_argon2_profile(engine, session, organisation) -> None:
    """Reconnect storms must stay cheap: charger keys get time_cost=1, 8 MiB (not login cost)."""
    cp = ChargePoint(identity="CP-HASH", organisation_id=organisation.id)
    session.add(cp)
    session.commit()
    security.set_charge_point_password(cp.id, "k" * 20)
    session.rollback()
    session.refresh(cp)
    assert cp.auth_password_hash.startswith("$argon2id$v=19$m=8192,t=1,p=1$")


def _events() -> list[tuple[str, str]]:
    return [(e.kind, e.identity) for e in security_events.recent_security_events()]


async def test_a_second_connection_without_a_password_is_refused_or_replaces(
    cp_id: int, organisation: Organisation
) -> None:
    service = security.ChargerSecurityService()
    first = await service.check_connection("CP-1", None, "10.0.0.1:1", connected=False)
    assert first.allowed and _events() == []
    impostor = await service.check_connection("CP-1", None, "10.6.6.6:2", connected=True)
    assert (impostor.allowed, impostor.http_status) == (False, 409)
    assert _events() == [("duplicate_refused", "CP-1")]

    assert security.set_duplicate_connection_policy("replace") == "replace"
    replacing = await service.check_connection("CP-1", None, "10.0.0.1:3", connected=True)
    assert replacing.allowed
    assert _events()[0] == ("duplicate_replaced", "CP-1")  # still on the record

    security.set_charge_point_password(cp_id, "a-good-password-123")
    security.set_duplicate_connection_policy("refuse")
    proven = await service.check_connection(
        "CP-1", "a-good-password-123", "10.0.0.1:4", connected=True
    )
    assert proven.allowed  # a password proves it is the charger itself, reconnecting
    with pytest.raises(security.ChargerSecurityError):
        security.set_duplicate_connection_policy("sometimes")


async def test_the_network_can_require_every_charge_point_to_authenticate(
    cp_id: int, organisation: Organisation
) -> None:
    service = security.ChargerSecurityService()
    assert security.network_settings().charger_auth_required is False
    assert security.set_charger_auth_required(True) is True
    refused = await service.check_connection("CP-1", None, "10.0.0.1:1")
    assert (refused.allowed, refused.http_status) == (False, 401)
    assert _events() == [("auth_required", "CP-1")]
    security.set_charge_point_password(cp_id, "a-good-password-123")
    assert (await service.check_connection("CP-1", "a-good-password-123", "10.0.0.1:2")).allowed
    # Unknown identities follow the unknown-identity policy (pending: they may show up).
    assert (await service.check_connection("CP-NEW", None, "10.0.0.9:1")).allowed


async def test_an_identity_differing_only_by_case_is_refused(
    cp_id: int, organisation: Organisation
) -> None:
    service = security.ChargerSecurityService()
    refused = await service.check_connection("cp-1", None, "10.6.6.6:1")
    assert (refused.allowed, refused.http_status) == (False, 404)
    (event,) = security_events.recent_security_events()
    assert event.kind == "lookalike_identity" and "'CP-1'" in event.detail


async def test_a_reconnect_storm_reads_its_facts_together_and_each_gets_its_own_answer(
    cp_id: int, organisation: Organisation, session: Session
) -> None:
    """Chargers connecting at the same moment share the facts read; each is still judged on
    its own facts (a passworded one, an unknown one, a look-alike, plain ones)."""
    for number in range(2, 40):
        session.add(ChargePoint(identity=f"CP-{number}", organisation_id=organisation.id))
    session.commit()
    security.set_charge_point_password(cp_id, "a-good-password-123")
    service = security.ChargerSecurityService()
    checks = [
        service.check_connection("CP-1", None, "10.0.0.1:1"),  # has a password: none given
        service.check_connection("CP-1", "a-good-password-123", "10.0.0.1:2"),
        service.check_connection("cp-2", None, "10.6.6.6:1"),  # look-alike of CP-2
        service.check_connection("CP-NEW", None, "10.0.0.9:1"),  # unknown: pending
        *(service.check_connection(f"CP-{n}", None, f"10.0.1.{n}:1") for n in range(2, 40)),
    ]
    decisions = await asyncio.gather(*checks)
    assert [(d.allowed, d.http_status if not d.allowed else None) for d in decisions[:4]] == [
        (False, 401),
        (True, None),
        (False, 404),
        (True, None),
    ]
    assert all(d.allowed for d in decisions[4:])
    assert service._facts.reads == 1  # 42 connections, one read
    assert sorted(kind for kind, _ in _events()) == ["auth_missing", "lookalike_identity"]


def test_refusals_by_the_server_are_logged_at_most_once_a_minute_per_host(
    engine: Engine,
) -> None:
    now = [1000.0]
    recorder = security_events.ThrottledRecorder(window=60, clock=lambda: now[0])
    assert recorder.record("bad id", "10.6.6.6:1", "invalid_identity", "spaces")
    for port in range(2, 12):
        assert not recorder.record("bad id", f"10.6.6.6:{port}", "invalid_identity", "spaces")
    assert recorder.record("other", "10.7.7.7:1", "invalid_identity", "spaces")  # another host
    now[0] += 61
    assert recorder.record("bad id", "10.6.6.6:99", "invalid_identity", "spaces")
    newest = security_events.recent_security_events()[0]
    assert newest.detail == "spaces (+10 similar attempts from this address not logged)"
    assert len(security_events.recent_security_events()) == 3
