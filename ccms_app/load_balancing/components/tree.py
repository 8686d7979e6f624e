"""Load Balancing -> one site -> Tree: the nodes indented by depth with their limits, the
charge points hanging under them, and the node and member dialogs.

Test ids: `lb-node-<id>`, `lb-node-add-<id>` (a node below), `lb-node-edit-<id>`,
`lb-member-add-<id>` (a charge point below), `lb-members-*` (components/rows),
`lb-member-edit-<id>`, dialogs `lb-node-*` / `lb-member-*` (fields, errors, save, delete).
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.load_balancing.components.forms import (
    delete_row,
    fields_grid,
    select_field,
)
from ccms_app.load_balancing.components.rows import Col, edit_button, rows_view
from ccms_app.load_balancing.state.shown import CURRENT_TYPES, NODE_KINDS, ROTATIONS
from ccms_app.load_balancing.state.tree import MemberFormState as M
from ccms_app.load_balancing.state.tree import NodeFormState as N
from ccms_app.load_balancing.state.tree import TreeState as T
from ccms_app.ui.data_list import RowVar
from ccms_app.ui.dialogs import dialog, dialog_body, dialog_buttons, notice, value_input
from ccms_app.ui.i18n import Text, t, t_var
from ccms_app.ui.permissions import when_allowed


def _small(label: Text, icon: str, on_click: object, testid: object) -> rx.Component:
    return rx.button(
        rx.icon(icon, size=12),
        label,
        size="1",
        variant="soft",
        on_click=on_click,
        custom_attrs={"data-testid": testid},
    )


def _kind_word(kind: Any) -> Any:
    """A node's kind as the tree writes it ("grid", "panel", "circuit"), in the tab's language."""
    return rx.match(
        kind, ("grid", t("grid")), ("panel", t("panel")), ("circuit", t("circuit")), kind
    )


def _node(r: RowVar) -> rx.Component:
    node_id = r["id"].to(str)
    return rx.flex(
        rx.hstack(
            rx.icon(rx.cond(r["root"] == "yes", "plug-zap", "git-branch"), size=14),
            rx.text(r["name"], weight="bold", size="2", overflow_wrap="anywhere"),
            rx.badge(_kind_word(r["kind"]), variant="soft", size="1"),
            spacing="2",
            align="center",
            min_width="0",
        ),
        rx.text(t_var(r["limit"]), size="2", color=rx.color("gray", 11)),
        rx.cond(
            r["members"] != "",
            rx.hstack(
                rx.icon("plug", size=12, color=rx.color("gray", 10)),
                rx.text(r["members"], size="1", color=rx.color("gray", 11)),
                spacing="1",
                align="center",
                min_width="0",
                overflow_wrap="anywhere",
            ),
        ),
        rx.spacer(),
        when_allowed(
            N.save,
            rx.flex(
                _small(t("Node below"), "plus", N.open_new(r["id"]), "lb-node-add-" + node_id),
                _small(t("Charge point"), "plug", M.open_new(r["id"]), "lb-member-add-" + node_id),
                _small(t("Edit"), "pencil", N.open_edit(r["id"]), "lb-node-edit-" + node_id),
                gap="6px",
                wrap="wrap",
            ),
        ),
        gap="8px",
        row_gap="4px",
        wrap="wrap",
        align="center",
        padding="8px 10px",
        margin_left=r["indent"],
        border_left=f"3px solid {rx.color('teal', 6)}",
        background=rx.color("gray", 2),
        border_radius="6px",
        min_width="0",
        custom_attrs={"data-testid": "lb-node-" + node_id},
    )


MEMBER_COLUMNS = [
    Col("identity", t("Charge point")),
    Col("node", t("Under")),
    Col("rotation", t("Phase rotation")),
    Col("type", t("AC/DC")),
    Col("currents", t("Min - max")),
    Col("fallback", t("Fallback")),
    Col("priority", t("Priority")),
]


def tree_section() -> rx.Component:
    return rx.cond(
        T.loaded,
        rx.vstack(
            rx.heading(t("Electrical tree"), size="4"),
            rx.text(
                t(
                    "Limits are per phase (A) and/or three-phase power (kW), less the margin. A "
                    "node's limit counts for everything below it."
                ),
                size="2",
                color=rx.color("gray", 11),
            ),
            rx.vstack(rx.foreach(T.nodes, _node), spacing="2", width="100%"),
            rx.heading(t("Charge points"), size="4", margin_top="8px"),
            rows_view(
                T.members,
                MEMBER_COLUMNS,
                "lb-members",
                t("No charge point in the tree yet: add one under a node."),
                actions=lambda r: when_allowed(
                    M.save, edit_button(M.open_edit, r, "lb-member-edit")
                ),
            ),
            node_dialog(),
            member_dialog(),
            spacing="3",
            width="100%",
        ),
        rx.center(rx.spinner(), width="100%", padding="24px"),
    )


def node_dialog() -> rx.Component:
    root = N.values["kind"] == "grid"
    return dialog(
        N.mode != "",
        N.set_open,
        rx.cond(N.mode == "create", t("New node"), t("Edit node")),
        dialog_body(
            value_input(N, "name", t("Name"), "lb-node"),
            rx.cond(
                root,
                rx.text(t("The grid connection: the root of the tree."), size="2"),
                fields_grid(
                    select_field(N, "kind", t("Kind"), NODE_KINDS, "lb-node"),
                    select_field(N, "parent_id", t("Below"), T.node_options, "lb-node"),
                ),
            ),
            fields_grid(
                value_input(N, "limit_a", t("Limit per phase (A)"), "lb-node", type="number"),
                value_input(N, "limit_kw", t("Power limit (kW)"), "lb-node", type="number"),
            ),
            value_input(N, "margin_a", t("Safety margin (A)"), "lb-node", type="number"),
            notice(N.message, "lb-node-message"),
            rx.cond(
                (N.mode == "edit") & ~root, delete_row(N, t("Really delete this node?"), "lb-node")
            ),
            dialog_buttons(
                None,
                t("Save"),
                N.busy,
                "lb-node-save",
                cancel_label=t("Cancel"),
                on_click=N.save,
            ),
        ),
        testid="lb-node-dialog",
    )


def member_dialog() -> rx.Component:
    return dialog(
        M.mode != "",
        M.set_open,
        rx.cond(M.mode == "create", t("Add a charge point"), t("Edit charge point")),
        dialog_body(
            select_field(
                M, "charge_point_id", t("Charge point"), T.cp_options, "lb-member", t("Choose…")
            ),
            select_field(M, "node_id", t("Below"), T.node_options, "lb-member"),
            fields_grid(
                select_field(M, "phase_rotation", t("Phase rotation"), ROTATIONS, "lb-member"),
                select_field(M, "current_type", t("AC / DC"), CURRENT_TYPES, "lb-member"),
                value_input(
                    M,
                    "min_current_a",
                    t("Minimum (A)"),
                    "lb-member",
                    hint=t("Empty: the site's minimum."),
                    type="number",
                ),
                value_input(M, "max_current_a", t("Maximum (A)"), "lb-member", type="number"),
                value_input(
                    M,
                    "fallback_current_a",
                    t("Fallback (A)"),
                    "lb-member",
                    hint=t("Sent as the default for when CCMS is away."),
                    type="number",
                ),
                value_input(M, "priority", t("Priority"), "lb-member", type="number"),
            ),
            notice(M.message, "lb-member-message"),
            rx.cond(
                M.mode == "edit",
                delete_row(M, t("Really delete this charge point from the tree?"), "lb-member"),
            ),
            dialog_buttons(
                None,
                t("Save"),
                M.busy,
                "lb-member-save",
                cancel_label=t("Cancel"),
                on_click=M.save,
            ),
        ),
        testid="lb-member-dialog",
    )
