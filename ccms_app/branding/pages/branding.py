"""System > Branding: product name, texts, colours (with contrast warnings), logo and favicon
of the signed-in operator's organisation, and a preview of the login card as it will look.

Empty fields inherit; the placeholder shows what. Test ids: `brand-field-<name>`,
`brand-colour-<name>`, `brand-save`, `brand-warning`, `brand-logo-dropzone`,
`brand-logo-upload`, `brand-logo-remove`, `brand-favicon-*`, `brand-<field>-error`,
`brand-preview`.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.accounts.state import AuthState
from ccms_app.branding.components.brand import mark_view
from ccms_app.branding.rules.uploads import ImageKind
from ccms_app.branding.state.admin import FAVICON_UPLOAD_ID, LOGO_UPLOAD_ID, BrandAdminState
from ccms_app.system.components.section_links import section_links
from ccms_app.ui.form_fields import field_label
from ccms_app.ui.i18n import t
from ccms_app.ui.inputs import text_area, text_input
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import page_header
from ccms_app.ui.permissions import allowed, when_allowed

ROUTE = "/system/branding"
TITLE = "Branding · System"
ON_LOAD = [AuthState.require_login, BrandAdminState.load]
TESTID = "brand"

# Any: the dict fields' Var methods (`values["x"]`) are not in Reflex's stubs.
S: Any = BrandAdminState


def _label(text: rx.Var[str], html_for: str) -> rx.Component:
    return field_label(text, html_for)


def _error(name: str) -> rx.Component:
    return rx.cond(
        S.errors.contains(name),
        rx.text(
            S.errors[name],
            size="1",
            color=rx.color("red", 11),
            custom_attrs={"data-testid": f"{TESTID}-{name}-error"},
        ),
    )


def _text_field(name: str, label: rx.Var[str], multi_line: bool = False) -> rx.Component:
    """One text field; its placeholder is what it inherits when left empty."""
    control = text_area if multi_line else text_input
    extra: dict[str, Any] = {"rows": "3", "resize": "vertical"} if multi_line else {}
    return rx.vstack(
        _label(label, f"brand-{name}"),
        control(
            id=f"brand-{name}",
            value=S.values[name].to(str),
            placeholder=S.inherited[name].to(str),
            on_change=lambda value: S.set_value(name, value),
            read_only=~allowed(S.save),
            width="100%",
            custom_attrs={"data-testid": f"{TESTID}-field-{name}"},
            **extra,
        ),
        _error(name),
        spacing="1",
        width="100%",
    )


def _texts_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(t("Name and texts"), size="3"),
            rx.text(
                t("Leave a field empty to use the one shown in grey (inherited)."),
                size="1",
                color=rx.color("gray", 11),
            ),
            _text_field("product_name", t("Product name")),
            _text_field("email_sender_name", t("E-mail sender name")),
            _text_field("login_text", t("Login page text"), multi_line=True),
            _text_field("document_header", t("Receipt and invoice header"), multi_line=True),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _colour_field(name: str, label: rx.Var[str], shown: Any) -> rx.Component:
    """A colour picker and the same colour as text (#RRGGBB), side by side."""
    return rx.vstack(
        _label(label, f"brand-{name}"),
        rx.hstack(
            rx.el.input(
                type="color",
                value=shown,
                on_change=lambda value: S.set_value(name, value),
                disabled=~allowed(S.save),
                aria_label=label,
                style={
                    "width": "44px",
                    "height": "32px",
                    "padding": "0",
                    "border": "none",
                    "background": "none",
                    "flex_shrink": "0",
                },
                custom_attrs={"data-testid": f"{TESTID}-picker-{name}"},
            ),
            text_input(
                id=f"brand-{name}",
                value=S.values[name].to(str),
                placeholder=S.inherited[name].to(str),
                on_change=lambda value: S.set_value(name, value),
                read_only=~allowed(S.save),
                max_length=7,
                width="120px",
                custom_attrs={"data-testid": f"{TESTID}-colour-{name}"},
            ),
            align="center",
            spacing="2",
        ),
        _error(name),
        spacing="1",
    )


def _warnings() -> rx.Component:
    return rx.foreach(
        S.warnings,
        lambda text: rx.callout(
            text,
            icon="triangle-alert",
            color_scheme="amber",
            size="1",
            width="100%",
            custom_attrs={"data-testid": f"{TESTID}-warning"},
        ),
    )


def _colours_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(t("Colours"), size="3"),
            rx.text(
                t(
                    "The primary colour is used for buttons, links and highlights; the accent "
                    "colour for details such as the band on the login card."
                ),
                size="1",
                color=rx.color("gray", 11),
            ),
            rx.flex(
                _colour_field("primary_colour", t("Primary colour"), S.preview_primary),
                _colour_field("accent_colour", t("Accent colour"), S.preview_accent),
                wrap="wrap",
                spacing="5",
            ),
            _warnings(),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _image_card(kind: ImageKind) -> rx.Component:
    logo = kind is ImageKind.LOGO
    upload_id = LOGO_UPLOAD_ID if logo else FAVICON_UPLOAD_ID
    upload = S.upload_logo if logo else S.upload_favicon
    remove = S.remove_logo if logo else S.remove_favicon
    own = S.own_logo if logo else S.own_favicon
    url = S.logo_url if logo else S.favicon_url
    accept = (
        {"image/png": [".png"], "image/jpeg": [".jpg", ".jpeg"], "image/webp": [".webp"]}
        if logo
        else {"image/png": [".png"], "image/x-icon": [".ico"], "image/vnd.microsoft.icon": [".ico"]}
    )
    hint = (
        t(
            "PNG, JPEG or WebP, at most 512 KB, 32 to 2000 px a side, at most 8 times as "
            "wide as high."
        )
        if logo
        else t("PNG or ICO, at most 100 KB, square, 16 to 512 px.")
    )
    current = rx.cond(
        url != "",
        rx.image(
            src=url,
            alt=t("Logo") if logo else t("Favicon"),
            height="40px" if logo else "32px",
            width="auto",
            max_width="100%",
            object_fit="contain",
        ),
        rx.text(t("None: the default icon shows."), size="2", color=rx.color("gray", 11)),
    )
    dropzone = rx.upload(
        rx.vstack(
            rx.icon("image-up", size=20, color=rx.color("gray", 10)),
            rx.text(t("Drop a file here, or click to choose one"), size="2", text_align="center"),
            rx.foreach(
                rx.selected_files(upload_id),
                lambda name: rx.text(name, size="1", weight="medium", color=rx.color("teal", 11)),
            ),
            align="center",
            spacing="1",
        ),
        id=upload_id,
        multiple=False,
        max_files=1,
        accept=accept,
        border=f"1px dashed {rx.color('gray', 7)}",
        border_radius="8px",
        padding="12px",
        width="100%",
        custom_attrs={"data-testid": f"{TESTID}-{kind.value}-dropzone"},
    )
    buttons = rx.flex(
        rx.button(
            rx.icon("upload", size=14),
            t("Upload logo") if logo else t("Upload favicon"),
            variant="soft",
            on_click=upload(rx.upload_files(upload_id=upload_id)),
            custom_attrs={"data-testid": f"{TESTID}-{kind.value}-upload"},
        ),
        rx.cond(
            own,
            rx.button(
                t("Remove logo") if logo else t("Remove favicon"),
                variant="ghost",
                color_scheme="red",
                on_click=remove,
                custom_attrs={"data-testid": f"{TESTID}-{kind.value}-remove"},
            ),
        ),
        spacing="2",
        wrap="wrap",
    )
    return rx.card(
        rx.vstack(
            rx.heading(t("Logo") if logo else t("Favicon"), size="3"),
            rx.text(hint, size="1", color=rx.color("gray", 11)),
            rx.box(current, custom_attrs={"data-testid": f"{TESTID}-{kind.value}-current"}),
            when_allowed(upload, dropzone, buttons),
            _error(kind.value),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def _shown(name: str) -> Any:
    """What the brand will show for a text field: as typed, else inherited."""
    return rx.cond(S.values[name].to(str) != "", S.values[name].to(str), S.inherited[name])


def _preview() -> rx.Component:
    """The login card with the draft brand (before it is saved)."""
    fake_input = rx.box(
        height="36px",
        width="100%",
        border=f"1px solid {rx.color('gray', 7)}",
        border_radius="6px",
        background="white",
    )
    return rx.card(
        rx.vstack(
            rx.box(height="4px", width="100%", background=S.preview_accent, border_radius="4px"),
            mark_view(_shown("product_name").to(str), S.logo_url),
            rx.heading(t("Log in to the operator console"), size="4"),
            rx.text(
                _shown("login_text"),
                size="2",
                color=rx.color("gray", 11),
                white_space="pre-line",
            ),
            rx.text(t("Email"), size="2", weight="medium"),
            fake_input,
            rx.text(t("Password"), size="2", weight="medium"),
            fake_input,
            rx.box(
                rx.text(t("Log in"), size="2", weight="medium"),
                background=S.preview_primary,
                color=S.preview_button_text,
                border_radius="6px",
                padding="8px",
                text_align="center",
                width="100%",
            ),
            rx.text(
                t("A link looks like this."),
                size="2",
                color=S.preview_link,
                text_decoration="underline",
            ),
            spacing="3",
            width="100%",
        ),
        size="3",
        width="100%",
        max_width="400px",
        custom_attrs={"data-testid": f"{TESTID}-preview"},
    )


def _form() -> rx.Component:
    save = rx.button(
        rx.icon("save", size=14),
        t("Save"),
        loading=S.busy,
        on_click=S.save,
        custom_attrs={"data-testid": f"{TESTID}-save"},
    )
    return rx.vstack(
        _texts_card(),
        _colours_card(),
        when_allowed(S.save, save),
        _image_card(ImageKind.LOGO),
        _image_card(ImageKind.FAVICON),
        spacing="4",
        width="100%",
        min_width="0",
    )


def _content() -> rx.Component:
    return rx.grid(
        _form(),
        rx.vstack(
            rx.heading(t("Preview"), size="3"),
            _preview(),
            spacing="2",
            width="100%",
            min_width="0",
        ),
        columns=rx.breakpoints(initial="1", lg="2"),
        spacing="5",
        width="100%",
    )


def page() -> rx.Component:
    return app_shell(
        ROUTE,
        page_header(
            t("Branding"),
            t("Your product name, logo, colours and texts on every page, e-mail and document."),
        ),
        section_links(ROUTE),
        rx.cond(
            S.loaded,
            rx.vstack(
                rx.text(
                    t("Brand of"),
                    " ",
                    rx.text.strong(S.organisation_name),
                    size="2",
                    color=rx.color("gray", 11),
                ),
                _content(),
                spacing="3",
                width="100%",
            ),
            rx.spinner(),
        ),
    )


PAGES: list[tuple[Any, str, Any, list[Any]]] = [(page, ROUTE, TITLE, ON_LOAD)]
