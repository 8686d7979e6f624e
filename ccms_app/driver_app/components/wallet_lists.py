"""The wallet page's lists: recharge history (top-ups and every wallet movement) and the
driver's receipts with their PDFs."""

from __future__ import annotations

import reflex as rx
from reflex.vars.object import ObjectVar

from ccms_app.driver_app.components.wallet_parts import line, section
from ccms_app.driver_app.state.wallet import WalletState as W
from ccms_app.ui.i18n import t, t_with


def _muted(text: object) -> rx.Component:
    return rx.text(text, size="1", color=rx.color("gray", 11))


def _top_up(row: ObjectVar[dict[str, str]]) -> rx.Component:
    return line(
        rx.vstack(
            rx.text(t("Top-up"), size="2", weight="medium"),
            _muted(row["when"]),
            spacing="0",
        ),
        rx.vstack(
            rx.text(row["paid"], size="2", weight="medium"),
            rx.cond(row["bonus"] != "", _muted(t_with("+{bonus} bonus", bonus=row["bonus"]))),
            rx.badge(
                row["state"],
                color_scheme=rx.cond(row["state_key"] == "paid", "green", "gray"),
                size="1",
            ),
            spacing="1",
            align="end",
        ),
        testid="top-up-row",
    )


def _movement(row: ObjectVar[dict[str, str]]) -> rx.Component:
    return line(
        rx.vstack(
            rx.text(row["kind"], size="2", weight="medium"),
            rx.cond(row["what"] != "", _muted(row["what"])),
            _muted(row["when"]),
            spacing="0",
        ),
        rx.vstack(
            rx.text(row["amount"], size="2", weight="medium"),
            _muted(t_with("balance {balance}", balance=row["balance_after"])),
            spacing="0",
            align="end",
        ),
        testid="movement-row",
    )


def history_section() -> rx.Component:
    return section(
        t("Recharge history"),
        rx.cond(
            W.top_ups.length() > 0,
            rx.vstack(rx.foreach(W.top_ups, _top_up), spacing="0", width="100%"),
            _muted(t("No top-ups yet.")),
        ),
        rx.heading(t("Wallet movements"), size="2", as_="h3"),
        rx.cond(
            W.movements.length() > 0,
            rx.vstack(rx.foreach(W.movements, _movement), spacing="0", width="100%"),
            _muted(t("Nothing has moved in your wallet yet.")),
        ),
        testid="wallet-history",
    )


def _receipt(row: ObjectVar[dict[str, str]]) -> rx.Component:
    return line(
        rx.vstack(
            rx.link(
                rx.hstack(
                    rx.icon("file-down", size=14, aria_hidden="true"),
                    row["number"],
                    spacing="1",
                    align="center",
                ),
                href=row["url"],
                download=row["number"] + ".pdf",
                # A document request: a client-side route change would show the app's 404.
                reload_document=True,
                aria_label=t_with("Download {number} (PDF)", number=row["number"]),
                custom_attrs={"data-testid": "receipt-pdf"},
            ),
            _muted(row["kind"] + " · " + row["issued"]),
            spacing="0",
        ),
        rx.text(row["total"], size="2", weight="medium"),
        testid="receipt-row",
    )


def receipts_section() -> rx.Component:
    return section(
        t("Receipts"),
        rx.cond(
            W.receipts.length() > 0,
            rx.vstack(rx.foreach(W.receipts, _receipt), spacing="0", width="100%"),
            _muted(t("No receipts yet. You get one for every charging session you pay for.")),
        ),
        testid="wallet-receipts",
    )
