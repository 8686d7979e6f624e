"""Finance -> Tariffs: the pages' states on a real migrated database, each event sent through
the real gate first (a tab whose cookie holds a live login session), as Reflex sends it.

The editor saves rows as an OCPI definition and versions; the preview prices the unsaved
rows with the engine; assignments and "which tariff applies" resolve as sessions will.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from reflex.event import Event
from reflex.istate.data import RouterData
from reflex.state import BaseState, State, StateUpdate
from sqlmodel import Session, col, select

from ccms_app.accounts import auth
from ccms_app.accounts.models import LoginSession, OperatorAccount, Organisation, Role
from ccms_app.accounts.rules.permissions import ADMINISTRATOR
from ccms_app.accounts.state.gate import GateMiddleware
from ccms_app.accounts.web_session import SESSION_REF_COOKIE
from ccms_app.core.db import session_scope
from ccms_app.core.types import utc_now
from ccms_app.finance import tariff_assignments, tariffs
from ccms_app.finance.models import AssignmentTarget, Tariff, TariffVersion
from ccms_app.finance.state.tariff_assign import TariffAssignState
from ccms_app.finance.state.tariff_common import local_input
from ccms_app.finance.state.tariff_editor import TariffEditorState
from ccms_app.finance.state.tariff_preview import TariffPreviewState
from ccms_app.finance.state.tariffs import NOT_BILLED, TariffExplainState, TariffListState
from ccms_app.network.models import ChargePoint, Connector


@dataclass
class Tab:
    """A browser tab of one login: its root state, as Reflex holds it."""

    root: State
    session_hash: str

    def at(self, path: str) -> Tab:
        """The tab showing `path` (what on_load handlers read from the router)."""
        router_data = {
            "headers": {
                "cookie": f"{SESSION_REF_COOKIE}={self.session_hash}",
                "asgi-scope-client": "192.0.2.7",
            },
            "pathname": path,
            "asPath": path,
            "token": f"tab-{self.session_hash[:8]}",
            "sid": "sid-1",
        }
        self.root.router_data = router_data
        self.root.router = RouterData.from_router_data(router_data)
        return self

    async def send(self, cls: type[BaseState], handler: str, **payload: Any) -> Any:
        event = Event(name=f"{cls.get_full_name()}.{handler}", payload=payload)
        refused = await GateMiddleware().preprocess(app=None, state=self.root, event=event)
        if refused is not None:
            return refused
        state = await self.root.get_state(cls)
        result = getattr(state, handler)(**payload)
        return await result if hasattr(result, "__await__") else result

    async def state(self, cls: type[BaseState]) -> Any:
        return await self.root.get_state(cls)


def _login(organisation_id: int, email: str, role_id: int) -> str:
    with session_scope() as s:
        account = OperatorAccount(
            organisation_id=organisation_id, email=email, password_hash="-", role_id=role_id
        )
        s.add(account)
        s.flush()
        session_hash = auth.token_hash(secrets.token_urlsafe(32))
        s.add(
            LoginSession(
                account_id=account.id,
                token_hash=session_hash,
                expires_at=utc_now() + timedelta(days=1),
            )
        )
    return session_hash


def _role(organisation_id: int, permissions: set[str]) -> int:
    with session_scope() as s:
        role = Role(
            name="Finance reader",
            organisation_id=organisation_id,
            permissions=",".join(sorted(permissions)),
        )
        s.add(role)
        s.flush()
        return int(role.id or 0)


def _tab(session_hash: str) -> Tab:
    root = State(_reflex_internal_init=True)
    return Tab(root, session_hash).at("/finance/tariffs")


@pytest.fixture
def admin(organisation: Organisation) -> Tab:
    org = int(organisation.id or 0)
    with session_scope() as s:
        role_id = auth.built_in_role_id(s, ADMINISTRATOR)
    return _tab(_login(org, "admin@example.com", role_id))


@pytest.fixture
def charge_point(organisation: Organisation) -> int:
    with session_scope() as s:
        cp = ChargePoint(organisation_id=organisation.id, identity="CP-TARIFF-1")
        s.add(cp)
        s.flush()
        s.add(Connector(organisation_id=organisation.id, charge_point_id=cp.id, connector_id=1))
        return int(cp.id or 0)


async def _new_tariff(tab: Tab, name: str, rows: list[dict[str, str]]) -> Any:
    """Fill the new-tariff editor with `rows` (field by field, as the page sends) and save."""
    await tab.at("/finance/tariffs/new").send(TariffEditorState, "load")
    await tab.send(TariffEditorState, "set_name", value=name)
    for index, row in enumerate(rows):
        if index > 0:
            await tab.send(TariffEditorState, "add_row", fee=row["fee"])
        for field, value in row.items():
            await tab.send(TariffEditorState, "set_row", index=index, name=field, value=value)
    return await tab.send(TariffEditorState, "save")


PEAK_ROWS = [
    {"fee": "energy", "price": "0.50", "start_time": "18:00", "end_time": "22:00"},
    {"fee": "energy", "price": "0.30"},
    {"fee": "start", "price": "1.00"},
    {"fee": "idle", "price": "0.10"},
]


async def test_a_new_tariff_is_saved_as_ocpi_json_and_opens_its_page(
    admin: Tab, session: Session
) -> None:
    answer = await _new_tariff(admin, "Peak and idle", PEAK_ROWS)

    tariff = session.exec(select(Tariff)).one()
    version = session.exec(select(TariffVersion)).one()
    definition = json.loads(version.definition, parse_float=Decimal)
    assert tariff.name == "Peak and idle" and version.number == 1
    assert version.created_by == "admin@example.com"
    assert [e.get("fee") for e in definition["elements"]] == ["energy", "energy,start,idle"]
    assert definition["elements"][1]["price_components"][2]["price"] == Decimal("6.00")
    assert f"/finance/tariffs/{tariff.id}" in str(answer)


async def test_wrong_fields_are_named_per_row_and_nothing_is_saved(
    admin: Tab, session: Session
) -> None:
    await _new_tariff(
        admin, "", [{"fee": "energy", "price": "abc"}, {"fee": "time", "price": "0.1234567"}]
    )

    editor = await admin.state(TariffEditorState)
    assert set(editor.errors) == {"rows[0].price"}  # the rows' own check comes first
    assert "need" in editor.message
    await admin.send(TariffEditorState, "set_row", index=0, name="price", value="0.30")
    # Until the next save: above Save, they must not move it under the click that saves.
    assert set(editor.errors) == {"rows[0].price"} and "need" in editor.message
    await admin.send(TariffEditorState, "save")
    assert set(editor.errors) == {"rows[1].price"}  # then the OCPI parser's, mapped to rows
    await admin.send(TariffEditorState, "set_row", index=1, name="price", value="0.05")
    await admin.send(TariffEditorState, "save")
    assert editor.errors == {"name": "A tariff needs a name"}  # then the use case's
    assert session.exec(select(Tariff)).all() == []


async def test_editing_adds_a_version_from_now_or_later_and_never_the_past(
    admin: Tab, session: Session
) -> None:
    await _new_tariff(admin, "Standard", [{"fee": "energy", "price": "0.30"}])
    tariff_id = session.exec(select(Tariff.id)).one()
    editor_tab = admin.at(f"/finance/tariffs/{tariff_id}")
    await editor_tab.send(TariffEditorState, "load")
    editor = await admin.state(TariffEditorState)
    assert editor.rows[0]["price"] == "0.30" and editor.editable

    await admin.send(TariffEditorState, "set_row", index=0, name="price", value="0.35")
    await admin.send(TariffEditorState, "set_valid_mode", value="later")
    await admin.send(TariffEditorState, "set_time_zone", value="Europe/Berlin")
    past = local_input(utc_now() - timedelta(hours=2), "Europe/Berlin")
    await admin.send(TariffEditorState, "set_valid_from", value=past)
    await admin.send(TariffEditorState, "save")
    assert "valid_from" in editor.errors

    later = utc_now() + timedelta(days=3)
    await admin.send(TariffEditorState, "set_valid_from", value=local_input(later, "Europe/Berlin"))
    await admin.send(TariffEditorState, "save")

    session.rollback()
    versions = session.exec(select(TariffVersion).order_by(col(TariffVersion.number))).all()
    assert [v.number for v in versions] == [1, 2]
    assert abs(versions[1].valid_from - later.replace(second=0, microsecond=0)) < timedelta(
        minutes=1
    )
    assert [row.number for row in editor.versions] == ["v2", "v1"]


async def test_a_save_that_changes_no_price_renames_without_a_version(
    admin: Tab, session: Session
) -> None:
    await _new_tariff(admin, "Old name", PEAK_ROWS)
    tariff_id = session.exec(select(Tariff.id)).one()
    await admin.at(f"/finance/tariffs/{tariff_id}").send(TariffEditorState, "load")

    await admin.send(TariffEditorState, "set_name", value="New name")
    await admin.send(TariffEditorState, "save")

    session.rollback()
    assert session.exec(select(Tariff.name)).one() == "New name"
    assert len(session.exec(select(TariffVersion)).all()) == 1


async def test_the_preview_prices_the_unsaved_rows_with_the_engine(admin: Tab) -> None:
    await admin.at("/finance/tariffs/new").send(TariffEditorState, "load")
    for index, row in enumerate(PEAK_ROWS):
        if index:
            await admin.send(TariffEditorState, "add_row", fee=row["fee"])
        for field, value in row.items():
            await admin.send(TariffEditorState, "set_row", index=index, name=field, value=value)
    await admin.send(TariffEditorState, "set_field", name="idle_grace_minutes", value="10")
    await admin.send(TariffPreviewState, "open_preview")
    for name, value in {
        "start": "2026-03-02T17:00",
        "time_zone": "Europe/Berlin",
        "duration_minutes": "120",
        "energy_kwh": "",
        "power_kw": "11",
        "idle_minutes": "30",
    }.items():
        await admin.send(TariffPreviewState, "set_value", name=name, value=value)

    await admin.send(TariffPreviewState, "calculate")

    preview = await admin.state(TariffPreviewState)
    assert preview.priced, (preview.message, preview.errors)
    assert preview.total_excl == "€11.80"  # 3.30 + 5.50 + 1.00 start + 2.00 idle after grace
    assert preview.total_incl == "€11.80" and preview.total_vat == "€0.00"
    periods = [(line.dimension, line.period, line.unit_price) for line in preview.lines]
    assert ("Energy", "17:00 - 18:00", "0.3 EUR per kWh") in periods
    assert ("Energy", "18:00 - 19:00", "0.5 EUR per kWh") in periods
    assert {line.fee for line in preview.lines} >= {"Energy fee", "Session / start fee"}


async def test_the_preview_says_when_the_rows_must_be_corrected_first(admin: Tab) -> None:
    await admin.at("/finance/tariffs/new").send(TariffEditorState, "load")
    await admin.send(TariffEditorState, "set_row", index=0, name="price", value="")
    await admin.send(TariffPreviewState, "open_preview")

    await admin.send(TariffPreviewState, "calculate")

    preview = await admin.state(TariffPreviewState)
    editor = await admin.state(TariffEditorState)
    assert not preview.priced and "Correct the tariff" in preview.message
    assert "rows[0].price" in editor.errors


async def test_a_preview_field_error_stays_until_the_next_calculation(admin: Tab) -> None:
    """Typing the field again does not clear its error nor the message: they sit above
    Calculate, which must not move while the click that follows the typing is pressed."""
    await admin.at("/finance/tariffs/new").send(TariffEditorState, "load")
    await admin.send(TariffEditorState, "set_row", index=0, name="price", value="0.30")
    await admin.send(TariffPreviewState, "open_preview")
    await admin.send(TariffPreviewState, "set_value", name="duration_minutes", value="abc")
    await admin.send(TariffPreviewState, "calculate")
    preview = await admin.state(TariffPreviewState)
    refused = (dict(preview.errors), preview.message)
    assert "duration_minutes" in refused[0] and refused[1] != "" and not preview.priced

    await admin.send(TariffPreviewState, "set_value", name="duration_minutes", value="60")
    assert (preview.errors, preview.message) == refused

    await admin.send(TariffPreviewState, "calculate")
    assert preview.priced and (preview.errors, preview.message) == ({}, "")


async def test_assign_explain_and_list(
    admin: Tab, session: Session, charge_point: int, organisation: Organisation
) -> None:
    await admin.at("/finance/tariffs").send(TariffExplainState, "open_tool")
    await admin.send(TariffExplainState, "search_charge_points", text="tariff")
    explain = await admin.state(TariffExplainState)
    assert explain.cp_options == [[str(charge_point), "CP-TARIFF-1"]]
    await admin.send(TariffExplainState, "choose_charge_point", value=str(charge_point))
    assert explain.connector_options == ["1"] and explain.connector_id == "1"
    await admin.send(TariffExplainState, "explain")
    assert explain.answered and not explain.applies and explain.answer_reason == NOT_BILLED

    await _new_tariff(admin, "Network price", [{"fee": "energy", "price": "0.30"}])
    tariff_id = session.exec(select(Tariff.id)).one()
    await admin.at(f"/finance/tariffs/{tariff_id}").send(TariffAssignState, "load")
    await admin.send(TariffAssignState, "set_target_kind", value="network")
    assign = await admin.state(TariffAssignState)
    assert assign.target_id == str(organisation.id)  # the first choice, preselected
    await admin.send(TariffAssignState, "add")
    assert [(r.target, r.label) for r in assign.rows] == [
        ("Network default", "Network default of Test Operator")
    ]

    soon = local_input(utc_now() + timedelta(minutes=1), "UTC")  # the tariff's prices start now
    await admin.send(TariffExplainState, "set_at", value=soon)
    await admin.send(TariffExplainState, "explain")
    assert explain.applies and explain.answer_tariff == "Network price"
    assert explain.answer_version.startswith("version 1")
    assert "network default" in explain.answer_reason

    await admin.at("/finance/tariffs").send(TariffListState, "load")
    listed = await admin.state(TariffListState)
    (row,) = listed.rows
    assert (row.name, row.version, row.assigned) == (
        "Network price",
        "v1",
        "Network default of Test Operator",
    )

    await admin.send(TariffAssignState, "remove", assignment_id=assign.rows[0].id)
    assert assign.rows == []


async def test_a_role_without_finance_edit_sees_but_cannot_save_or_assign(
    organisation: Organisation, session: Session
) -> None:
    org = int(organisation.id or 0)
    reader = _tab(_login(org, "reader@example.com", _role(org, {"finance:view"})))

    await reader.at("/finance/tariffs/new").send(TariffEditorState, "load")
    refused_save = await reader.send(TariffEditorState, "save")
    refused_assign = await reader.send(TariffAssignState, "add")

    for update in (refused_save, refused_assign):
        assert isinstance(update, StateUpdate)
        assert "does not allow edit on Finance" in str(update.events)
    assert session.exec(select(Tariff)).all() == []
    assert (await reader.state(TariffEditorState)).loaded


# --- a reconnect (Reflex runs the page's on_load again in the same tab state) --------------


async def _open_editor(tab: Tab, path: str) -> None:
    """The editor page's on_load handlers, as a navigation, a reload or a reconnect runs
    them (pages/tariffs.py _EDITOR_LOAD after the login check)."""
    tab.at(path)
    await tab.send(TariffEditorState, "load")
    await tab.send(TariffPreviewState, "open_preview")
    await tab.send(TariffAssignState, "load")


def _repriced(tariff_id: int, organisation_id: int, price: str, name: str | None = None) -> None:
    """Another operator stores a new version (and a new name) meanwhile."""
    scope = frozenset({organisation_id})
    definition = json.loads(
        json.dumps(tariffs.get_tariff(scope, tariff_id).definition, default=str),
        parse_float=Decimal,
    )
    definition["elements"][0]["price_components"][0]["price"] = Decimal(price)
    tariffs.update_tariff(
        scope, tariff_id, name=name, definition=definition, actor="colleague@example.com"
    )


async def _standard_in_the_editor(
    admin: Tab, session: Session
) -> tuple[int, str, TariffEditorState]:
    """A saved tariff "Standard" at 0.30/kWh, open in the editor: its id, path and editor."""
    await _new_tariff(admin, "Standard", [{"fee": "energy", "price": "0.30"}])
    tariff_id = int(session.exec(select(Tariff.id)).one() or 0)
    path = f"/finance/tariffs/{tariff_id}"
    await _open_editor(admin, path)
    return tariff_id, path, await admin.state(TariffEditorState)


async def test_the_same_tariff_loading_again_keeps_the_draft_and_shows_new_versions(
    admin: Tab, session: Session, organisation: Organisation
) -> None:
    tariff_id, path, editor = await _standard_in_the_editor(admin, session)
    later = local_input(utc_now() + timedelta(days=3), editor.time_zone)
    await admin.send(TariffEditorState, "set_name", value="Standard (draft)")
    await admin.send(TariffEditorState, "set_row", index=0, name="price", value="0.35")
    await admin.send(TariffEditorState, "toggle_open", index=0)
    await admin.send(TariffEditorState, "set_valid_mode", value="later")
    await admin.send(TariffEditorState, "set_valid_from", value=later)
    await admin.send(TariffEditorState, "set_confirm_archive", value=True)
    _repriced(tariff_id, int(organisation.id or 0), "0.40")

    await _open_editor(admin, path)  # a reconnect

    assert (editor.name, editor.rows[0]["price"], editor.rows[0]["open"]) == (
        "Standard (draft)",
        "0.35",
        "true",
    )
    assert (editor.valid_mode, editor.valid_from, editor.confirm_archive) == (
        "later",
        later,
        True,
    )
    assert [row.number for row in editor.versions] == ["v2", "v1"]  # read again
    assert editor.current_version.startswith("v2")

    await _open_editor(admin, "/finance/tariffs/new")  # another tariff: a fresh form
    assert (editor.name, editor.rows[0]["price"], editor.rows[0]["open"]) == ("", "", "")
    assert (editor.valid_mode, editor.valid_from, editor.confirm_archive) == ("now", "", False)
    await admin.send(TariffEditorState, "set_name", value="Not saved yet")
    await _open_editor(admin, "/finance/tariffs/new")
    assert editor.name == "Not saved yet" and editor.versions == []


async def test_a_tariff_not_edited_is_read_again_whole_when_it_loads_again(
    admin: Tab, session: Session, organisation: Organisation
) -> None:
    tariff_id, path, editor = await _standard_in_the_editor(admin, session)
    await admin.send(TariffEditorState, "toggle_open", index=0)  # looked at, not edited
    await admin.send(TariffEditorState, "set_valid_mode", value="later")
    _repriced(tariff_id, int(organisation.id or 0), "0.40", name="Standard 2026")

    await _open_editor(admin, path)

    assert (editor.name, editor.rows[0]["price"]) == ("Standard 2026", "0.40")
    assert (editor.rows[0]["open"], editor.valid_mode) == ("true", "later")
    await admin.send(TariffEditorState, "save")  # nothing priced differently: no version
    session.rollback()
    assert len(session.exec(select(TariffVersion)).all()) == 2


async def test_the_preview_and_the_assignment_picker_keep_their_inputs_for_the_same_tariff(
    admin: Tab, session: Session, organisation: Organisation, charge_point: int
) -> None:
    await _new_tariff(admin, "Standard", [{"fee": "energy", "price": "0.30"}])
    tariff_id = int(session.exec(select(Tariff.id)).one() or 0)
    path = f"/finance/tariffs/{tariff_id}"
    await _open_editor(admin, path)
    await admin.send(TariffPreviewState, "set_value", name="energy_kwh", value="10")
    await admin.send(TariffPreviewState, "calculate")
    await admin.send(TariffAssignState, "set_target_kind", value="charge_point")
    await admin.send(TariffAssignState, "set_search", value="tariff")
    await admin.send(TariffAssignState, "set_target_id", value=str(charge_point))
    org = int(organisation.id or 0)
    tariff_assignments.assign(
        frozenset({org}), tariff_id, AssignmentTarget.NETWORK, org, "colleague@example.com"
    )

    await _open_editor(admin, path)  # a reconnect

    preview = await admin.state(TariffPreviewState)
    assert (preview.values["energy_kwh"], preview.priced, preview.total_excl) == (
        "10",
        True,
        "€3.00",
    )
    assign = await admin.state(TariffAssignState)
    assert (assign.target_kind, assign.search, assign.target_id) == (
        "charge_point",
        "tariff",
        str(charge_point),
    )
    assert [row.target for row in assign.rows] == ["Network default"]  # read again

    await _open_editor(admin, "/finance/tariffs/new")  # another tariff: fresh inputs
    assert (preview.values["energy_kwh"], preview.priced) == ("22", False)
    assert (assign.target_kind, assign.search, assign.rows) == ("network", "", [])


async def test_the_tariff_tool_keeps_its_question_and_answers_it_again_on_a_reload(
    admin: Tab, session: Session, organisation: Organisation, charge_point: int
) -> None:
    async def open_page(tab: Tab) -> None:
        tab.at("/finance/tariffs")
        await tab.send(TariffListState, "load")
        await tab.send(TariffExplainState, "open_tool")

    await open_page(admin)
    explain = await admin.state(TariffExplainState)
    soon = local_input(utc_now() + timedelta(minutes=5), "UTC")
    await admin.send(TariffExplainState, "choose_charge_point", value=str(charge_point))
    await admin.send(TariffExplainState, "set_at", value=soon)
    await admin.send(TariffExplainState, "explain")
    assert explain.answered and not explain.applies
    await _new_tariff(admin, "Network price", [{"fee": "energy", "price": "0.30"}])
    tariff_id = int(session.exec(select(Tariff.id)).one() or 0)
    org = int(organisation.id or 0)
    tariff_assignments.assign(frozenset({org}), tariff_id, AssignmentTarget.NETWORK, org, "x")

    await open_page(admin)  # a reconnect

    assert (explain.at, explain.answered, explain.applies) == (soon, True, True)
    assert explain.answer_tariff == "Network price"  # asked again of the database
    assert [row.name for row in (await admin.state(TariffListState)).rows] == ["Network price"]

    with session_scope() as s:
        role_id = auth.built_in_role_id(s, ADMINISTRATOR)
    colleague = Tab(admin.root, _login(org, "colleague@example.com", role_id))
    await open_page(colleague)  # another login in the same tab: a fresh question
    assert (explain.at, explain.answered) == ("", False)
