"""Small pieces the Users pages share: status badges, the Users sub-navigation, a delete
confirmation dialog, a back link."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.core.i18n import N_
from ccms_app.drivers.state.actions import IdTagActionsState
from ccms_app.ui.i18n import Text, t, t_with
from ccms_app.ui.permissions import when_allowed
from ccms_app.ui.subnav import subnav

USERS_ROUTE = "/users"
SUBPAGES: tuple[tuple[str, str, str], ...] = (
    (N_("Overview"), "/users", "layout-grid"),
    (N_("Drivers"), "/users/drivers", "user"),
    (N_("RFID cards"), "/users/id-tags", "credit-card"),
    (N_("Groups"), "/users/groups", "users"),
    (N_("Vehicles"), "/users/vehicles", "car"),
    (N_("Local lists"), "/users/local-lists", "list-checks"),
)
AUTHORIZATION_COLOURS = {"Accepted": "green", "Blocked": "red", "Expired": "amber"}
STATUS_COLOURS = {"active": "green", "blocked": "red", "suspended": "orange"}
# The values are OCPP's (AuthorizationStatus) and CCMS's own (a driver's or a card's status);
# the badges show them in the tab's language.
AUTHORIZATION_NAMES = {
    "Accepted": N_("Accepted"),
    "Blocked": N_("Blocked"),
    "Expired": N_("Expired"),
    "Invalid": N_("Invalid"),
    "ConcurrentTx": N_("ConcurrentTx"),
}
STATUS_NAMES = {"active": N_("active"), "blocked": N_("blocked"), "suspended": N_("suspended")}


def named(value: Any, names: dict[str, str]) -> rx.Var:
    """`value` in the tab's language when it is one of `names`, else as it is."""
    var = value if isinstance(value, rx.Var) else rx.Var.create(value)
    return rx.match(var, *[(key, t(name)) for key, name in names.items()], var.to(str))


def authorization_label(value: Any) -> rx.Var:
    """What Authorize answers (Accepted, Blocked, ...) in the tab's language."""
    return named(value, AUTHORIZATION_NAMES)


def date_or_never(value: Any) -> rx.Var:
    """A card's expiry date as the state words it: a date, or "never" in the tab's language."""
    return rx.cond(value == "never", t("never"), value)


def choices(names: dict[str, str], *keys: str) -> list[tuple[str, Text]]:
    """A filter's (value, label) choices, labelled in the tab's language."""
    return [(key, t(names[key])) for key in keys]


def _tid(value: Any) -> dict[str, Any]:
    return {"data-testid": value}


def status_badge(
    value: Any,
    colours: dict[str, str] = STATUS_COLOURS,
    label: Any = None,
    **props: Any,
) -> rx.Component:
    """A status coloured by `colours`, shown as `label` (default: a driver's or card's status
    in the tab's language)."""
    return rx.badge(
        named(value, STATUS_NAMES) if label is None else label,
        color_scheme=rx.match(value, *colours.items(), "gray"),
        variant="soft",
        radius="full",
        **props,
    )


def authorization_badge(value: Any, **props) -> rx.Component:
    """What Authorize answers for a card right now."""
    return status_badge(value, AUTHORIZATION_COLOURS, authorization_label(value), **props)


def users_subnav(active: str) -> rx.Component:
    """Links between the Users pages, each label in the tab's language; scrolls sideways on
    a phone."""
    return subnav(SUBPAGES, active, "users-tab")


def back_link(label: Text, href: str) -> rx.Component:
    return rx.link(
        rx.hstack(rx.icon("arrow-left", size=14), label, spacing="1", align="center"),
        href=href,
        size="2",
        underline="none",
    )


def confirm_dialog(
    open_: Any,
    on_open_change: Any,
    title: Any,
    text: Any,
    confirm_label: Text,
    on_confirm: Any,
    testid: str,
) -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(text, size="2"),
            rx.flex(
                rx.alert_dialog.cancel(rx.button(t("Cancel"), variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button(
                        confirm_label,
                        color_scheme="red",
                        on_click=on_confirm,
                        custom_attrs=_tid(f"{testid}-confirm"),
                    )
                ),
                justify="end",
                gap="8px",
                margin_top="16px",
            ),
            max_width="440px",
            width="calc(100vw - 24px)",
        ),
        open=open_,
        on_open_change=on_open_change,
    )


def card_delete_dialog() -> rx.Component:
    s = IdTagActionsState
    return confirm_dialog(
        s.confirm_open,
        s.set_confirm_open,
        t_with("Delete card {card}?", card=s.confirm_label),
        t("A card that was used for charging is kept for the history: block it instead."),
        t("Delete card"),
        s.delete,
        "card-delete",
    )


def card_actions(row_id: Any, id_tag: Any, blocked: Any, testid: str) -> rx.Component:
    """Block or unblock (and delete) a card, right where it is listed (users:edit)."""
    s = IdTagActionsState
    return when_allowed(s.block, _card_buttons(row_id, id_tag, blocked, testid))


def _card_buttons(row_id: Any, id_tag: Any, blocked: Any, testid: str) -> rx.Component:
    s = IdTagActionsState
    return rx.hstack(
        rx.cond(
            blocked,
            rx.button(
                rx.icon("lock-open", size=14),
                t("Unblock"),
                size="1",
                variant="soft",
                color_scheme="green",
                on_click=s.unblock(row_id),
                custom_attrs=_tid(testid + "-unblock-" + id_tag),
            ),
            rx.button(
                rx.icon("ban", size=14),
                t("Block"),
                size="1",
                variant="soft",
                color_scheme="red",
                on_click=s.block(row_id),
                custom_attrs=_tid(testid + "-block-" + id_tag),
            ),
        ),
        rx.icon_button(
            rx.icon("trash-2", size=14),
            size="1",
            variant="ghost",
            color_scheme="gray",
            aria_label=t("Delete card"),
            on_click=s.ask_delete(row_id, id_tag),
            custom_attrs=_tid(testid + "-delete-" + id_tag),
        ),
        spacing="2",
        align="center",
    )


def card_list(cards: Any, testid: str) -> rx.Component:
    """A driver's or group's cards (users_detail.CardRow): one line each, wrapping on a phone."""

    def line(card: Any) -> rx.Component:
        return rx.flex(
            rx.code(card.id_tag, size="2"),
            status_badge(card.status),
            rx.text(
                t_with(
                    "valid until {date}",
                    date=date_or_never(card.expiry),
                ),
                size="1",
                color=rx.color("gray", 11),
            ),
            rx.spacer(),
            card_actions(card.id, card.id_tag, card.blocked, testid),
            align="center",
            gap="8px",
            wrap="wrap",
            width="100%",
            padding="8px 12px",
            border_bottom=f"1px solid {rx.color('gray', 4)}",
            custom_attrs=_tid(testid + "-" + card.id_tag),
        )

    return rx.box(
        rx.foreach(cards, line),
        width="100%",
        border=f"1px solid {rx.color('gray', 5)}",
        border_radius="8px",
        overflow="hidden",
        custom_attrs=_tid(testid + "s"),
    )
