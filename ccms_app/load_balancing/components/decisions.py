"""Load Balancing -> one site -> Decisions: the controller's last 50 recomputations, each
opening to its inputs and results (JSON).

Test ids: `lb-decision-<id>`, `lb-decision-toggle-<id>`, `lb-decision-detail-<id>`,
`lb-decisions-empty`.
"""

from __future__ import annotations

import reflex as rx

from ccms_app.load_balancing.state.decisions import DecisionState as D
from ccms_app.ui.data_list import RowVar
from ccms_app.ui.i18n import Text, t, t_var, t_with


def _figure(label: Text, value: object) -> rx.Component:
    return rx.hstack(
        rx.text(label, size="1", color=rx.color("gray", 11), min_width="72px"),
        rx.text(value, size="2", white_space="nowrap"),
        spacing="2",
        align="center",
    )


def _decision(r: RowVar) -> rx.Component:
    decision_id = r["id"].to(str)
    opened = D.open_id == r["id"]
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.text(r["at"], weight="bold", size="2"),
                rx.badge(t_var(r["trigger"]), variant="soft"),
                rx.text(
                    t_with(
                        "cars {cars} · capped {capped} · {took}",
                        cars=r["cars"],
                        capped=r["capped"],
                        took=r["took"],
                    ),
                    size="2",
                ),
                rx.spacer(),
                rx.button(
                    rx.icon(rx.cond(opened, "chevron-up", "chevron-down"), size=14),
                    t("Detail"),
                    size="1",
                    variant="ghost",
                    on_click=D.toggle(r["id"]),
                    custom_attrs={"data-testid": "lb-decision-toggle-" + decision_id},
                ),
                gap="8px",
                row_gap="4px",
                wrap="wrap",
                align="center",
                width="100%",
            ),
            rx.flex(
                _figure(t("Capacity"), r["limit"]),
                _figure(t("Building"), r["building"]),
                _figure(t("Allocated"), r["allocated"]),
                gap="4px 20px",
                wrap="wrap",
            ),
            rx.cond(
                opened,
                rx.box(
                    rx.el.pre(
                        r["detail"],
                        font_size="12px",
                        white_space="pre-wrap",
                        overflow_wrap="anywhere",
                        margin="0",
                    ),
                    max_height="420px",
                    overflow_y="auto",
                    width="100%",
                    padding="8px",
                    background=rx.color("gray", 2),
                    border_radius="6px",
                    custom_attrs={"data-testid": "lb-decision-detail-" + decision_id},
                ),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        min_width="0",
        custom_attrs={"data-testid": "lb-decision-" + decision_id},
    )


def decisions_section() -> rx.Component:
    return rx.vstack(
        rx.flex(
            rx.heading(t("Decisions"), size="4"),
            rx.text(
                t_with("the last 50, newest first; times in {zone}", zone=D.zone),
                size="2",
                color=rx.color("gray", 11),
            ),
            rx.spacer(),
            rx.button(
                rx.icon("refresh-cw", size=14),
                t("Refresh"),
                size="1",
                variant="soft",
                on_click=D.refresh,
            ),
            gap="8px",
            wrap="wrap",
            align="center",
            width="100%",
        ),
        rx.text(t("Per phase L1 / L2 / L3."), size="1", color=rx.color("gray", 10)),
        rx.cond(
            D.rows.length() > 0,
            rx.vstack(rx.foreach(D.rows, _decision), spacing="2", width="100%"),
            rx.text(
                t(
                    "No decisions yet: the controller decides when a car starts or stops, on meter "
                    "values, building load, plan switches and periodically."
                ),
                size="2",
                color=rx.color("gray", 10),
                custom_attrs={"data-testid": "lb-decisions-empty"},
            ),
        ),
        spacing="3",
        width="100%",
    )
