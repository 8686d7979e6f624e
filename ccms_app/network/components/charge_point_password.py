"""The charge point password dialog and the button that opens it (OCPP Security Profile 1).

Use on any page that lists charge points: put `charge_point_password_dialog()` once on the
page and `charge_point_password_button(charge_point_id, identity)` where each one is shown.
"""

from __future__ import annotations

import reflex as rx

from ccms_app.network.charger_security import MAX_KEY_LENGTH, MIN_KEY_LENGTH
from ccms_app.network.state.charge_point_security import ChargePointSecurityState as S
from ccms_app.ui.i18n import t, t_with
from ccms_app.ui.inputs import text_input
from ccms_app.ui.permissions import when_allowed


def charge_point_password_button(
    charge_point_id: rx.Var | int, identity: rx.Var | str
) -> rx.Component:
    """Opens the dialog: for roles that may change passwords (assets:edit)."""
    return when_allowed(
        S.save_password,
        rx.button(
            rx.icon("key-round", size=14),
            t("Password"),
            size="1",
            variant="soft",
            color_scheme="gray",
            on_click=S.open_for(charge_point_id),
            custom_attrs={"data-testid": f"password-{identity}"},
        ),
    )


def _status() -> rx.Component:
    return rx.cond(
        S.identity != "",
        rx.hstack(
            rx.text(t("Password"), size="2", weight="medium"),
            rx.cond(
                S.has_password,
                rx.badge(t("set: authentication required"), color_scheme="green", variant="soft"),
                rx.badge(t("none: connects without authentication"), color_scheme="gray"),
            ),
            align="center",
            custom_attrs={"data-testid": "password-status"},
        ),
    )


def _revealed_key() -> rx.Component:
    return rx.cond(
        S.revealed_key != "",
        rx.callout(
            rx.vstack(
                rx.text(
                    t(
                        "Copy this key now and set it on the charge point as its AuthorizationKey "
                        "(Basic auth password). CCMS keeps only a hash and cannot show it again."
                    ),
                    size="2",
                ),
                rx.hstack(
                    rx.code(
                        S.revealed_key,
                        size="3",
                        custom_attrs={"data-testid": "password-revealed"},
                    ),
                    rx.icon_button(
                        rx.icon("copy", size=14),
                        size="1",
                        variant="soft",
                        on_click=[
                            rx.set_clipboard(S.revealed_key),
                            rx.toast.info(t("Key copied to the clipboard.")),
                        ],
                        aria_label=t("Copy the key"),
                    ),
                    align="center",
                    wrap="wrap",
                ),
                spacing="2",
            ),
            icon="key-round",
            color_scheme="amber",
            width="100%",
        ),
    )


def _feedback() -> rx.Component:
    return rx.fragment(
        rx.cond(
            S.error != "",
            rx.callout(
                S.error,
                icon="triangle-alert",
                color_scheme="red",
                size="1",
                width="100%",
                custom_attrs={"data-testid": "password-error"},
            ),
        ),
        rx.cond(
            (S.message != "") & (S.error == ""),
            rx.callout(
                S.message,
                icon="circle-check",
                color_scheme="green",
                size="1",
                width="100%",
                custom_attrs={"data-testid": "password-message"},
            ),
        ),
    )


def _form() -> rx.Component:
    return rx.vstack(
        rx.text(
            t_with(
                "Type a password ({min}-{max} printable ASCII characters, no spaces) or generate "
                "a strong one. The charge point sends it with its identity as username; it "
                "applies from its next connection.",
                min=MIN_KEY_LENGTH,
                max=MAX_KEY_LENGTH,
            ),
            size="2",
            color=rx.color("gray", 11),
        ),
        rx.hstack(
            text_input(
                value=S.password,
                on_change=S.set_password,
                type="password",
                placeholder=t("New password"),
                max_length=MAX_KEY_LENGTH,
                auto_complete="new-password",
                width="100%",
                custom_attrs={"data-testid": "password-input"},
            ),
            rx.button(
                t("Set"),
                on_click=S.save_password,
                loading=S.busy,
                custom_attrs={"data-testid": "password-set"},
            ),
            width="100%",
        ),
        _feedback(),
        _revealed_key(),
        rx.hstack(
            rx.button(
                rx.icon("shuffle", size=14),
                t("Generate"),
                variant="soft",
                on_click=S.generate,
                loading=S.busy,
                custom_attrs={"data-testid": "password-generate"},
            ),
            rx.button(
                t("Clear password"),
                variant="soft",
                color_scheme="red",
                on_click=S.clear_password,
                disabled=~S.has_password | S.busy,
                custom_attrs={"data-testid": "password-clear"},
            ),
            rx.spacer(),
            rx.dialog.close(rx.button(t("Close"), variant="soft", color_scheme="gray")),
            width="100%",
            wrap="wrap",
        ),
        spacing="3",
        width="100%",
    )


def charge_point_password_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t_with("Password · {identity}", identity=S.identity)),
            rx.dialog.description(
                t("OCPP Security Profile 1: HTTP Basic authentication for this charge point."),
                size="2",
                margin_bottom="12px",
            ),
            rx.vstack(
                _status(),
                rx.cond(
                    S.load_error != "",
                    rx.callout(S.load_error, icon="triangle-alert", color_scheme="red"),
                    _form(),
                ),
                spacing="3",
                width="100%",
            ),
            size=rx.breakpoints(initial="2", sm="3"),
            max_width="520px",
            width="calc(100vw - 24px)",
            custom_attrs={"data-testid": "password-dialog"},
        ),
        open=S.dialog_open,
        on_open_change=S.set_dialog_open,
    )
