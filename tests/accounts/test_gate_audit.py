"""What the gate writes to the audit log: the target a dialog holds, never a secret."""

from __future__ import annotations

from sqlmodel import select

from ccms_app.accounts.models import AuditEntry
from ccms_app.accounts.state.gate import _payload_summary
from ccms_app.core import db
from ccms_app.network.state.asset_actions import AssetActionState
from tests.accounts.test_gate_enumeration import (  # the same database and logins
    Logins,
    _send,
    gate_db,
    logins,
    module_engine,
    root_state,
)

__all__ = ["gate_db", "logins", "module_engine"]


async def test_a_confirmed_delete_names_its_target(gate_db: Logins) -> None:
    root = root_state(gate_db.administrator)
    dialog = await root.get_state(AssetActionState)
    dialog.kind, dialog.target_id, dialog.target_name = "delete-station", 42, "Harbour Depot"

    assert await _send(root, AssetActionState, "confirm") is None

    with db.read_session() as session:
        entry = session.exec(
            select(AuditEntry).where(AuditEntry.action == "asset_action.confirm")
        ).one()
    assert entry.object_id == "42" and entry.outcome == "ok"
    assert "kind=delete-station" in entry.detail and "Harbour Depot" in entry.detail
    assert entry.actor == "admin@example.com" and entry.remote_address == "192.0.2.9"


def test_secrets_in_payloads_and_forms_are_blanked() -> None:
    form = {"form": {"__reflex_form_data__": [["email", "a@b.c"], ["password", "hunter2-long"]]}}
    shown = _payload_summary(form) + _payload_summary({"new_password": "x", "pk": 3})
    assert "hunter2" not in shown and "'x'" not in shown
    assert "a@b.c" in shown and "<redacted>" in shown and "3" in shown
