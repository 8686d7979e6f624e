"""The gate sets who the server writes for before every event: the tab's language (the
account's choice) and its organisation, so toasts, form errors and values a handler builds
read in that language; the next event starts from English again."""

from __future__ import annotations

import json
from typing import Any

from reflex.state import StateUpdate
from sqlmodel import select

from ccms_app.accounts.models import OperatorAccount, Organisation
from ccms_app.core.db import session_scope
from ccms_app.core.i18n import catalog, reader_language
from ccms_app.finance.state.vouchers import VoucherFormState, VoucherListState
from tests.finance.wallets.tabs import login


def _speaks(email: str, language: str) -> None:
    with session_scope() as s:
        account = s.exec(select(OperatorAccount).where(OperatorAccount.email == email)).one()
        account.language = language
        s.add(account)


def _toasts(update: Any) -> list[str]:
    """The refusal's toasts as the browser runs them (JavaScript, strings JSON-escaped)."""
    assert isinstance(update, StateUpdate)
    return [str(event.payload.get("function", "")) for event in update.events]


async def test_a_refusal_reads_in_the_accounts_language(organisation: Organisation) -> None:
    tab = login(int(organisation.id or 0), "viewer@example.com", {"finance:view"})
    _speaks("viewer@example.com", "de")
    refused = await tab.at("/finance/vouchers").send(VoucherFormState, "save")
    de = catalog("de")
    expected = de["Your role ({role}) does not allow {action} on {module}."].format(
        role="Role of viewer@example.com", action=de["edit"], module=de["Finance"]
    )
    assert any(json.dumps(expected) in toast for toast in _toasts(refused)), _toasts(refused)
    assert reader_language() == "de"


async def test_each_event_starts_from_english(organisation: Organisation) -> None:
    german = login(int(organisation.id or 0), "de@example.com")
    _speaks("de@example.com", "de")
    english = login(int(organisation.id or 0), "en@example.com")
    await german.at("/finance/vouchers").send(VoucherListState, "load_zone")
    assert reader_language() == "de"
    await english.at("/finance/vouchers").send(VoucherListState, "load_zone")
    assert reader_language() == "en"  # nothing carried over from the German tab's event
