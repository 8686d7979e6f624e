"""Stat cards and section cards. Their text is a str or a Var (`t("...")` from ui.i18n, so
it follows the tab's language)."""

from __future__ import annotations

import reflex as rx


def stat_card(
    label: str | rx.Var[str],
    value: rx.Var | str | int,
    icon: str,
    colour: str = "gray",
    testid: str = "",
) -> rx.Component:
    """One number an operator watches (online charge points, live power, ...)."""
    return rx.card(
        rx.hstack(
            rx.center(
                rx.icon(icon, size=20),
                color=rx.color(colour, 11),
                background=rx.color(colour, 3),
                border_radius="8px",
                padding="8px",
                display=["none", "flex"],
            ),
            rx.vstack(
                rx.text(label, size="2", color=rx.color("gray", 11)),
                rx.text(
                    value,
                    size=rx.breakpoints(initial="5", md="6"),
                    white_space="nowrap",
                    weight="bold",
                    custom_attrs={"data-testid": testid} if testid else {},
                ),
                spacing="0",
            ),
            spacing="3",
            align="center",
        ),
        size="2",
        width="100%",
    )


def section(
    title: str | rx.Var[str],
    *children: rx.Component,
    right: rx.Component | None = None,
    testid: str = "",
) -> rx.Component:
    """A titled block of a page (`testid`: its data-testid, the whole block)."""
    return rx.vstack(
        rx.flex(  # the button goes under a title too long for a phone (German)
            rx.heading(title, size="4", overflow_wrap="anywhere"),
            rx.spacer(),
            right if right is not None else rx.fragment(),
            width="100%",
            align="center",
            wrap="wrap",
            gap="8px",
        ),
        *children,
        spacing="3",
        width="100%",
        custom_attrs={"data-testid": testid} if testid else {},
    )


def empty_note(text: str | rx.Var[str]) -> rx.Component:
    return rx.text(text, size="2", color=rx.color("gray", 10), padding_y="8px")
