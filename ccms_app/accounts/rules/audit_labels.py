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

Sentences, nouns and kinds are message ids (`N_`), whole sentences each: the audit page shows
them in the reader's language (`t_var`), the CSV export and the API in English.

Pure: no database, no Reflex.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from enum import StrEnum
from fnmatch import fnmatchcase

from ccms_app.core.i18n import N_, tr


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
    N_("account"),
    {
        "login": N_("Logged in"),
        "login_failed": N_("Failed login"),
        "logout": N_("Logged out"),
        "auth.logout": N_("Logged out"),
    },
)

_COMMANDS = {
    **_entries(
        _K.COMMAND,
        N_("charge point"),
        {
            "command.send": N_("Sent a command to a charge point"),
            "charge_point_detail.send": N_("Sent a command to a charge point"),
            "bulk_command.send": N_("Sent a command to several charge points"),
            "charge_point_config.fetch": N_("Read a charge point's configuration"),
            "charge_point_config.save": N_("Changed a charge point's configuration key"),
            "smart_charging.send_profile": N_("Sent a charging profile"),
            "smart_charging.clear": N_("Cleared a charging profile"),
            "smart_charging.get_composite": N_("Asked for a composite schedule"),
            "charge_point_reservation.reserve": N_("Reserved a connector"),
            "charge_point_reservation.cancel": N_("Cancelled a reservation"),
            "charge_point_local_list.sync_now": N_("Sent the local list changes to a charge point"),
            "charge_point_local_list.sync_full": N_("Sent the full local list to a charge point"),
            "charge_point_local_list.check_version": N_(
                "Asked a charge point for its list version"
            ),
            "firmware.request_diagnostics": N_("Requested diagnostics from a charge point"),
        },
    ),
    **_entries(
        _K.COMMAND,
        N_("local list"),
        {
            "local_list_detail.sync_now": N_("Sent a local list to its charge points"),
            "users_local_list.sync_all": N_("Sent every local list to its charge points"),
        },
    ),
    **_entries(
        _K.COMMAND,
        N_("firmware campaign"),
        {
            "firmware.create_campaign": N_("Started a firmware update campaign"),
            "firmware.cancel_campaign": N_("Cancelled a firmware update campaign"),
        },
    ),
}

_BLOCKS = {
    **_entries(
        _K.BLOCK,
        N_("RFID card"),
        {
            "id_tag_actions.block": N_("Blocked an RFID card"),
            "id_tag_actions.unblock": N_("Unblocked an RFID card"),
        },
    ),
    **_entries(
        _K.BLOCK,
        N_("driver"),
        {
            "driver_actions.suspend": N_("Suspended a driver"),
            "driver_actions.reactivate": N_("Reactivated a driver"),
        },
    ),
    **_entries(
        _K.BLOCK,
        N_("charge point"),
        {"asset_action.set_enabled": N_("Took a charge point out of or back into service")},
    ),
}

_DELETIONS = {
    **_entries(
        _K.DELETION,
        N_("RFID card"),
        {
            "id_tag_actions.ask_delete": N_("Asked to delete an RFID card"),
            "id_tag_actions.delete": N_("Deleted an RFID card"),
        },
    ),
    **_entries(
        _K.DELETION,
        N_("vehicle"),
        {
            "vehicle_actions.ask_delete": N_("Asked to delete a vehicle"),
            "vehicle_actions.delete": N_("Deleted a vehicle"),
        },
    ),
    **_entries(_K.DELETION, N_("driver"), {"driver_detail.delete": N_("Deleted a driver")}),
    **_entries(_K.DELETION, N_("user group"), {"group_detail.delete": N_("Deleted a user group")}),
    **_entries(
        _K.DELETION,
        N_("local list"),
        {
            "local_list_delete.ask_delete": N_("Asked to delete a local list"),
            "local_list_delete.delete": N_("Deleted a local list"),
            "entry_list.remove": N_("Removed an RFID card from a local list"),
            "entry_list.remove_selected": N_("Removed RFID cards from a local list"),
        },
    ),
    **_entries(
        _K.DELETION,
        N_("asset"),
        {
            "asset_action.ask": N_("Asked to delete or disable an area, station or charge point"),
            "asset_action.confirm": N_("Deleted or disabled an area, station or charge point"),
        },
    ),
}

_EDITS = {
    **_entries(
        _K.EDIT,
        N_("station"),
        {
            "station_form.save": N_("Saved a station"),
            "asset_import.run_import": N_("Imported assets from CSV"),
        },
    ),
    **_entries(_K.EDIT, N_("area"), {"area_form.save": N_("Saved an area")}),
    **_entries(
        _K.EDIT,
        N_("asset import"),
        {"asset_import.check_files": N_("Checked CSV files for an import")},
    ),
    **_entries(
        _K.EDIT,
        N_("charge point"),
        {
            "charge_point_form.save": N_("Saved a charge point"),
            "register_form.save": N_("Registered a charge point"),
        },
    ),
    **_entries(_K.EDIT, N_("driver"), {"driver_form.submit": N_("Saved a driver")}),
    **_entries(_K.EDIT, N_("RFID card"), {"id_tag_form.submit": N_("Saved an RFID card")}),
    **_entries(_K.EDIT, N_("vehicle"), {"vehicle_form.submit": N_("Saved a vehicle")}),
    **_entries(
        _K.EDIT,
        N_("user group"),
        {
            "group_form.submit": N_("Saved a user group"),
            "group_detail.add_member": N_("Added a driver to a user group"),
            "group_detail.remove_member": N_("Removed a driver from a user group"),
            "group_detail.set_authorised": N_("Changed whether a group member may charge"),
        },
    ),
    **_entries(
        _K.EDIT,
        N_("local list"),
        {
            "local_list_form.submit": N_("Saved a local list"),
            "add_id_tags.add_pasted": N_("Added pasted RFID cards to a local list"),
            "add_id_tags.add_selected": N_("Added RFID cards to a local list"),
            "assign.assign_selected": N_("Assigned a local list to charge points"),
            "assign.assign_stations": N_("Assigned a local list to stations' charge points"),
            "assigned_list.unassign": N_("Unassigned a local list from a charge point"),
            "assigned_list.unassign_selected": N_("Unassigned a local list from charge points"),
            "assigned_list.unassign_all": N_("Unassigned a local list from every charge point"),
        },
    ),
    **_entries(
        _K.EDIT,
        N_("data issue"),
        {
            "data_issue_list.resolve_one": N_("Resolved a charger data issue"),
            "data_issue_list.resolve_selected": N_("Resolved the selected charger data issues"),
            "data_issue_list.resolve_all_shown": N_("Resolved every charger data issue shown"),
            "charge_point_data_issues.resolve_one": N_("Resolved a charger data issue"),
            "charge_point_data_issues.resolve_selected": N_("Resolved the selected data issues"),
            "charge_point_data_issues.resolve_all_shown": N_("Resolved every data issue shown"),
        },
    ),
    **_entries(
        _K.EDIT, N_("firmware image"), {"firmware.upload_image": N_("Uploaded a firmware image")}
    ),
}

_SETTINGS = {
    **_entries(
        _K.SETTINGS,
        N_("network"),
        {
            "system.set_unknown_policy": N_("Changed what happens to unknown charge points"),
            "system.set_auth_required": N_("Changed whether charge points must authenticate"),
            "system.set_duplicate_policy": N_("Changed the policy for second connections"),
            "system_setting.change": N_("Changed a system setting"),
        },
    ),
    **_entries(
        _K.SETTINGS,
        N_("charge point"),
        {
            "charge_point_security.save_password": N_("Set a charge point's password"),
            "charge_point_security.clear_password": N_("Cleared a charge point's password"),
            "charge_point_security.generate": N_("Generated a password for a charge point"),
        },
    ),
    **_entries(
        _K.SETTINGS,
        N_("account"),
        {
            "account.create": N_("Created an operator account"),
            "account.deactivate": N_("Deactivated an operator account"),
            "account.reactivate": N_("Reactivated an operator account"),
            "account.reset_password": N_("Reset an operator's password"),
            "account.change_role": N_("Changed an operator's role"),
            "account.change_password": N_("Changed their own password"),
        },
    ),
    **_entries(
        _K.SETTINGS,
        N_("role"),
        {
            "role.create": N_("Created a role"),
            "role.update": N_("Changed a role's permissions"),
            "role.delete": N_("Deleted a role"),
        },
    ),
    **_entries(
        _K.SETTINGS,
        N_("sub-operator"),
        {
            "sub_operator.create": N_("Created a sub-operator"),
            "sub_operator.licence": N_("Changed a sub-operator's licence"),
            "sub_operator_form.save": N_("Saved a sub-operator"),
        },
    ),
}

# Whole sentences (a translation words each its own way), not "Exported the {what} list".
_EXPORTS = {
    action: AuditLabel(text, _K.EXPORT)
    for action, text in {
        "driver_list.export_csv": N_("Exported the drivers list"),
        "group_list.export_csv": N_("Exported the user groups list"),
        "id_tag_list.export_csv": N_("Exported the RFID cards list"),
        "vehicle_list.export_csv": N_("Exported the vehicles list"),
        "station_list.export_csv": N_("Exported the stations list"),
        "area_list.export_csv": N_("Exported the areas list"),
        "charge_point_list.export_csv": N_("Exported the charge points list"),
        "unregistered_list.export_csv": N_("Exported the unregistered charge points list"),
        "live_list.export_csv": N_("Exported the live monitoring list"),
        "active_session_list.export_csv": N_("Exported the running sessions list"),
        "data_issue_list.export_csv": N_("Exported the charger data issues list"),
        "charge_point_data_issues.export_csv": N_("Exported the charge point's data issues list"),
        "flagged_session_list.export_csv": N_("Exported the flagged sessions list"),
        "local_lists.export_csv": N_("Exported the local lists list"),
        "entry_list.export_csv": N_("Exported the local list's RFID cards list"),
        "assigned_list.export_csv": N_("Exported the local list's charge points list"),
        "card_picker.export_csv": N_("Exported the RFID card picker list"),
        "charge_point_picker.export_csv": N_("Exported the charge point picker list"),
        "station_picker.export_csv": N_("Exported the station picker list"),
        "sub_operator_list.export_csv": N_("Exported the sub-operators list"),
        "account_list.export_csv": N_("Exported the operator accounts list"),
        "role_list.export_csv": N_("Exported the roles list"),
        "audit_list.export_csv": N_("Exported the audit log list"),
        "message_log.export": N_("Exported a charge point's OCPP message log"),
    }.items()
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
    """The listed actions whose label or kind name contains `term` (case-insensitive), in
    English or in the reader's language: what a search for "blocked", "gesperrt" or "rfid"
    finds beyond the raw action names."""
    needle = term.strip().lower()
    if not needle:
        return []
    return sorted(
        action
        for action, label in LABELS.items()
        if any(
            needle in text.lower()
            for msgid in (label.text, KIND_LABELS[label.kind])
            for text in {msgid, tr(msgid)}
        )
    )


# Payload keys that name the object when the gate found no "...id" key (e.g. block(pk)).
_OBJECT_KEYS = ("pk", "identity", "id_tag", "name")


def object_of(action: str, object_type: str, object_id: str, detail: str) -> str:
    """What the action was on, in English: "RFID card 12", "charge point CP-7", or ""."""
    noun, ident = object_parts(action, object_type, object_id, detail)
    if not ident:
        return ""
    return f"{noun} {ident}".strip()


def object_parts(action: str, object_type: str, object_id: str, detail: str) -> tuple[str, str]:
    """The object's noun (a message id for a listed action, "RFID card"; the object type's
    words otherwise) and its identifier ("12"; "" when the entry names none)."""
    noun = LABELS[action].noun if action in LABELS else object_type.replace("_", " ")
    return noun, object_id or _object_in_detail(detail)


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
