"""Charger security: per charge point passwords (OCPP Security Profile 1), the network's policy
for unknown identities, the security event log, and the OCPP server's TLS context (Profile 2).

A charge point with a password must present it as HTTP Basic auth (username = its identity);
one without a password connects as before, so operators turn security on per charge point by
setting one. Only an Argon2id hash is stored. `ChargerSecurityService` implements
ocpp_server.ports.ChargerAuthenticator: it runs for every connection attempt, so it does one
indexed query, and remembers (in memory, keyed HMAC) the last password each charge point
proved, so a reconnect storm does not cost one Argon2 verification per charger.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
import ssl
import string
from collections.abc import Collection
from dataclasses import dataclass
from http import HTTPStatus
from typing import TypeVar

from argon2 import PasswordHasher
from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select

from ccms_app.accounts.auth import verify_password
from ccms_app.accounts.models import Organisation
from ccms_app.accounts.organisations import root_organisation
from ccms_app.core.coalesced_reads import CoalescedReads
from ccms_app.core.config import Settings
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.i18n import N_, tr
from ccms_app.network.models import ChargePoint
from ccms_app.network.security_events import (
    SecurityEventKind,
    ThrottledRecorder,
    record_security_event,
)
from ocpp_server.ports import ConnectionDecision

log = logging.getLogger(__name__)

T = TypeVar("T")

# OCPP 1.6 security whitepaper: the AuthorizationKey (Basic auth password) has 16-40 characters.
MIN_KEY_LENGTH = 16
MAX_KEY_LENGTH = 40
# Generated keys: 20 characters (~119 bits) also fit the whitepaper's 16-20 *bytes* rule that
# the OCPP compliance tool checks when the key is sent hex-encoded in ChangeConfiguration.
GENERATED_KEY_LENGTH = 20
_KEY_ALPHABET = string.ascii_letters + string.digits
_PRINTABLE = frozenset(chr(code) for code in range(0x21, 0x7F))  # ASCII, no space or control

UNKNOWN_PENDING = "pending"
UNKNOWN_REJECT = "reject"
UNKNOWN_POLICIES = (UNKNOWN_PENDING, UNKNOWN_REJECT)

# A second connection for a live identity without a password proving it.
DUPLICATE_REFUSE = "refuse"
DUPLICATE_REPLACE = "replace"
DUPLICATE_POLICIES = (DUPLICATE_REFUSE, DUPLICATE_REPLACE)

ALLOW = ConnectionDecision(allowed=True)


class ChargerSecurityError(ValueError):
    """Invalid security input (password, policy); the message says what is wrong."""


@dataclass(frozen=True)
class ChargePointSecurity:
    id: int
    identity: str
    organisation_id: int
    has_password: bool


# --- passwords ------------------------------------------------------------------------------


# Charger keys are long (16-40 characters; generated ones carry ~119 bits), so a light Argon2id
# profile is enough, and a reconnect storm of thousands of chargers costs ~5 ms each instead
# of the ~100+ ms an operator login hash takes. Hashes carry their parameters: any verifies.
_charger_key_hasher = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)


def hash_authorization_key(key: str) -> str:
    return _charger_key_hasher.hash(key)


def validate_authorization_key(password: str) -> None:
    """Raise ChargerSecurityError unless `password` is 16-40 printable ASCII characters."""
    if not MIN_KEY_LENGTH <= len(password) <= MAX_KEY_LENGTH:
        raise ChargerSecurityError(
            tr(
                "The password must have {min_key_length}-{max_key_length} "
                "characters (OCPP AuthorizationKey); it has {count}.",
                min_key_length=MIN_KEY_LENGTH,
                max_key_length=MAX_KEY_LENGTH,
                count=len(password),
            )
        )
    bad = sorted({ch for ch in password if ch not in _PRINTABLE})
    if bad:
        raise ChargerSecurityError(
            tr(
                "The password may only contain printable ASCII characters without spaces; "
                "it contains {characters}.",
                characters=", ".join(repr(ch) for ch in bad),
            )
        )


def generate_authorization_key() -> str:
    """A random key from letters and digits, safe to type into any charger's web page."""
    return "".join(secrets.choice(_KEY_ALPHABET) for _ in range(GENERATED_KEY_LENGTH))


def charge_point_security(charge_point_id: int) -> ChargePointSecurity | None:
    with read_session() as session:
        cp = session.get(ChargePoint, charge_point_id)
    if cp is None or cp.id is None:
        return None
    return ChargePointSecurity(cp.id, cp.identity, cp.organisation_id, bool(cp.auth_password_hash))


def find_charge_point_id(identity: str) -> int | None:
    with read_session() as session:
        return session.exec(select(ChargePoint.id).where(ChargePoint.identity == identity)).first()


def set_charge_point_password(charge_point_id: int, password: str | None = None) -> str:
    """Set or rotate the charge point's password; None generates one. Returns the password
    (the only time a generated one can be seen: CCMS keeps just its hash).

    Applies from the charge point's next connection; an open connection is left alone.
    """
    key = generate_authorization_key() if password is None else password
    validate_authorization_key(key)
    _store_hash(
        charge_point_id, hash_authorization_key(key)
    )  # hashed outside the write transaction
    log.info(
        "charge point password set",
        extra={"charge_point_id": charge_point_id, "generated": password is None},
    )
    return key


def clear_charge_point_password(charge_point_id: int) -> None:
    """Remove the password: the charge point connects without authentication again."""
    _store_hash(charge_point_id, "")
    log.info("charge point password cleared", extra={"charge_point_id": charge_point_id})


def _store_hash(charge_point_id: int, password_hash: str) -> None:
    with session_scope() as session:
        cp = session.get(ChargePoint, charge_point_id)
        if cp is None:
            raise LookupError(
                tr("charge point {charge_point_id} does not exist", charge_point_id=charge_point_id)
            )
        cp.auth_password_hash = password_hash
        session.add(cp)


# --- unknown identities ---------------------------------------------------------------------


@dataclass(frozen=True)
class NetworkSettings:
    operator_id: int | None  # the root organisation (None before it exists)
    unknown_charge_points: str
    charger_auth_required: bool = False
    duplicate_connections: str = DUPLICATE_REFUSE


def network_settings() -> NetworkSettings:
    """The root operator and its connection policies (read only: creates nothing)."""
    with read_session() as session:
        row = session.exec(
            select(
                Organisation.id,
                Organisation.unknown_charge_points,
                Organisation.charger_auth_required,
                Organisation.duplicate_connections,
            )
            .where(col(Organisation.parent_id).is_(None))
            .order_by(col(Organisation.id))
            .limit(1)
        ).first()
    if row is None:
        return NetworkSettings(None, UNKNOWN_PENDING)
    operator_id, unknown, required, duplicates = row
    return NetworkSettings(
        operator_id, unknown or UNKNOWN_PENDING, bool(required), duplicates or DUPLICATE_REFUSE
    )


def unknown_charge_point_policy() -> str:
    """The root operator's choice for unknown identities: "pending" (default) or "reject"."""
    return network_settings().unknown_charge_points


def _set_network_policy(name: str, value: T) -> T:
    """Store one of the root operator's connection policies (a column of Organisation)."""
    with session_scope() as session:
        org = root_organisation(session)
        setattr(org, name, value)
        session.add(org)
    log.info("network policy set", extra={"policy": name, "value": value})
    return value


def _one_of(value: str, allowed: tuple[str, ...], problem: str) -> str:
    """`value` if allowed; else ChargerSecurityError with `problem` (a message naming {value}
    and {choices}) in the reader's language."""
    if value not in allowed:
        raise ChargerSecurityError(tr(problem, value=repr(value), choices=", ".join(allowed)))
    return value


def set_unknown_charge_point_policy(policy: str) -> str:
    choice = _one_of(
        policy,
        UNKNOWN_POLICIES,
        N_("Unknown charge point policy {value}; choose one of {choices}."),
    )
    return _set_network_policy("unknown_charge_points", choice)


def set_charger_auth_required(required: bool) -> bool:
    """Whether every known charge point must present its password (one without a password
    set is refused until the operator sets one)."""
    return _set_network_policy("charger_auth_required", required)


def set_duplicate_connection_policy(policy: str) -> str:
    choice = _one_of(
        policy,
        DUPLICATE_POLICIES,
        N_("Duplicate connection policy {value}; choose one of {choices}."),
    )
    return _set_network_policy("duplicate_connections", choice)


# --- the connection check -------------------------------------------------------------------


@dataclass(frozen=True)
class ConnectionFacts:
    known: bool
    password_hash: str
    policy: str
    auth_required: bool = False
    duplicates: str = DUPLICATE_REFUSE
    lookalike: str = ""  # a known identity equal to this one but for letter case


# Built once: every connection attempt needs them (a reconnect storm of 10,000 chargers), and
# building a select costs more than SQLite takes to answer it.
_ROOT_POLICIES = (
    sa_select(
        col(Organisation.unknown_charge_points),
        col(Organisation.charger_auth_required),
        col(Organisation.duplicate_connections),
    )
    .where(col(Organisation.parent_id).is_(None))
    .order_by(col(Organisation.id))
    .limit(1)
)
_CHARGE_POINTS = sa_select(col(ChargePoint.identity), col(ChargePoint.auth_password_hash)).where(
    col(ChargePoint.identity).in_(bindparam("identities", expanding=True))
)
FACTS_CHUNK = 500  # identities per IN (...) read
# Served by ix_charge_point_identity_lower (revision 0014), not a scan of every charge point.
_LOOKALIKE = (
    sa_select(col(ChargePoint.identity))
    .where(func.lower(ChargePoint.identity) == bindparam("lowered"))
    .limit(1)
)


def connection_facts(identity: str) -> ConnectionFacts:
    """Everything the check needs of one identity: the root policies, the charge point."""
    return connection_facts_of([identity])[identity]


def connection_facts_of(identities: Collection[str]) -> dict[str, ConnectionFacts]:
    """The facts of many identities in a few indexed queries, on one session (the connections
    of one moment share them: `ChargerSecurityService`)."""
    wanted = list(dict.fromkeys(identities))
    with read_session() as session:
        root = session.execute(_ROOT_POLICIES).first()
        if root is None:  # no organisation yet, so no charge point either
            unknown = ConnectionFacts(known=False, password_hash="", policy=UNKNOWN_PENDING)
            return dict.fromkeys(wanted, unknown)
        password_hashes: dict[str, str] = {}  # known identity -> its hash ("": none set)
        for start in range(0, len(wanted), FACTS_CHUNK):
            chunk = wanted[start : start + FACTS_CHUNK]
            for identity, password_hash in session.execute(_CHARGE_POINTS, {"identities": chunk}):
                password_hashes[identity] = password_hash or ""
        lookalikes = {
            identity: _lookalike(session, identity)
            for identity in wanted
            if identity not in password_hashes
        }
    policy, required, duplicates = root
    return {
        identity: ConnectionFacts(
            identity in password_hashes,
            password_hashes.get(identity, ""),
            policy or UNKNOWN_PENDING,
            bool(required),
            duplicates or DUPLICATE_REFUSE,
            lookalikes.get(identity, ""),
        )
        for identity in wanted
    }


def _lookalike(session: Session, identity: str) -> str:
    """A known identity equal to `identity` but for letter case ("cp-001" for "CP-001"):
    asked only for identities that are not known as sent."""
    return session.execute(_LOOKALIKE, {"lowered": identity.lower()}).scalar() or ""


@dataclass(frozen=True)
class Refused:
    decision: ConnectionDecision
    kind: SecurityEventKind
    detail: str


def _refuse(status: HTTPStatus, reason: str, kind: SecurityEventKind, detail: str) -> Refused:
    return Refused(ConnectionDecision(False, int(status), reason), kind, detail)


def _duplicate(policy: str) -> Refused:
    """A second connection for a live identity that no password proves: refused (it may be an
    impostor taking a real charger's place), or, if the operator chose so, let through to
    replace the old socket; recorded either way."""
    if policy == DUPLICATE_REPLACE:
        return Refused(
            ALLOW,
            SecurityEventKind.DUPLICATE_REPLACED,
            "second connection replaced the live one (network policy: replace)",
        )
    return _refuse(
        HTTPStatus.CONFLICT,
        "charge point already connected",
        SecurityEventKind.DUPLICATE_REFUSED,
        "second connection while the first is alive, without a password to prove it",
    )


def credential_refusal(password: str | None, problem: str) -> Refused | None:
    """The refusal when a charge point with a password presents none usable, else None."""
    if password is not None:
        return None
    if problem:
        return _refuse(
            HTTPStatus.UNAUTHORIZED, "invalid credentials", SecurityEventKind.AUTH_INVALID, problem
        )
    return _refuse(
        HTTPStatus.UNAUTHORIZED,
        "credentials required",
        SecurityEventKind.AUTH_MISSING,
        "no Authorization header; this charge point has a password",
    )


class ChargerSecurityService:
    """ports.ChargerAuthenticator: who may open a websocket, decided before it opens."""

    def __init__(self) -> None:
        self._hmac_key = secrets.token_bytes(32)
        # identity -> (password hash, HMAC of the password that matched it): skips Argon2 on
        # reconnects; rotating the password changes the hash, so the entry no longer matches.
        self._proven: dict[str, tuple[str, bytes]] = {}
        self._throttled = ThrottledRecorder()
        # The connections of one moment read their facts together (a reconnect storm read
        # them one charger at a time: a sixth of the server's time booting 10,000).
        self._facts = CoalescedReads(connection_facts_of)

    async def check_connection(
        self,
        identity: str,
        password: str | None,
        remote_address: str,
        problem: str = "",
        connected: bool = False,
    ) -> ConnectionDecision:
        facts = await self._facts.get(identity)
        if password is not None and facts.password_hash:  # Argon2, unless proven before
            refused = await asyncio.to_thread(
                self._decide, identity, password, problem, connected, facts
            )
        else:  # nothing to verify: decided on the loop, no thread hop per connection
            refused = self._decide(identity, password, problem, connected, facts)
        if refused is None:
            return ALLOW
        await asyncio.to_thread(self._record, identity, remote_address, refused)
        return refused.decision

    def _decide(
        self,
        identity: str,
        password: str | None,
        problem: str,
        connected: bool,
        facts: ConnectionFacts,
    ) -> Refused | None:
        """What to answer and record; None: let it in, nothing to record."""
        refused = self._refusal(identity, password, problem, facts)
        if refused is None and connected and not facts.password_hash:
            refused = _duplicate(facts.duplicates)
        return refused

    @staticmethod
    def _record(identity: str, remote_address: str, refused: Refused) -> None:
        try:
            record_security_event(identity, remote_address, refused.kind, refused.detail)
        except Exception:
            log.exception(
                "security event not recorded",
                extra={"identity": identity, "kind": str(refused.kind)},
            )

    async def refused(self, identity: str, remote_address: str, reason: str) -> None:
        """An identity the server refused by itself: logged, at most once a minute per host."""
        await asyncio.to_thread(
            self._throttled.record,
            identity,
            remote_address,
            SecurityEventKind.INVALID_IDENTITY,
            reason,
        )

    def _refusal(
        self, identity: str, password: str | None, problem: str, facts: ConnectionFacts
    ) -> Refused | None:
        if not facts.known and facts.lookalike:
            return _refuse(
                HTTPStatus.NOT_FOUND,
                "unknown charge point identity",
                SecurityEventKind.LOOKALIKE_IDENTITY,
                f"identity differs only in letter case from charge point {facts.lookalike!r}",
            )
        if not facts.known:
            if facts.policy == UNKNOWN_REJECT:
                return _refuse(
                    HTTPStatus.NOT_FOUND,
                    "unknown charge point identity",
                    SecurityEventKind.UNKNOWN_REFUSED,
                    "identity not registered; the network refuses unknown charge points",
                )
            return None  # "pending": recorded as unregistered when it connects
        if not facts.password_hash:
            if facts.auth_required:
                return _refuse(
                    HTTPStatus.UNAUTHORIZED,
                    "credentials required",
                    SecurityEventKind.AUTH_REQUIRED,
                    "the network requires every charge point to authenticate; "
                    "this one has no password set",
                )
            return None  # no password set: security is off for this charge point
        refused = credential_refusal(password, problem)
        if refused is not None or password is None:
            return refused
        if self._matches(identity, facts.password_hash, password):
            return None  # proven: it may replace its own older socket
        return _refuse(
            HTTPStatus.UNAUTHORIZED,
            "invalid credentials",
            SecurityEventKind.AUTH_FAILED,
            "wrong password",
        )

    def _matches(self, identity: str, password_hash: str, password: str) -> bool:
        digest = hmac.new(
            self._hmac_key, password.encode(errors="surrogateescape"), "sha256"
        ).digest()
        remembered = self._proven.get(identity)
        if (
            remembered is not None
            and remembered[0] == password_hash
            and hmac.compare_digest(remembered[1], digest)
        ):
            return True
        if not verify_password(password_hash, password):
            return False
        self._proven[identity] = (password_hash, digest)
        return True


# --- TLS (Security Profile 2) ---------------------------------------------------------------


class TlsConfigError(ValueError):
    """The OCPP TLS certificate or key cannot be used."""


def ocpp_ssl_context(settings: Settings) -> ssl.SSLContext | None:
    """The OCPP server's TLS context from CCMS_OCPP_TLS_CERT / _KEY, or None (plain ws://).

    TLS 1.2 or newer, as the OCPP 1.6 security whitepaper requires.
    """
    if not settings.ocpp_tls:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(settings.ocpp_tls_cert, settings.ocpp_tls_key)
    except OSError as exc:  # ssl.SSLError is an OSError too
        raise TlsConfigError(
            f"cannot load the OCPP TLS certificate {settings.ocpp_tls_cert!r} with key "
            f"{settings.ocpp_tls_key!r} (CCMS_OCPP_TLS_CERT / CCMS_OCPP_TLS_KEY): "
            f"{exc.strerror or exc}"
        ) from exc
    return context
