"""The language of an organisation's receipts, invoices and e-mails to drivers: chosen on
System -> Settings (the billing profile), audited, checked, English until chosen."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from ccms_app.accounts.models import Organisation
from ccms_app.finance import billing_profiles
from ccms_app.finance.rules.billing_profile import BillingProfileError, check_profile
from ccms_app.system import settings_admin
from ccms_app.system.rules.settings import SettingsInputError
from tests.system.test_settings_admin import caller, entries


def test_english_until_chosen_then_stored_and_audited(
    engine: Engine, organisation: Organisation
) -> None:
    root = int(organisation.id or 0)
    assert billing_profiles.document_language(root) == "en"
    assert settings_admin.settings_view(caller(root)).values["language"] == "en"
    settings_admin.save_section(caller(root), "region", {"language": "zh_Hans"})
    assert billing_profiles.document_language(root) == "zh_Hans"
    assert {e.object_id: e.detail for e in entries()} == {"language": "en -> zh_Hans"}
    assert billing_profiles.get_profile(root).currency == "EUR"  # the rest kept


def test_a_language_ccms_has_not_is_named(engine: Engine, organisation: Organisation) -> None:
    root = int(organisation.id or 0)
    with pytest.raises(SettingsInputError) as refused:
        settings_admin.save_section(caller(root), "region", {"language": "fr"})
    assert "de, en, zh_Hans" in refused.value.errors["language"].text("en")
    assert billing_profiles.document_language(root) == "en" and entries() == []
    with pytest.raises(BillingProfileError) as wrong:
        check_profile(
            {"currency": "EUR", "rounding": "half_up", "time_zone": "UTC", "language": "qps"}
        )
    assert set(wrong.value.errors) == {"language"}  # the test pseudo-language is no choice
