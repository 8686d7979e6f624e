"""The Data issues tab of a charge point page: its unresolved issues, with resolve."""

from __future__ import annotations

import reflex as rx

from ccms_app.charging.components.data_issue_list import data_issue_list
from ccms_app.charging.state.data_issues_tab import ChargePointDataIssuesState as Issues
from ccms_app.ui.i18n import t

TESTID = "cp-issues"


def data_issues_section() -> rx.Component:
    # One text for the translators; the link goes where they put {link}.
    intro = t(
        "What this charge point sent that CCMS could not apply as sent. Each issue keeps the "
        "request; resolving one takes it off the live warnings. All issues, resolved ones "
        "too: {link}."
    ).split("{link}")
    return rx.vstack(
        rx.heading(t("Data issues"), size="3"),  # on a phone the tab strip may hide its name
        rx.text(
            intro[0],
            rx.link(t("Maintenance"), href="/maintenance", size="2"),
            intro[1],
            size="2",
            color=rx.color("gray", 11),
        ),
        data_issue_list(
            Issues,
            testid=TESTID,
            kind_options=Issues.filter_options["kind"],
            with_identity=False,
            with_state=False,
            empty_text=t("No unresolved data issue on this charge point."),
            search_placeholder=t("Search detail…"),
        ),
        spacing="3",
        width="100%",
    )
