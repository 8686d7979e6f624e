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
from ccms_app.finance.models import Tariff, TariffVersion
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
