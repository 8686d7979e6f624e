"""System > Audit log: who did what, when, on which object, from which address, and how it
ended: logins and failed logins, commands, edits, blocks, deletions, settings, role and
account changes, exports. Filters by kind, outcome and date; CSV export of everything the
filters match (all pages).

Test ids: `audit-*` (the list, see ui/data_list), `audit-since`, `audit-until`,
`audit-zone`.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.accounts.rules.audit_labels import KIND_LABELS, OUTCOME_LABELS
from ccms_app.accounts.state import AuthState
from ccms_app.branding.components.brand import page_title
from ccms_app.system.components.section_links import section_links
from ccms_app.system.state.audit import AuditListState
from ccms_app.ui.data_list import EMPTY, Column, Filter, RowVar, data_list
from ccms_app.ui.i18n import Text, t, t_var, t_with
from ccms_app.ui.inputs import text_input
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import page_header

ROUTE = "/system/audit"
TITLE = page_title("Audit log · System")
ON_LOAD = [AuthState.require_login, AuditListState.load, AuditListState.detect_zone]

KIND_COLOURS = {
    "login": "blue",
    "command": "teal",
    "edit": "gray",
    "deletion": "red",
    "block": "orange",
    "settings": "violet",
    "export": "cyan",
}
OUTCOME_COLOURS = {"ok": "green", "refused": "orange", "failed": "red"}

# Any: the dict field's Var methods (`.get(...).to(str)`) are not in Reflex's stubs.
A: Any = AuditListState


def _what(row: RowVar) -> rx.Component:
    return rx.vstack(
        rx.text(t_var(row["action"]), size="2", weight="medium", white_space="normal"),
        rx.badge(
            t_var(row["kind"]),
            color_scheme=rx.match(row["kind_key"], *KIND_COLOURS.items(), "gray"),
            variant="soft",
            size="1",
        ),
        spacing="1",
        align="start",
    )


def _outcome(row: RowVar) -> rx.Component:
    return rx.badge(
        t_var(row["outcome"]),
        color_scheme=rx.match(row["outcome_key"], *OUTCOME_COLOURS.items(), "gray"),
        variant="soft",
    )


def _wrapping(key: str, weight: str = "regular") -> Any:
    """A cell whose text may be one long word (an e-mail, an IPv6 address): it breaks
    anywhere rather than widen a phone's card past the screen."""
    return lambda row: rx.text(
        rx.cond(row[key] == "", EMPTY, row[key]), size="2", weight=weight, overflow_wrap="anywhere"
    )


def _object(row: RowVar) -> rx.Component:
    """ "RFID card 12": the noun in the tab's language, then the entry's identifier."""
    return rx.text(
        rx.cond(
            row["object_ref"] == "",
            EMPTY,
            rx.fragment(t_var(row["object_noun"]), " ", row["object_ref"]),
        ),
        size="2",
        overflow_wrap="anywhere",
    )


def _detail(row: RowVar) -> rx.Component:
    """Up to 1,000 characters: wrapped within a bounded width, never widening the table."""
    return rx.text(
        row["detail"],
        size="1",
        color=rx.color("gray", 11),
        white_space="normal",
        overflow_wrap="anywhere",
        max_width="360px",
    )


def _date(key: str, label: Text) -> rx.Component:
    """A From / To day (the operator's zone); clearing it drops the bound."""
    return rx.hstack(
        rx.text(label, size="2", color=rx.color("gray", 11)),
        text_input(
            type="date",
            value=A.filters.get(key, "").to(str),
            on_change=lambda value: AuditListState.set_filter(key, value),
            width="150px",
            aria_label=t_with("{label} date", label=label),
            custom_attrs={"data-testid": f"audit-{key}"},
        ),
        align="center",
        spacing="1",
    )


def _columns() -> list[Column]:
    return [
        Column("occurred_at", t("Time")),
        Column("actor", t("Who"), render=_wrapping("actor", "medium")),
        Column("action", t("What"), render=_what),
        Column("object_id", t("On"), render=_object),
        Column("outcome", t("Outcome"), render=_outcome),
        Column("remote_address", t("From"), render=_wrapping("remote_address")),
        Column("organisation", t("Organisation"), on_phone=False),
        Column("detail", t("Detail"), sortable=False, on_phone=False, render=_detail),
    ]


def audit_list() -> rx.Component:
    return data_list(
        AuditListState,
        columns=_columns(),
        filters=[
            Filter(
                "kind", t("Kind"), [(kind.value, t(label)) for kind, label in KIND_LABELS.items()]
            ),
            Filter(
                "outcome", t("Outcome"), [(key, t(label)) for key, label in OUTCOME_LABELS.items()]
            ),
        ],
        testid="audit",
        empty_text=t("No operator actions recorded yet."),
        search_placeholder=t("Search who, action, object, address, detail…"),
        toolbar=[_date("since", t("From")), _date("until", t("To"))],
    )


def page() -> rx.Component:
    return app_shell(
        ROUTE,
        page_header(t("System"), t("Audit log of operator actions.")),
        section_links(ROUTE),
        rx.text(
            t_with(
                "Times in {zone} (your browser's zone; the export also has UTC).",
                zone=AuditListState.zone,
            ),
            " ",
            rx.cond(
                AuditListState.retention_days > 0,
                t_with("Entries are kept for {days} days.", days=AuditListState.retention_days),
                t("Entries are kept for ever."),
            ),
            size="2",
            color=rx.color("gray", 11),
            custom_attrs={"data-testid": "audit-zone"},
        ),
        audit_list(),
    )


PAGES: list[tuple[Any, str, Any, list[Any]]] = [(page, ROUTE, TITLE, ON_LOAD)]
