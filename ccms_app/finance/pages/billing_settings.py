"""Finance -> Billing settings (/finance/settings): currency, default VAT, rounding, time zone,
seller details and logo per organisation (the operator's own and its sub-operators'), and its
payment settings (the "Payments" section).

Controls carry data-testid "billing-<field>", errors "billing-<field>-error" (ui.form_fields);
the Payments section's "payments-<field>", "payments-<field>-error", "payments-save",
"payments-stripe".
"""

from __future__ import annotations

import reflex as rx

from ccms_app.accounts.state import AuthState
from ccms_app.branding.components.brand import page_title
from ccms_app.finance.components.subnav import FINANCE_ROUTE, finance_subnav
from ccms_app.finance.state.billing_settings import (
    LOGO_UPLOAD_ID,
    BillingSettingsState,
    PaymentSettingsState,
)
from ccms_app.ui.form_fields import field_error
from ccms_app.ui.i18n import Text, has_text, t, t_with
from ccms_app.ui.inputs import text_input
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import page_header
from ccms_app.ui.permissions import allowed, when_allowed

ROUTE = "/finance/settings"
TITLE = page_title("Billing settings")
S = BillingSettingsState
TESTID = "billing"


def _field(name: str, label: Text, hint: Text = "", **props: object) -> rx.Component:
    return rx.vstack(
        rx.el.label(
            rx.text(label, size="2", weight="medium"),
            text_input(
                value=S.values[name],
                on_change=lambda value: S.set_value(name, value),
                width="100%",
                color_scheme=rx.cond(S.errors.contains(name), "red", "gray"),
                read_only=~allowed(S.save),
                custom_attrs={"data-testid": f"{TESTID}-{name}"},
                **props,
            ),
            display="flex",
            flex_direction="column",
            gap="4px",
            width="100%",
        ),
        rx.text(hint, size="1", color=rx.color("gray", 10)) if has_text(hint) else rx.fragment(),
        field_error(S, name, TESTID),
        spacing="1",
        width="100%",
        min_width="0",
    )


def _rounding() -> rx.Component:
    return rx.vstack(
        rx.text(t("Rounding"), size="2", weight="medium"),
        rx.select.root(
            rx.select.trigger(width="100%", custom_attrs={"data-testid": f"{TESTID}-rounding"}),
            rx.select.content(
                rx.select.item(t("Half up (0.005 → 0.01)"), value="half_up"),
                rx.select.item(t("Half even (banker's)"), value="half_even"),
            ),
            value=S.values["rounding"],
            on_change=lambda value: S.set_value("rounding", value),
            disabled=~allowed(S.save),
        ),
        field_error(S, "rounding", TESTID),
        spacing="1",
        width="100%",
    )


def _organisation_picker() -> rx.Component:
    return rx.cond(
        S.organisations.length() > 1,
        rx.hstack(
            rx.text(t("Organisation"), size="2", color=rx.color("gray", 11)),
            rx.select.root(
                rx.select.trigger(
                    min_width="200px", custom_attrs={"data-testid": f"{TESTID}-organisation"}
                ),
                rx.select.content(
                    rx.foreach(S.organisations, lambda o: rx.select.item(o[1], value=o[0]))
                ),
                value=S.organisation_id,
                on_change=S.choose_organisation,
            ),
            align="center",
            spacing="2",
            wrap="wrap",
        ),
    )


def _defaults_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(t("Finance defaults"), size="3"),
            rx.grid(
                _field("currency", t("Currency"), t("ISO 4217, e.g. EUR"), max_length=3),
                _field("vat_percent", t("Default VAT %"), t("0 to 100; empty: no VAT")),
                _rounding(),
                _field("time_zone", t("Time zone"), t("IANA, e.g. Europe/Berlin")),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _seller_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(t("Seller on receipts and invoices"), size="3"),
            rx.grid(
                _field("seller_name", t("Name")),
                _field("seller_vat_id", t("VAT id"), t("e.g. DE123456789")),
                _field("seller_email", t("E-mail"), type="email"),
                _field("seller_address", t("Address")),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _logo_card() -> rx.Component:
    dropzone = rx.upload(
        rx.vstack(
            rx.icon("image-up", size=20, color=rx.color("gray", 10)),
            rx.text(t("Drop a PNG or JPEG (at most 512 KB), or click"), size="2"),
            rx.foreach(
                rx.selected_files(LOGO_UPLOAD_ID),
                lambda name: rx.text(name, size="1", weight="medium", color=rx.color("teal", 11)),
            ),
            align="center",
            spacing="1",
        ),
        id=LOGO_UPLOAD_ID,
        multiple=False,
        max_files=1,
        accept={"image/png": [".png"], "image/jpeg": [".jpg", ".jpeg"]},
        border=f"1px dashed {rx.color('gray', 7)}",
        border_radius="8px",
        padding="12px",
        width="100%",
        custom_attrs={"data-testid": f"{TESTID}-logo-dropzone"},
    )
    return rx.card(
        rx.vstack(
            rx.heading(t("Logo"), size="3"),
            rx.text(
                rx.cond(S.logo == "", t("No logo stored."), t_with("Stored: {file}", file=S.logo)),
                size="2",
                custom_attrs={"data-testid": f"{TESTID}-logo"},
            ),
            when_allowed(
                S.upload_logo,
                dropzone,
                rx.hstack(
                    rx.button(
                        rx.icon("upload", size=14),
                        t("Upload logo"),
                        variant="soft",
                        on_click=S.upload_logo(rx.upload_files(upload_id=LOGO_UPLOAD_ID)),
                        custom_attrs={"data-testid": f"{TESTID}-logo-upload"},
                    ),
                    rx.cond(
                        S.logo != "",
                        rx.button(
                            t("Remove"),
                            variant="ghost",
                            color_scheme="red",
                            on_click=S.remove_logo,
                        ),
                    ),
                    spacing="2",
                    wrap="wrap",
                ),
            ),
            field_error(S, "logo", TESTID),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


P = PaymentSettingsState
PAYMENTS = "payments"


def _payment_field(name: str, label: Text, hint: rx.Var | str = "") -> rx.Component:
    return rx.vstack(
        rx.el.label(
            rx.text(label, size="2", weight="medium"),
            text_input(
                value=P.values[name],
                on_change=lambda value: P.set_value(name, value),
                width="100%",
                inputmode="decimal",
                color_scheme=rx.cond(P.errors.contains(name), "red", "gray"),
                read_only=~allowed(P.save),
                custom_attrs={"data-testid": f"{PAYMENTS}-{name}"},
            ),
            display="flex",
            flex_direction="column",
            gap="4px",
            width="100%",
        ),
        rx.text(hint, size="1", color=rx.color("gray", 10)),
        field_error(P, name, PAYMENTS),
        spacing="1",
        width="100%",
        min_width="0",
    )


def _stripe_notice() -> rx.Component:
    return rx.callout(
        rx.cond(
            P.stripe_configured,
            t("Stripe is configured: card payments and top-ups are on."),
            t(
                "Card payments and top-ups are not configured (CCMS_STRIPE_SECRET_KEY is not set); "
                "wallets, vouchers and invoices work without them."
            ),
        ),
        icon=rx.cond(P.stripe_configured, "check", "info"),
        color_scheme=rx.cond(P.stripe_configured, "green", "amber"),
        size="1",
        width="100%",
        custom_attrs={"data-testid": f"{PAYMENTS}-stripe"},
    )


def _payments_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(t("Payments"), size="3"),
            _stripe_notice(),
            rx.grid(
                _payment_field(
                    "card_hold",
                    t("Card hold"),
                    t_with(
                        "In {currency}: reserved when a card session starts", currency=P.currency
                    ),
                ),
                _payment_field(
                    "wallet_minimum",
                    t("Wallet minimum"),
                    t_with("In {currency}: below it a wallet card is refused", currency=P.currency),
                ),
                _payment_field(
                    "recharge_amounts",
                    t("Recharge amounts"),
                    t_with(
                        "In {currency}, e.g. 10, 20, 50: the top-ups offered", currency=P.currency
                    ),
                ),
                _payment_field(
                    "top_up_minimum",
                    t("Top-up minimum"),
                    t_with("In {currency}", currency=P.currency),
                ),
                _payment_field(
                    "top_up_maximum",
                    t("Top-up maximum"),
                    t_with("In {currency}", currency=P.currency),
                ),
                rx.vstack(
                    rx.text(t("Memberships"), size="2", weight="medium"),
                    rx.hstack(
                        rx.switch(
                            checked=P.values["memberships_enabled"] == "true",
                            on_change=P.set_memberships,
                            disabled=~allowed(P.save),
                            custom_attrs={"data-testid": f"{PAYMENTS}-memberships_enabled"},
                        ),
                        rx.text(t("Offer membership plans"), size="2"),
                        align="center",
                        spacing="2",
                    ),
                    spacing="1",
                    width="100%",
                ),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
            ),
            when_allowed(
                P.save,
                rx.button(
                    rx.icon("save", size=14),
                    t("Save payment settings"),
                    on_click=P.save,
                    loading=P.busy,
                    align_self="end",
                    custom_attrs={"data-testid": f"{PAYMENTS}-save"},
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        custom_attrs={"data-testid": f"{PAYMENTS}-settings"},
    )


def page() -> rx.Component:
    return app_shell(
        FINANCE_ROUTE,
        page_header(
            t("Billing settings"),
            t("Currency, VAT and the seller printed on receipts and invoices."),
            _organisation_picker(),
        ),
        finance_subnav(ROUTE),
        rx.cond(
            S.loaded,
            rx.vstack(
                _defaults_card(),
                _seller_card(),
                when_allowed(
                    S.save,
                    rx.button(
                        rx.icon("save", size=14),
                        t("Save settings"),
                        on_click=S.save,
                        loading=S.busy,
                        align_self="end",
                        custom_attrs={"data-testid": f"{TESTID}-save"},
                    ),
                ),
                _logo_card(),
                rx.cond(P.loaded, _payments_card()),
                spacing="4",
                width="100%",
            ),
            rx.center(rx.spinner(size="3"), padding="48px", width="100%"),
        ),
    )


PAGES = (
    (
        page,
        ROUTE,
        TITLE,
        [AuthState.require_login, BillingSettingsState.load, PaymentSettingsState.load],
    ),
)
