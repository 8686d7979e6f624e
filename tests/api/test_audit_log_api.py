"""The audit log over the REST API, real HTTP, scoped as System -> Audit log: the root
operator's key sees its tree and the entries without an organisation, a sub-operator's key
only its own; filters, time range, cursor pages, streamed export, a revoked key, bad input."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
import pytest

from ccms_app.accounts import audit
from ccms_app.accounts.models import Organisation
from ccms_app.core.types import utc_now
from tests.api.rest import Keys, bearer, keys, rest, served, sub_operator

__all__ = ["keys", "rest", "served", "sub_operator"]

BLOCK = "id_tag_actions.block"
EXPORT = "station_list.export_csv"


@pytest.fixture
def entries(organisation: Organisation, sub_operator: Organisation) -> None:
    """The operator's block and refused export, the sub-operator's login, a stranger's
    failed login (no organisation)."""
    ops = audit.Actor(None, organisation.id, "ops@example.com", "10.0.0.1")
    audit.record(ops, BLOCK, object_type="id_tag", object_id="12")
    audit.record(ops, EXPORT, outcome="refused", detail="role lacks assets:export")
    audit.record(audit.Actor(None, sub_operator.id, "sub@example.com", "10.0.0.2"), "login")
    stranger = audit.Actor(None, None, "stranger@example.com", "203.0.113.9")
    audit.record(stranger, "login_failed", outcome="failed")


async def actions(rest: httpx.AsyncClient, key: dict[str, str], **params: str | int) -> list[str]:
    """The actions listed, but for the keys' own creation (audited too)."""
    reply = await rest.get("/audit-log", params=params, headers=key)
    assert reply.status_code == 200, reply.text
    listed = [entry["action"] for entry in reply.json()["items"]]
    return [action for action in listed if action != "api_key.create"]


async def test_the_root_operator_sees_its_tree_and_the_unowned_entries(
    rest: httpx.AsyncClient, keys: Keys, entries: None
) -> None:
    key = bearer(keys.make("Operator"))
    assert await actions(rest, key, order="desc") == ["login_failed", "login", EXPORT, BLOCK]
    listed = (await rest.get("/audit-log", params={"order": "desc"}, headers=key)).json()
    block = listed["items"][-1]
    assert (block["kind"], block["action_label"], block["object"]) == (
        "block",
        "Blocked an RFID card",
        "RFID card 12",
    )
    assert (block["actor"], block["organisation"], block["outcome"]) == (
        "ops@example.com",
        "Test Operator",
        "ok",
    )
    (stranger,) = [e for e in listed["items"] if e["action"] == "login_failed"]
    assert stranger["organisation"] is None

    assert await actions(rest, key, kind="block") == [BLOCK]
    assert await actions(rest, key, kind="login", outcome="failed") == ["login_failed"]
    assert await actions(rest, key, q="stranger") == ["login_failed"]
    assert await actions(rest, key, q="blocked") == [BLOCK]  # the label is searched too
    soon = (utc_now() + timedelta(minutes=1)).astimezone().isoformat()
    assert await actions(rest, key, occurred_at_from=soon) == []
    assert len(await actions(rest, key, occurred_at_to=soon)) == 4

    walked, cursor = [], None
    while True:
        params = {"order": "desc", "page_size": 3, **({"cursor": cursor} if cursor else {})}
        page = (await rest.get("/audit-log", params=params, headers=key)).json()
        walked += [e["id"] for e in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert walked == [e["id"] for e in listed["items"]]


async def test_a_sub_operator_sees_only_its_own(
    rest: httpx.AsyncClient, keys: Keys, entries: None, sub_operator: Organisation
) -> None:
    sub = bearer(keys.make(organisation_id=sub_operator.id))
    assert await actions(rest, sub) == ["login"]
    assert await actions(rest, sub, kind="block") == []
    export = await rest.get("/audit-log/export?format=jsonl", headers=sub)
    exported = [json.loads(line) for line in export.text.splitlines()]
    assert {e["organisation"] for e in exported} == {"Sub Operator"}
    assert "login_failed" not in {e["action"] for e in exported}


async def test_export_streams_what_the_list_shows(
    rest: httpx.AsyncClient, keys: Keys, entries: None
) -> None:
    key = bearer(keys.make())
    export = await rest.get("/audit-log/export", params={"outcome": "refused"}, headers=key)
    assert export.headers["content-type"].startswith("text/csv")
    lines = export.text.strip().splitlines()
    assert lines[0].startswith("id,occurred_at,actor,action,action_label,kind")
    assert len(lines) == 2 and EXPORT in lines[1]
    assert (
        await rest.get("/audit-log/export", headers=bearer(keys.make("Operator")))
    ).status_code == 403
    # The export itself is audited, under the key's name.
    assert await actions(rest, key, q="API key test Administrator")


async def test_a_revoked_key_is_401(rest: httpx.AsyncClient, keys: Keys) -> None:
    revoked = bearer(keys.revoked())
    for path in ("/audit-log", "/audit-log/export"):
        assert (await rest.get(path, headers=revoked)).status_code == 401


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("kind=everything", "kind"),
        ("outcome=maybe", "outcome"),
        ("occurred_at_from=2026-01-31T08:00:00", "occurred_at_from"),
        ("occurred_at_to=2026-13-01T00:00:00Z", "occurred_at_to"),
        ("sort=detail", "sort"),
        ("cursor=" + "x" * 1001, "cursor"),
    ],
)
async def test_bad_input_is_422_naming_the_field(
    rest: httpx.AsyncClient, keys: Keys, query: str, field: str
) -> None:
    reply = await rest.get(f"/audit-log?{query}", headers=bearer(keys.make()))
    assert reply.status_code == 422, reply.text
    assert [e["field"] for e in reply.json()["errors"]] == [field]
