"""Roles as permission sets: built-in roles, custom roles nobody can inflate, read-only."""

from __future__ import annotations

import pytest

from ccms_app.accounts.rules import permissions as p
from ccms_app.accounts.rules.permissions import Action, Module, permission


def test_administrator_holds_everything_and_viewer_only_views() -> None:
    assert p.BUILT_IN_ROLES[p.ADMINISTRATOR] == p.ALL_PERMISSIONS
    viewer = p.BUILT_IN_ROLES[p.VIEWER]
    assert viewer and all(perm.endswith(":view") for perm in viewer)
    assert permission(Module.SYSTEM, Action.VIEW) not in viewer


def test_maintenance_staff_fix_chargers_but_touch_no_money_or_accounts() -> None:
    staff = p.BUILT_IN_ROLES[p.MAINTENANCE_STAFF]
    assert permission(Module.MAINTENANCE, Action.EDIT) in staff
    assert permission(Module.LIVE_MONITORING, Action.CONTROL) in staff
    assert not any(perm.startswith(("finance:", "system:", "users:")) for perm in staff)


def test_operator_cannot_change_accounts_or_settings() -> None:
    operator = p.BUILT_IN_ROLES[p.OPERATOR]
    assert permission(Module.SYSTEM, Action.VIEW) in operator
    assert permission(Module.SYSTEM, Action.EDIT) not in operator
    assert permission(Module.ASSETS, Action.EDIT) in operator


def test_stored_permissions_round_trip_and_drop_unknown_spellings() -> None:
    stored = p.format_permissions(["users:view", "assets:edit", "users:view", "bogus:view"])
    assert stored == "assets:edit,users:view"
    assert p.parse_permissions(stored + ",root:everything") == {"assets:edit", "users:view"}


def test_a_custom_role_cannot_grant_more_than_its_author_holds() -> None:
    author = p.BUILT_IN_ROLES[p.OPERATOR]
    assert p.validate_role("  Night   shift ", ["assets:view"], author) == "Night shift"
    with pytest.raises(ValueError, match=r"cannot grant.*system:edit"):
        p.validate_role("Escalate", ["system:edit"], author)
    with pytest.raises(ValueError, match="built-in"):
        p.validate_role("viewer", ["assets:view"], author)
    with pytest.raises(ValueError, match="Unknown permissions"):
        p.validate_role("Odd", ["assets:fly"], p.ALL_PERMISSIONS)
    with pytest.raises(ValueError, match="name"):
        p.validate_role("   ", [], author)


def test_an_ended_licence_leaves_only_looking_and_exporting() -> None:
    granted = p.BUILT_IN_ROLES[p.ADMINISTRATOR]
    cut = p.effective_permissions(granted, read_only=True)
    assert cut and {perm.rsplit(":", 1)[1] for perm in cut} == {"view", "export"}
    assert p.effective_permissions(granted, read_only=False) == granted
