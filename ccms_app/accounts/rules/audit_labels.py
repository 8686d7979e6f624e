"""What an audit entry's action means to a reader: a sentence and a kind.

The gate writes every permitted or refused edit, command and export as "<state>.<handler>"
("id_tag_actions.block"), the login route "login" / "login_failed", and the account, role and
sub-operator use cases their own names ("role.update"). Those names are the code's, not the
operator's: this module turns each into a label ("Blocked an RFID card") and a kind, the
group the audit page filters by.

Known actions are listed in `LABELS`. An action nobody listed yet (a handler added later)
still gets a kind from `FALLBACK_RULES` (glob patterns on the action name, first match wins,
`edit` if none matches) and the label "<state>: <handler>". The audit list's kind filter
classifies the log's actions with `kind_of` too (`accounts/audit_log.py`), so the page, the
filter and the CSV never disagree.

Pure: no database, no Reflex.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from enum import StrEnum
from fnmatch import fnmatchcase

from ccms_app.core.i18n import N_


class AuditKind(StrEnum):
    LOGIN = "login"
    COMMAND = "command"
    EDIT = "edit"
    DELETION = "deletion"
    BLOCK = "block"
    SETTINGS = "settings"
    EXPORT = "export"


# The filter's choices, in the order the page offers them.
KIND_LABELS: dict[AuditKind, str] = {
    AuditKind.LOGIN: N_("Logins"),
    AuditKind.COMMAND: N_("Commands"),
    AuditKind.EDIT: N_("Edits"),
    AuditKind.DELETION: N_("Deletions"),
    AuditKind.BLOCK: N_("Blocks"),
    AuditKind.SETTINGS: N_("Settings, roles and accounts"),
    AuditKind.EXPORT: N_("Exports"),
}

OUTCOME_LABELS: dict[str, str] = {
    "ok": N_("Done"),
    "refused": N_("Refused"),
    "failed": N_("Failed"),
}


@dataclass(frozen=True)
class AuditLabel:
    text: str
    kind: AuditKind
    noun: str = ""  # what `object_id` names ("RFID card"), for the "On" column


_K = AuditKind


def _entries(kind: AuditKind, noun: str, pairs: dict[str, str]) -> dict[str, AuditLabel]:
    return {action: AuditLabel(text, kind, noun) for action, text in pairs.items()}


_LOGINS = _entries(
    _K.LOGIN,
    "account",
    {
        "login": "Logged in",
        "login_failed": "Failed login",
        "logout": "Logged out",
        "auth.logout": "Logged out",
    },
)

_COMMANDS = {
    **_entries(
        _K.COMMAND,
        "charge point",
        {
            "command.send": "Sent a command to a charge point",
            "charge_point_detail.send": "Sent a command to a charge point",
            "bulk_command.send": "Sent a command to several charge points",
            "charge_point_config.fetch": "Read a charge point's configuration",
            "charge_point_config.save": "Changed a charge point's configuration key",
            "smart_charging.send_profile": "Sent a charging profile",
            "smart_charging.clear": "Cleared a charging profile",
            "smart_charging.get_composite": "Asked for a composite schedule",
            "charge_point_reservation.reserve": "Reserved a connector",
            "charge_point_reservation.cancel": "Cancelled a reservation",
            "charge_point_local_list.sync_now": "Sent the local list changes to a charge point",
            "charge_point_local_list.sync_full": "Sent the full local list to a charge point",
            "charge_point_local_list.check_version": "Asked a charge point for its list version",
            "firmware.request_diagnostics": "Requested diagnostics from a charge point",
        },
    ),
    **_entries(
        _K.COMMAND,
        "local list",
        {
            "local_list_detail.sync_now": "Sent a local list to its charge points",
            "users_local_list.sync_all": "Sent every local list to its charge points",
        },
    ),
    **_entries(
        _K.COMMAND,
        "firmware campaign",
        {
            "firmware.create_campaign": "Started a firmware update campaign",
            "firmware.cancel_campaign": "Cancelled a firmware update campaign",
        },
    ),
}

_BLOCKS = {
    **_entries(
        _K.BLOCK,
        "RFID card",
        {
            "id_tag_actions.block": "Blocked an RFID card",
            "id_tag_actions.unblock": "Unblocked an RFID card",
        },
    ),
    **_entries(
        _K.BLOCK,
        "driver",
        {
            "driver_actions.suspend": "Suspended a driver",
            "driver_actions.reactivate": "Reactivated a driver",
        },
    ),
    **_entries(
        _K.BLOCK,
        "charge point",
        {"asset_action.set_enabled": "Took a charge point out of or back into service"},
    ),
}

_DELETIONS = {
    **_entries(
        _K.DELETION,
        "RFID card",
        {
            "id_tag_actions.ask_delete": "Asked to delete an RFID card",
            "id_tag_actions.delete": "Deleted an RFID card",
        },
    ),
    **_entries(
        _K.DELETION,
        "vehicle",
        {
            "vehicle_actions.ask_delete": "Asked to delete a vehicle",
            "vehicle_actions.delete": "Deleted a vehicle",
        },
    ),
    **_entries(_K.DELETION, "driver", {"driver_detail.delete": "Deleted a driver"}),
    **_entries(_K.DELETION, "user group", {"group_detail.delete": "Deleted a user group"}),
    **_entries(
        _K.DELETION,
        "local list",
        {
            "local_list_delete.ask_delete": "Asked to delete a local list",
            "local_list_delete.delete": "Deleted a local list",
            "entry_list.remove": "Removed an RFID card from a local list",
            "entry_list.remove_selected": "Removed RFID cards from a local list",
        },
    ),
    **_entries(
        _K.DELETION,
        "asset",
        {
            "asset_action.ask": "Asked to delete or disable an area, station or charge point",
            "asset_action.confirm": "Deleted or disabled an area, station or charge point",
        },
    ),
}

_EDITS = {
    **_entries(
        _K.EDIT,
        "station",
        {
            "station_form.save": "Saved a station",
            "asset_import.run_import": "Imported assets from CSV",
        },
    ),
    **_entries(_K.EDIT, "area", {"area_form.save": "Saved an area"}),
    **_entries(
        _K.EDIT, "asset import", {"asset_import.check_files": "Checked CSV files for an import"}
    ),
    **_entries(
        _K.EDIT,
        "charge point",
        {
            "charge_point_form.save": "Saved a charge point",
            "register_form.save": "Registered a charge point",
        },
    ),
    **_entries(_K.EDIT, "driver", {"driver_form.submit": "Saved a driver"}),
    **_entries(_K.EDIT, "RFID card", {"id_tag_form.submit": "Saved an RFID card"}),
    **_entries(_K.EDIT, "vehicle", {"vehicle_form.submit": "Saved a vehicle"}),
    **_entries(
        _K.EDIT,
        "user group",
        {
            "group_form.submit": "Saved a user group",
            "group_detail.add_member": "Added a driver to a user group",
            "group_detail.remove_member": "Removed a driver from a user group",
            "group_detail.set_authorised": "Changed whether a group member may charge",
        },
    ),
    **_entries(
        _K.EDIT,
        "local list",
        {
            "local_list_form.submit": "Saved a local list",
            "add_id_tags.add_pasted": "Added pasted RFID cards to a local list",
            "add_id_tags.add_selected": "Added RFID cards to a local list",
            "assign.assign_selected": "Assigned a local list to charge points",
            "assign.assign_stations": "Assigned a local list to stations' charge points",
            "assigned_list.unassign": "Unassigned a local list from a charge point",
            "assigned_list.unassign_selected": "Unassigned a local list from charge points",
            "assigned_list.unassign_all": "Unassigned a local list from every charge point",
        },
    ),
    **_entries(
        _K.EDIT,
        "data issue",
        {
            "data_issue_list.resolve_one": "Resolved a charger data issue",
            "data_issue_list.resolve_selected": "Resolved the selected charger data issues",
            "data_issue_list.resolve_all_shown": "Resolved every charger data issue shown",
            "charge_point_data_issues.resolve_one": "Resolved a charger data issue",
            "charge_point_data_issues.resolve_selected": "Resolved the selected data issues",
            "charge_point_data_issues.resolve_all_shown": "Resolved every data issue shown",
        },
    ),
    **_entries(_K.EDIT, "firmware image", {"firmware.upload_image": "Uploaded a firmware image"}),
}

_SETTINGS = {
    **_entries(
        _K.SETTINGS,
        "network",
        {
            "system.set_unknown_policy": "Changed what happens to unknown charge points",
            "system.set_auth_required": "Changed whether charge points must authenticate",
            "system.set_duplicate_policy": "Changed the policy for second connections",
            "system_setting.change": "Changed a system setting",
        },
    ),
    **_entries(
        _K.SETTINGS,
        "charge point",
        {
            "charge_point_security.save_password": "Set a charge point's password",
            "charge_point_security.clear_password": "Cleared a charge point's password",
            "charge_point_security.generate": "Generated a password for a charge point",
        },
    ),
    **_entries(
        _K.SETTINGS,
        "account",
        {
            "account.create": "Created an operator account",
            "account.deactivate": "Deactivated an operator account",
            "account.reactivate": "Reactivated an operator account",
            "account.reset_password": "Reset an operator's password",
            "account.change_role": "Changed an operator's role",
            "account.change_password": "Changed their own password",
        },
    ),
    **_entries(
        _K.SETTINGS,
        "role",
        {
            "role.create": "Created a role",
            "role.update": "Changed a role's permissions",
            "role.delete": "Deleted a role",
        },
    ),
    **_entries(
        _K.SETTINGS,
        "sub-operator",
        {
            "sub_operator.create": "Created a sub-operator",
            "sub_operator.licence": "Changed a sub-operator's licence",
            "sub_operator_form.save": "Saved a sub-operator",
        },
    ),
}

_EXPORTS = {
    f"{state}.export_csv": AuditLabel(f"Exported the {what} list", _K.EXPORT)
    for state, what in {
        "driver_list": "drivers",
        "group_list": "user groups",
        "id_tag_list": "RFID cards",
        "vehicle_list": "vehicles",
        "station_list": "stations",
        "area_list": "areas",
        "charge_point_list": "charge points",
        "unregistered_list": "unregistered charge points",
        "live_list": "live monitoring",
        "active_session_list": "running sessions",
        "data_issue_list": "charger data issues",
        "charge_point_data_issues": "charge point's data issues",
        "flagged_session_list": "flagged sessions",
        "local_lists": "local lists",
        "entry_list": "local list's RFID cards",
        "assigned_list": "local list's charge points",
        "card_picker": "RFID card picker",
        "charge_point_picker": "charge point picker",
        "station_picker": "station picker",
        "sub_operator_list": "sub-operators",
        "account_list": "operator accounts",
        "role_list": "roles",
        "audit_list": "audit log",
    }.items()
} | {
    "message_log.export": AuditLabel("Exported a charge point's OCPP message log", _K.EXPORT),
}

LABELS: dict[str, AuditLabel] = {
    **_LOGINS,
    **_COMMANDS,
    **_BLOCKS,
    **_DELETIONS,
    **_EDITS,
    **_SETTINGS,
    **_EXPORTS,
}

# For actions not in LABELS: (kind, glob patterns on the action), first match wins.
FALLBACK_RULES: tuple[tuple[AuditKind, tuple[str, ...]], ...] = (
    (_K.LOGIN, ("login*", "logout*", "auth.*")),
    (_K.EXPORT, ("*.export*", "*.download*")),
    (
        _K.SETTINGS,
        (
            "account*",
            "role*",
            "sub_operator*",
            "organisation*",
            "licence*",
            "system*",
            "*password*",
        ),
    ),
    (_K.DELETION, ("*.delete*", "*.remove*", "*.ask_delete*")),
    (_K.BLOCK, ("*.block*", "*.unblock*", "*.suspend*", "*.reactivate*")),
    (_K.COMMAND, ("*.send*", "*.sync*")),
)
FALLBACK_KIND = _K.EDIT


def kind_of(action: str) -> AuditKind:
    """The kind of an action, listed or not."""
    known = LABELS.get(action)
    if known is not None:
        return known.kind
    name = action.lower()
    for kind, patterns in FALLBACK_RULES:
        if any(fnmatchcase(name, pattern) for pattern in patterns):
            return kind
    return FALLBACK_KIND


def label_of(action: str) -> str:
    """The sentence for an action; "<state>: <handler>" for one not listed."""
    known = LABELS.get(action)
    if known is not None:
        return known.text
    state, dot, handler = action.partition(".")
    if not dot:
        return action.replace("_", " ").capitalize()
    return f"{state.replace('_', ' ').capitalize()}: {handler.replace('_', ' ')}"


def actions_labelled(term: str) -> list[str]:
    """The listed actions whose label or kind name contains `term` (case-insensitive): what a
    search for "blocked" or "rfid" finds beyond the raw action names."""
    needle = term.strip().lower()
    if not needle:
        return []
    return sorted(
        action
        for action, label in LABELS.items()
        if needle in label.text.lower() or needle in KIND_LABELS[label.kind].lower()
    )


# Payload keys that name the object when the gate found no "...id" key (e.g. block(pk)).
_OBJECT_KEYS = ("pk", "identity", "id_tag", "name")


def object_of(action: str, object_type: str, object_id: str, detail: str) -> str:
    """What the action was on, for a reader: "RFID card 12", "charge point CP-7", or ""."""
    noun = LABELS[action].noun if action in LABELS else object_type.replace("_", " ")
    ident = object_id or _object_in_detail(detail)
    if not ident:
        return ""
    return f"{noun} {ident}".strip()


def _object_in_detail(detail: str) -> str:
    """The object named in a gate payload summary ("{'pk': 12}"), if one of the known keys
    is there; the summary is a dict's repr, read without evaluating anything."""
    if not detail.startswith("{"):
        return ""
    try:
        payload = ast.literal_eval(detail)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return ""
    if not isinstance(payload, dict):
        return ""
    for key in _OBJECT_KEYS:
        value = payload.get(key)
        if isinstance(value, int | str) and not isinstance(value, bool) and str(value):
            return str(value)
    return ""
