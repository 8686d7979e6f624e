"""What the brand's states declare for the gate: the brand is open to anyone (the login page
needs it, the login resolved first), the editor is System's, its changes need system:edit."""

from __future__ import annotations

import pytest

from ccms_app.accounts.gate_marks import OPTIONAL, requirement
from ccms_app.branding.state.admin import BrandAdminState
from ccms_app.branding.state.brand import BrandState


def test_the_brand_loads_for_anyone_with_the_login_resolved() -> None:
    assert requirement(BrandState, "load") == OPTIONAL
    assert requirement(BrandState, "setvar") is None  # no tab sets the brand it shows


@pytest.mark.parametrize(
    ("handler", "needed"),
    [
        ("load", "system:view"),
        ("set_value", "system:view"),
        ("save", "system:edit"),
        ("upload_logo", "system:edit"),
        ("upload_favicon", "system:edit"),
        ("remove_logo", "system:edit"),
        ("remove_favicon", "system:edit"),
    ],
)
def test_the_editor_looks_with_system_view_and_changes_with_system_edit(
    handler: str, needed: str
) -> None:
    assert requirement(BrandAdminState, handler) == needed
