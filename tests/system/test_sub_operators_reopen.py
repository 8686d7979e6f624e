"""System > Sub-operators across a websocket reconnect (Reflex runs on_load again in the same
tab state): the same organisation's page loading again keeps the open dialog and what was
typed in it, the password included, and refreshes the list; another organisation's starts
with it closed. Events go through the real gate on a real migrated database."""

from __future__ import annotations

from dataclasses import replace

from sqlmodel import select

from ccms_app.accounts.models import OperatorAccount, Organisation
from ccms_app.core.db import session_scope
from ccms_app.core.rows import stored_id
from ccms_app.system.state.sub_operators import SubOperatorFormState, SubOperatorListState
from tests.finance.wallets.tabs import Tab, login

ROUTE = "/system/sub-operators"
PASSWORD = "Harbour-Parking-2026!"


async def _open(tab: Tab) -> None:
    """The page's on_load handlers, as Reflex runs them on a visit or a reconnect."""
    tab.at(ROUTE)
    await tab.send(SubOperatorFormState, "load_access")
    await tab.send(SubOperatorListState, "load")


def _organisation(name: str, parent_id: int | None = None) -> int:
    with session_scope() as s:
        row = Organisation(name=name, parent_id=parent_id)
        s.add(row)
        s.flush()
        return stored_id(row.id)


async def test_a_reconnect_keeps_the_open_dialog_and_its_fields(
    organisation: Organisation,
) -> None:
    org = stored_id(organisation.id)
    tab = login(org, "root@example.com")
    await _open(tab)
    await tab.send(SubOperatorFormState, "open_new")
    typed = {"name": "Harbour Parking", "admin_name": "Hana", "admin_email": "hana@harbour.test"}
    for name, value in typed.items():
        await tab.send(SubOperatorFormState, "set_value", name=name, value=value)
    await tab.send(SubOperatorFormState, "set_password", password=PASSWORD)
    _organisation("City Parking", parent_id=org)  # meanwhile, from another tab

    await _open(tab)  # the reconnect

    form: SubOperatorFormState = await tab.state(SubOperatorFormState)
    listed: SubOperatorListState = await tab.state(SubOperatorListState)
    assert form.mode == "create"
    assert {k: form.values[k] for k in typed} == typed
    assert [row["name"] for row in listed.rows] == ["City Parking"]
    await tab.send(SubOperatorFormState, "save")  # with the password typed before
    with session_scope() as s:
        admin = s.exec(
            select(OperatorAccount).where(OperatorAccount.email == "hana@harbour.test")
        ).one()
        assert admin.password_hash
    assert form.mode == ""

    await tab.send(SubOperatorFormState, "open_new")
    await tab.send(SubOperatorFormState, "set_value", name="name", value="Depot Two")
    other = replace(
        tab, session_hash=login(_organisation("Other CPO"), "o@example.com").session_hash
    )
    await _open(other)  # the same tab, another login's organisation
    assert form.mode == ""
    await other.send(SubOperatorFormState, "open_new")
    assert form.values["name"] == ""
