"""What a role may do: a permission is one action on one module ("assets:edit").

The modules are the navigation's; the actions are what an operator does there: look
(view), change data (edit), send commands to chargers (control), take data out (export).
Built-in roles are fixed sets of these; administrators compose custom roles from the same
vocabulary. Pure: the gate, the pages and the System forms all decide from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from ccms_app.core.i18n import N_, Message, _


class Module(StrEnum):
    HOME = "home"
    ANALYTICS = "analytics"
    LIVE_MONITORING = "live_monitoring"
    LOAD_BALANCING = "load_balancing"
    FINANCE = "finance"
    ASSETS = "assets"
    MAINTENANCE = "maintenance"
    FIRMWARE = "firmware"
    USERS = "users"
    SYSTEM = "system"
    API_KEYS = "api_keys"


class Action(StrEnum):
    VIEW = "view"
    EDIT = "edit"
    CONTROL = "control"
    EXPORT = "export"


MODULE_LABELS: dict[Module, str] = {
    Module.HOME: N_("Home"),
    Module.ANALYTICS: N_("Analytics"),
    Module.LIVE_MONITORING: N_("Live Monitoring"),
    Module.LOAD_BALANCING: N_("Load Balancing"),
    Module.FINANCE: N_("Finance"),
    Module.ASSETS: N_("Assets"),
    Module.MAINTENANCE: N_("Maintenance"),
    Module.FIRMWARE: N_("Firmware"),
    Module.USERS: N_("Users"),
    Module.SYSTEM: N_("System"),
    Module.API_KEYS: N_("API keys"),
}

ACTION_LABELS: dict[Action, str] = {
    Action.VIEW: N_("View"),
    Action.EDIT: N_("Edit"),
    Action.CONTROL: N_("Control"),
    Action.EXPORT: N_("Export"),
}

# What a licence past its end date still allows: looking and taking data out.
READ_ONLY_ACTIONS = frozenset({Action.VIEW, Action.EXPORT})


def permission(module: Module, action: Action) -> str:
    """The stored spelling of one permission, e.g. "assets:edit"."""
    return f"{module.value}:{action.value}"


ALL_PERMISSIONS: frozenset[str] = frozenset(permission(m, a) for m in Module for a in Action)


def _grant(modules: Iterable[Module], actions: Iterable[Action]) -> frozenset[str]:
    return frozenset(permission(m, a) for m in modules for a in actions)


ADMINISTRATOR = N_("Administrator")
OPERATOR = N_("Operator")
FINANCE = N_("Finance")
MAINTENANCE_STAFF = N_("Maintenance staff")
VIEWER = N_("Viewer")

_EVERYDAY = [m for m in Module if m not in (Module.SYSTEM, Module.API_KEYS)]

BUILT_IN_ROLES: dict[str, frozenset[str]] = {
    # Everything, including accounts, roles, sub-operators and settings.
    ADMINISTRATOR: ALL_PERMISSIONS,
    # Runs the network day to day; sees System but changes no accounts or settings.
    OPERATOR: _grant(_EVERYDAY, Action) | _grant([Module.SYSTEM], [Action.VIEW]),
    # Tariffs, payments and billing; reads the network it bills.
    FINANCE: _grant([Module.FINANCE], Action)
    | _grant([Module.HOME, Module.LIVE_MONITORING, Module.ASSETS], [Action.VIEW])
    | _grant([Module.USERS, Module.ANALYTICS], [Action.VIEW, Action.EXPORT]),
    # Work orders on the phone: sees chargers, may reset and unlock them, fixes faults.
    MAINTENANCE_STAFF: _grant([Module.MAINTENANCE], [Action.VIEW, Action.EDIT])
    | _grant([Module.HOME, Module.ASSETS, Module.FIRMWARE], [Action.VIEW])
    | _grant([Module.LIVE_MONITORING], [Action.VIEW, Action.CONTROL]),
    # Looks at everything an operator runs; changes nothing.
    VIEWER: _grant(_EVERYDAY, [Action.VIEW]),
}


def parse_permissions(stored: str) -> frozenset[str]:
    """The permissions in a stored, comma-separated list; unknown spellings are dropped."""
    return frozenset(
        p for p in (part.strip() for part in stored.split(",")) if p in ALL_PERMISSIONS
    )


def format_permissions(permissions: Iterable[str]) -> str:
    """The stored spelling of a permission set: sorted, comma-separated."""
    return ",".join(sorted(set(permissions) & ALL_PERMISSIONS))


GRANT = "grant"  # RoleProblem.field of an over-grant: a refusal, not a form error


class RoleProblem(ValueError):
    """A role that is not acceptable: `field` is the form's ("name", "permissions") or
    GRANT; `message` the words (English as `message.text()`, the reader's as `str`)."""

    def __init__(self, field: str, message: Message) -> None:
        super().__init__(str(message))
        self.field = field
        self.message = message


def validate_role(name: str, permissions: Iterable[str], grantable: frozenset[str]) -> str:
    """The cleaned role name; RoleProblem (a ValueError) when the role is not acceptable.

    `grantable` is what the person saving the role holds: nobody hands out more than
    they have (an operator cannot make itself an administrator through a custom role).
    """
    cleaned = " ".join(name.split())
    if not cleaned:
        raise RoleProblem("name", _("Give the role a name."))
    if len(cleaned) > 80:
        raise RoleProblem("name", _("A role name has at most 80 characters."))
    if cleaned.casefold() in {built_in.casefold() for built_in in BUILT_IN_ROLES}:
        raise RoleProblem(
            "name", _("{name} is a built-in role: choose another name.", name=repr(cleaned))
        )
    chosen = set(permissions)
    unknown = chosen - ALL_PERMISSIONS
    if unknown:
        raise RoleProblem(
            "permissions", _("Unknown permissions: {sorted}.", sorted=", ".join(sorted(unknown)))
        )
    beyond = chosen - grantable
    if beyond:
        raise RoleProblem(
            GRANT,
            _(
                "You cannot grant permissions you do not have: {permissions}.",
                permissions=", ".join(sorted(beyond)),
            ),
        )
    return cleaned


def effective_permissions(granted: frozenset[str], read_only: bool) -> frozenset[str]:
    """What a login may do now: its role's grant, cut to reading when the licence ended."""
    if not read_only:
        return granted
    return frozenset(p for p in granted if p.rsplit(":", 1)[-1] in READ_ONLY_ACTIONS)
