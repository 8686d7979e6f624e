"""Which charge point identities the handshake accepts (ocpp_server.identity)."""

from __future__ import annotations

import pytest

from ocpp_server.identity import MAX_LENGTH, identity_problem


@pytest.mark.parametrize(
    "identity",
    ["CP-001", "DE*ABC*E123", "a", "x" * MAX_LENGTH, "serial:42|port=1", "ops@site.example"],
)
def test_accepted(identity: str) -> None:
    assert identity_problem(identity) is None


@pytest.mark.parametrize(
    ("identity", "why"),
    [
        ("", "no charge point identity"),
        ("x" * (MAX_LENGTH + 1), "at most 48"),
        ("CP-001 ", "' '"),
        ("CP\x00001", "'\\x00'"),
        ("a/b", "'/'"),
        ("..", "path segment"),
        ("CP%01", "'%'"),
        ("ÇP-001", "'Ç'"),
    ],
)
def test_refused_with_the_reason(identity: str, why: str) -> None:
    problem = identity_problem(identity)
    assert problem is not None and why in problem
