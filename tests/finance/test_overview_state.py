"""The Finance overview's state on a real migrated database, each event through the real
gate: the chosen period's table (the chart's numbers, one currency at a time) with its total
row, the chart's bars, the outstanding and refund figures with their links, switching the
period and the currency, a wrong period refused, and the state kept between events."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from reflex.state import StateUpdate

from ccms_app.accounts import auth
from ccms_app.accounts.models import Organisation, Role
from ccms_app.accounts.rules.permissions import ADMINISTRATOR, Action, Module, permission
from ccms_app.core.db import session_scope
from ccms_app.finance.documents.listing import DOCUMENT_LIST
from ccms_app.finance.history.spec import HISTORY_LIST
from ccms_app.finance.payments.listing import PAYMENT_LIST
from ccms_app.finance.state import overview as overview_state
from ccms_app.finance.state.list_links import url_filters
from ccms_app.finance.state.overview import OUTSTANDING, REFUNDS, FinanceOverviewState
from ccms_app.finance.wallets.listing import WALLET_LIST
from tests.finance.test_overview import NOW, SeededOverview, seed_overview
from tests.finance.test_tariff_states import Tab, _login, _tab

ROUTE = "/finance"


@pytest.fixture
def seeded(organisation: Organisation, monkeypatch: pytest.MonkeyPatch) -> SeededOverview:
    monkeypatch.setattr(overview_state, "utc_now", lambda: NOW)
    return seed_overview(organisation.id or 0)


@pytest.fixture
def admin(seeded: SeededOverview) -> Tab:
    with session_scope() as s:
        role_id = auth.built_in_role_id(s, ADMINISTRATOR)
    return _tab(_login(seeded.operator_id, "finance@example.com", role_id)).at(ROUTE)


async def _open(tab: Tab) -> FinanceOverviewState:
    await tab.at(ROUTE).send(FinanceOverviewState, "load")
    return await tab.state(FinanceOverviewState)


def _row(state: FinanceOverviewState, key: str) -> dict[str, str]:
    return next(row for row in state.rows if row["key"] == key)


async def test_days_table_chart_and_figures(admin: Tab) -> None:
    state = await _open(admin)
    assert state.loaded and state.period == "days" and state.period_label == "Last 30 days"
    assert state.range_text == "Sat 07 Mar to Sun 05 Apr (Europe/Berlin)"
    assert state.currencies == ["EUR", "GBP"] and state.currency == "EUR"
    assert len(state.rows) == 31  # 30 days and the total
    assert _row(state, "2026-03-29") == {
        "key": "2026-03-29",
        "label": "Sun 29 Mar",
        "sessions": "2",
        "energy": "7.0 kWh",
        "excl": "€15.00",
        "vat": "€2.85",
        "incl": "€17.85",
        "top_ups": "—",
        "fees": "—",
    }
    assert (_row(state, "2026-03-30")["top_ups"], _row(state, "2026-03-30")["fees"]) == (
        "€50.00",
        "€14.99",
    )
    assert _row(state, "2026-03-31")["incl"] == "—"
    total = state.rows[-1]
    assert (total["label"], total["sessions"], total["incl"]) == ("Total", "6", "€69.84")
    # the chart: the same numbers, exactly, as bars of the major unit
    bars = {trace.name: trace for trace in state.figure.data}
    assert list(bars) == ["Charging incl. VAT", "Top-ups", "Membership fees"]
    charging = dict(zip(bars["Charging incl. VAT"].x, bars["Charging incl. VAT"].y, strict=True))
    assert charging["Sun 29 Mar"] == Decimal("17.85") and charging["Mon 30 Mar"] == Decimal("23.80")
    assert json.loads(state.figure.to_json())["data"][0]["y"][22] == 17.85  # what the page gets
    # the axis names every 7th day back from the newest, short enough to stand upright
    axis = state.figure.layout.xaxis
    assert axis.tickvals[-1] == state.rows[-2]["label"] and len(axis.tickvals) == 5
    assert axis.ticktext[-1] == axis.tickvals[-1].split(" ", 1)[1] and axis.tickangle == 0
    figures = {row["key"]: row for row in state.outstanding + state.refunds}
    assert figures["out-card_failed"]["amount"] == "€19.00"
    assert figures["out-card_failed"]["href"] == "/finance/payments?status=failed"
    assert figures["out-card_pending"]["count"] == "2"
    assert figures["out-wallets_in_debt"]["amount"] == "€7.00 + £0.50"
    assert figures["out-not_invoiced"]["amount"] == "€9.52 + £9.60"
    assert figures["out-invoiced"]["amount"] == "€1.19"
    assert figures["refund-card"]["amount"] == "€2.50"
    assert figures["refund-wallet"]["amount"] == "€4.00"
    # what issue 12 showed stays
    assert state.month == "April 2026" and state.running_cost == "€4.50"
    assert [row["incl"] for row in state.revenue] == ["€28.19", "£9.60"]


def test_every_link_opens_its_list_filtered() -> None:
    """The query of each figure's link names only filters its list knows (list_links), so
    the list opens showing what the figure counts."""
    lists = {
        "/finance/payments": PAYMENT_LIST,
        "/finance/wallets": WALLET_LIST,
        "/finance/history": HISTORY_LIST,
        "/finance/documents": DOCUMENT_LIST,
    }
    for _key, _label, href, _note in OUTSTANDING + REFUNDS:
        path, _, query = href.partition("?")
        params = dict(part.split("=", 1) for part in query.split("&") if part)
        assert url_filters(params, lists[path]) == params, href
    assert url_filters({"kind": "refund", "view": "x"}, PAYMENT_LIST) == {"kind": "refund"}


async def test_other_currency_and_period(admin: Tab) -> None:
    state = await _open(admin)
    await admin.send(FinanceOverviewState, "set_currency", value="GBP")
    assert state.currency == "GBP"
    assert _row(state, "2026-04-02")["incl"] == "£9.60"
    assert _row(state, "2026-04-02")["top_ups"] == "£10.00"
    await admin.send(FinanceOverviewState, "set_currency", value="USD")  # not in the report
    assert state.currency == "GBP"

    await admin.send(FinanceOverviewState, "set_period", value="months")
    assert state.period == "months" and state.period_label == "Last 12 months"
    assert state.currency == "GBP"  # kept: the report still has GBP
    await admin.send(FinanceOverviewState, "set_currency", value="EUR")
    assert _row(state, "2026-03")["incl"] == "€45.22"
    assert _row(state, "2026-04")["label"] == "Apr 2026"
    invoiced = next(row for row in state.outstanding if row["key"] == "out-invoiced")
    assert invoiced["amount"] == "€4.52"  # the February invoice is in the 12 months

    reply = await admin.send(FinanceOverviewState, "set_period", value="weeks")
    assert "choose one of days, months, years" in str(reply)
    assert state.period == "months"


async def test_the_state_survives_a_round_trip(admin: Tab) -> None:
    """Reflex writes states to disk between events: the kept report must go with it."""
    state = await _open(admin)
    restored = FinanceOverviewState._deserialize(state._serialize())
    assert restored._report == state._report
    assert isinstance(restored, FinanceOverviewState)


def _role_with(organisation_id: int, name: str, granted: str) -> int:
    with session_scope() as s:
        role = Role(name=name, organisation_id=organisation_id, permissions=granted)
        s.add(role)
        s.flush()
        return int(role.id or 0)


async def test_a_viewer_may_look_and_others_may_not(seeded: SeededOverview) -> None:
    org = seeded.operator_id
    looks = _role_with(org, "Finance viewer", permission(Module.FINANCE, Action.VIEW))
    viewer = _tab(_login(org, "viewer@example.com", looks))
    state = await _open(viewer)
    assert state.loaded and state.currencies == ["EUR", "GBP"]
    await viewer.send(FinanceOverviewState, "set_period", value="years")
    assert state.period == "years"

    assets = _role_with(org, "Assets only", permission(Module.ASSETS, Action.VIEW))
    other = _tab(_login(org, "assets@example.com", assets)).at(ROUTE)
    for handler, payload in (("load", {}), ("set_period", {"value": "months"})):
        refused = await other.send(FinanceOverviewState, handler, **payload)
        assert isinstance(refused, StateUpdate)
    shown = await other.state(FinanceOverviewState)
    assert not shown.loaded and shown.period == "days"
