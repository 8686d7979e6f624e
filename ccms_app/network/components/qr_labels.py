"""The "QR labels" button of the station and charge point pages: the connectors' labels as
a PDF (network.qr_label_routes, its own gate: assets:view), opened in a new tab to print."""

from __future__ import annotations

import reflex as rx

from ccms_app.accounts.rules.permissions import Module
from ccms_app.network.rules.qr_labels import PREFIX
from ccms_app.ui.i18n import t
from ccms_app.ui.permissions import can


def qr_labels_button(kind: str, row_id: rx.Var | int, testid: str) -> rx.Component:
    """`kind`: "stations" or "charge-points" (network.rules.qr_labels' paths). Shown to roles
    that may see the assets (whoever the route serves)."""
    href = f"{PREFIX}/{kind}/" + rx.Var.create(row_id).to_string() + ".pdf"
    return rx.cond(
        can(Module.ASSETS),
        rx.button(
            rx.link(
                rx.icon("qr-code", size=14, aria_hidden="true"),
                t("QR labels"),
                href=href,
                is_external=True,
                reload_document=True,  # a document from an HTTP route, not a page
                underline="none",
                custom_attrs={"data-testid": testid},
            ),
            variant="soft",
            as_child=True,
        ),
    )
