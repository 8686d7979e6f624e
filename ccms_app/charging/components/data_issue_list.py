"""A list of charger data issues on the shared data list, with what an operator does with
them: open one (payload and policy), select, resolve one / the selected / all shown.

Used by the Maintenance page (every issue of the network) and a charge point's Data issues
tab (that charge point's unresolved ones), each with its own DataIssueActions state.
Test ids start with `testid`: `-view-<id>`, `-resolve-<id>`, `-select-<id>`, `-select-page`,
`-resolve-selected`, `-resolve-all`, `-confirm-all`, and the dialog's `-dialog`,
`-payload`, `-policy`, `-dialog-resolve`; the list's own ids are in data_list.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.charging.data_issue_admin import POLICY_DOC, RESOLVED, UNRESOLVED
from ccms_app.ui.data_list import Column, Filter, RowVar, data_list
from ccms_app.ui.i18n import Text, t, t_var, t_with
from ccms_app.ui.permissions import allowed, when_allowed


def _tid(testid: str, *parts: Any) -> dict[str, Any]:
    value: Any = testid
    for part in parts:
        value = value + "-" + part
    return {"data-testid": value}


def state_badge(row: RowVar) -> rx.Component:
    return rx.cond(
        row["state"] == UNRESOLVED,
        rx.badge(t("unresolved"), color_scheme="violet", variant="soft"),
        rx.tooltip(
            rx.badge(t("resolved"), color_scheme="gray", variant="soft"),
            content=t_with(
                "Resolved {when} by {who}", when=row["resolved_at"], who=row["resolved_by"]
            ),
        ),
    )


def _identity(row: RowVar, testid: str) -> rx.Component:
    """A link to the charge point's Data issues tab; an unknown identity is plain text."""
    return rx.cond(
        row["charge_point_id"] != "",
        rx.link(
            row["identity"],
            href="/charge-points/" + row["identity"].to(str) + "?tab=data-issues",
            weight="medium",
            size="2",
            custom_attrs=_tid(testid, "cp", row["id"]),
        ),
        rx.tooltip(
            rx.text(
                t_with("{identity} (unknown)", identity=row["identity"]),
                size="2",
                color=rx.color("gray", 11),
            ),
            content=t("No charge point with this identity is registered"),
        ),
    )


def _detail(row: RowVar) -> rx.Component:
    """At most two lines (the whole text is in the tooltip and the issue's dialog)."""
    return rx.text(
        row["detail"],
        size="2",
        min_width=["0", "0", "220px"],
        max_width=["100%", "100%", "340px"],
        white_space="normal",
        overflow="hidden",
        style={"display": "-webkit-box", "WebkitLineClamp": "2", "WebkitBoxOrient": "vertical"},
        title=row["detail"],
    )


def issue_columns(testid: str, *, with_identity: bool, with_state: bool) -> list[Column]:
    columns = [Column("created_at", t("Time"))]
    if with_identity:
        columns.append(Column("identity", t("Charge point"), render=lambda r: _identity(r, testid)))
    columns += [
        Column(
            "kind", t("Kind"), render=lambda r: rx.badge(t_var(r["kind_title"]), variant="outline")
        ),
        Column("detail", t("Detail"), sortable=False, render=_detail),
    ]
    if with_state:
        columns.append(Column("state", t("State"), sortable=False, render=state_badge))
    return columns


def _actions(state: Any, testid: str) -> Any:
    def actions(row: RowVar) -> rx.Component:
        unresolved = (row["state"] == UNRESOLVED) & allowed(state.resolve_one)
        return rx.hstack(
            rx.cond(
                unresolved,
                rx.checkbox(
                    checked=state.selected.contains(row["id"]),
                    on_change=lambda _checked: state.toggle_selected(row["id"]),
                    aria_label=t("Select"),
                    custom_attrs=_tid(testid, "select", row["id"]),
                ),
            ),
            rx.button(
                t("View"),
                size="1",
                variant="soft",
                color_scheme="gray",
                on_click=state.open_issue(row["id"]),
                custom_attrs=_tid(testid, "view", row["id"]),
            ),
            rx.cond(
                unresolved,
                rx.button(
                    rx.icon("check", size=12),
                    t("Resolve"),
                    size="1",
                    variant="soft",
                    on_click=state.resolve_one(row["id"]),
                    disabled=state.busy,
                    custom_attrs=_tid(testid, "resolve", row["id"]),
                ),
            ),
            spacing="2",
            align="center",
        )

    return actions


def _bulk_buttons(state: Any, testid: str) -> list[rx.Component]:
    """Selecting and resolving, for roles that may resolve (maintenance:edit)."""
    return [
        when_allowed(
            state.resolve_selected,
            *_bulk_resolve(state, testid),
        )
    ]


def _bulk_resolve(state: Any, testid: str) -> list[rx.Component]:
    return [
        rx.checkbox(
            t("Select page"),
            checked=state.page_selected,
            on_change=state.toggle_page,
            size="2",
            custom_attrs=_tid(testid, "select-page"),
        ),
        rx.button(
            rx.icon("check-check", size=14),
            t_with("Resolve selected ({count})", count=state.selected_count),
            variant="soft",
            on_click=state.resolve_selected,
            disabled=(state.selected_count == 0) | state.busy,
            custom_attrs=_tid(testid, "resolve-selected"),
        ),
        rx.button(
            t("Resolve all shown"),
            variant="soft",
            color_scheme="violet",
            on_click=state.set_confirm_all_open(True),
            disabled=(state.total == 0) | state.busy,
            custom_attrs=_tid(testid, "resolve-all"),
        ),
    ]


def _confirm_all(state: Any, testid: str) -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(t("Resolve all shown issues?")),
            rx.alert_dialog.description(
                t_with(
                    "Every unresolved issue among the {count} matching the search and filters "
                    "is marked resolved, on every page, not only this one. Their warnings leave "
                    "the live pages.",
                    count=state.total,
                ),
                size="2",
            ),
            rx.flex(
                rx.alert_dialog.cancel(rx.button(t("Cancel"), variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button(
                        t("Resolve all"),
                        color_scheme="violet",
                        on_click=state.resolve_all_shown,
                        custom_attrs=_tid(testid, "confirm-all"),
                    )
                ),
                gap="3",
                justify="end",
                margin_top="16px",
            ),
            max_width="480px",
        ),
        open=state.confirm_all_open,
        on_open_change=state.set_confirm_all_open,
    )


def _fact(label: Text, value: Any) -> rx.Component:
    return rx.hstack(
        rx.text(label, size="2", color=rx.color("gray", 11), min_width="88px"),
        rx.text(value, size="2", word_break="break-word"),
        spacing="2",
        align="start",
        width="100%",
    )


def _policy(state: Any, testid: str) -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon("book-open", size=16)),
        rx.vstack(
            rx.text(state.policy_title, weight="bold", size="2"),
            rx.text(state.policy_text, size="2"),
            rx.cond(
                state.policy_section != "",
                rx.text(
                    t_with(
                        "Data policy: {document}, section “{section}”.",
                        document=POLICY_DOC,
                        section=state.policy_section,
                    ),
                    size="1",
                    color=rx.color("gray", 11),
                ),
            ),
            spacing="1",
        ),
        color_scheme="violet",
        size="1",
        width="100%",
        custom_attrs=_tid(testid, "policy"),
    )


def _payload(state: Any, testid: str) -> rx.Component:
    return rx.box(
        rx.el.pre(
            state.issue_payload,
            font_size="12px",
            white_space="pre-wrap",
            word_break="break-all",
            margin="0",
        ),
        background=rx.color("gray", 2),
        border=f"1px solid {rx.color('gray', 5)}",
        border_radius="6px",
        padding="12px",
        max_height="40vh",
        overflow_y="auto",
        width="100%",
        custom_attrs=_tid(testid, "payload"),
    )


def issue_dialog(state: Any, testid: str) -> rx.Component:
    """One issue: where and when, what the policy says about its kind, the stored payload."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t_with("Data issue {id}", id=state.issue_id), size="4"),
            rx.vstack(
                _fact(t("Charge point"), state.issue_identity),
                _fact(t("Kind"), state.issue_kind),
                _fact(t("Time"), state.issue_time),
                _fact(
                    t("State"),
                    rx.cond(state.issue_resolved, state.issue_state, t("Unresolved")),
                ),
                _fact(t("Detail"), state.issue_detail),
                _policy(state, testid),
                rx.text(t("Stored payload"), size="2", weight="medium"),
                _payload(state, testid),
                spacing="2",
                width="100%",
            ),
            rx.flex(
                rx.dialog.close(rx.button(t("Close"), variant="soft", color_scheme="gray")),
                rx.cond(
                    ~state.issue_resolved & allowed(state.resolve_one),
                    rx.button(
                        rx.icon("check", size=14),
                        t("Resolve"),
                        on_click=state.resolve_one(state.issue_id),
                        disabled=state.busy,
                        custom_attrs=_tid(testid, "dialog-resolve"),
                    ),
                ),
                gap="3",
                justify="end",
                margin_top="16px",
            ),
            max_width="760px",
            width="calc(100vw - 24px)",
            custom_attrs=_tid(testid, "dialog"),
        ),
        open=state.issue_open,
        on_open_change=state.set_issue_open,
    )


def data_issue_list(
    state: Any,
    *,
    testid: str,
    kind_options: Any,
    with_identity: bool = True,
    with_state: bool = True,
    empty_text: Text | None = None,
    search_placeholder: Text | None = None,
) -> rx.Component:
    """The issue list with its bulk actions and dialogs."""
    filters = [Filter("kind", t("Kind"), kind_options)]
    if with_state:
        filters.append(
            Filter("state", t("State"), [(UNRESOLVED, t("Unresolved")), (RESOLVED, t("Resolved"))])
        )
    return rx.fragment(
        data_list(
            state,
            columns=issue_columns(testid, with_identity=with_identity, with_state=with_state),
            filters=filters,
            testid=testid,
            empty_text=t("No data issues.") if empty_text is None else empty_text,
            search_placeholder=(
                t("Search charge point or detail…")
                if search_placeholder is None
                else search_placeholder
            ),
            toolbar=_bulk_buttons(state, testid),
            actions=_actions(state, testid),
        ),
        issue_dialog(state, testid),
        _confirm_all(state, testid),
    )
