"""Billing settings per organisation on a real database: defaults before anything is saved,
every field checked and named when wrong, the operator edits its sub-operators' settings but
a sub-operator only its own, the logo kept as a file (PNG / JPEG, at most 512 KB)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccms_app.accounts.models import Organisation
from ccms_app.core import db
from ccms_app.finance import billing_profiles
from ccms_app.finance.billing_profiles import ProfileNotFound, get_profile, save_profile
from ccms_app.finance.rules.billing_profile import (
    BillingProfileError,
    check_profile,
    logo_extension,
    vat_percent,
)
from tests.fixtures.settings import SettingsEnv

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
FORM = {
    "currency": "chf",
    "vat_percent": "8,1",
    "rounding": "half_even",
    "time_zone": "Europe/Zurich",
    "seller_name": "Alpen Laden AG",
    "seller_address": "Bahnhofstrasse 1, 8001 Zürich",
    "seller_vat_id": "CHE-123.456.789",
    "seller_email": "billing@alpen.example",
}


@pytest.fixture
def partner(organisation: Organisation) -> int:
    with db.session_scope() as s:
        sub = Organisation(name="Partner CPO", parent_id=organisation.id)
        s.add(sub)
        s.flush()
        return int(sub.id or 0)


@pytest.fixture
def logos(settings_env: SettingsEnv, tmp_path: Path) -> Path:
    """Logos go beside the firmware images: both under this test's directory."""
    settings_env.setenv("CCMS_FIRMWARE_DIR", str(tmp_path / "var" / "firmware"))
    directory = billing_profiles.logo_dir()
    assert directory == tmp_path / "var" / "billing-logos"
    return directory


def test_defaults_then_saved_values(organisation: Organisation) -> None:
    org_id = organisation.id or 0
    default = get_profile(org_id)
    assert (default.currency, default.vat_percent, default.rounding, default.time_zone) == (
        "EUR",
        "",
        "half_up",
        "UTC",
    )
    saved = save_profile(org_id, FORM, "admin@example.com")
    assert (saved.currency, saved.vat_percent, saved.time_zone) == ("CHF", "8.1", "Europe/Zurich")
    again = get_profile(org_id)
    assert (again.seller_name, again.seller_vat_id, again.rounding) == (
        "Alpen Laden AG",
        "CHE-123.456.789",
        "half_even",
    )
    cleared = save_profile(org_id, {"vat_percent": ""}, "admin@example.com")
    assert (cleared.vat_percent, cleared.currency) == ("", "CHF")  # the rest kept


def test_every_wrong_field_is_named(organisation: Organisation) -> None:
    wrong = {
        "currency": "EURO",
        "vat_percent": "19.555",
        "rounding": "up",
        "time_zone": "Mars/Olympus",
        "seller_email": "billing at example",
        "seller_vat_id": "DE 123; drop",
        "seller_name": "x" * 201,
    }
    with pytest.raises(BillingProfileError) as caught:
        save_profile(organisation.id or 0, wrong, "admin@example.com")
    errors = caught.value.errors
    assert set(errors) == set(wrong)
    assert "ISO 4217" in errors["currency"]
    assert errors["vat_percent"] == "may have at most 2 decimals"
    assert "IANA" in errors["time_zone"]
    assert get_profile(organisation.id or 0).currency == "EUR"  # nothing half-saved


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("", ""), ("0", "0"), ("19", "19"), ("7,50", "7.5"), ("100", "100"), ("0.01", "0.01")],
)
def test_vat_percent_accepts(raw: str, expected: str) -> None:
    assert vat_percent(raw) == expected


@pytest.mark.parametrize("raw", ["-1", "100.01", "101", "abc", "1e2", "19.999", "1,000.5"])
def test_vat_percent_refuses(raw: str) -> None:
    with pytest.raises(ValueError):
        vat_percent(raw)


def test_check_profile_takes_the_zones_stations_take() -> None:
    values = check_profile(FORM)
    assert (values.currency, values.time_zone) == ("CHF", "Europe/Zurich")
    with pytest.raises(BillingProfileError, match="time_zone"):
        check_profile({**FORM, "time_zone": "Mars/Olympus"})


def test_scope_operator_edits_sub_operator_but_not_the_reverse(
    organisation: Organisation, partner: int
) -> None:
    operator = organisation.id or 0
    operator_scope = {operator, partner}
    saved = save_profile(partner, {"currency": "SEK"}, "admin@example.com", operator_scope)
    assert saved.currency == "SEK"
    with pytest.raises(ProfileNotFound):
        save_profile(operator, {"currency": "SEK"}, "partner@example.com", {partner})
    with pytest.raises(ProfileNotFound):
        get_profile(operator, {partner})
    with pytest.raises(ProfileNotFound):
        get_profile(987_654)
    choices = billing_profiles.editable_organisations(operator_scope)
    assert choices == [(operator, "Test Operator"), (partner, "Partner CPO")]


def test_logo_is_stored_replaced_and_removed(organisation: Organisation, logos: Path) -> None:
    org_id = organisation.id or 0
    profile = billing_profiles.store_logo(org_id, PNG, "admin@example.com")
    assert profile.logo_path == f"organisation-{org_id}.png"
    assert (logos / profile.logo_path).read_bytes() == PNG
    replaced = billing_profiles.store_logo(org_id, JPEG, "admin@example.com")
    assert replaced.logo_path.endswith(".jpg")
    assert not (logos / profile.logo_path).exists()  # the PNG went
    assert billing_profiles.logo_file(get_profile(org_id)) == logos / replaced.logo_path
    removed = billing_profiles.remove_logo(org_id, "admin@example.com")
    assert removed.logo_path == "" and not any(logos.iterdir())


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"GIF89a" + b"\x00" * 10, "PNG or JPEG"),
        (PNG + b"\x00" * 512 * 1024, "512 KB"),
    ],
)
def test_logo_refused(data: bytes, message: str) -> None:
    with pytest.raises(BillingProfileError, match=message) as caught:
        logo_extension(data)
    assert set(caught.value.errors) == {"logo"}
