"""System > Branding: the signed-in operator's organisation's brand, edited (a sub-operator
its own, the network operator the root's: the organisation comes from the login, never from
the browser).

Thin: `branding.brands` checks, stores, audits and clears the brand cache. Looking and
typing need system:view (`@guarded`); saving, uploading and removing images system:edit
(`@requires`), checked by the gate and again by the use case. Colour warnings and the login
card preview follow every keystroke; they are computed here from the pure colour rules.

Reflex runs `load` again on every websocket reconnect, in the same tab state: the same
organisation's form loading again re-reads the brand and keeps what the operator typed but
has not saved (a field still as last read follows the brand; a typed one stays), and the
errors under the fields. Uploading or removing an image keeps the typed text too; Save
stores it, so its result replaces the form.
"""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.roles import NotFoundError, RefusedError
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.accounts.state import AuthState
from ccms_app.accounts.state.auth import SESSION_ENDED
from ccms_app.branding import brands
from ccms_app.branding.rules import colours
from ccms_app.branding.rules.fields import COLOUR_FIELDS, FIELDS
from ccms_app.branding.rules.uploads import RULES, ImageKind, UploadError
from ccms_app.branding.state.brand import BrandState
from ccms_app.core import i18n
from ccms_app.system.state.accounts import event_caller
from ccms_app.ui.events import event
from ccms_app.ui.reopen import ReopenAware, kept_edits

LOGO_UPLOAD_ID = "brand-logo-upload"
FAVICON_UPLOAD_ID = "brand-favicon-upload"


@guarded(Module.SYSTEM)
class BrandAdminState(ReopenAware, rx.State):
    """The form as typed (`values`), what it inherits (`inherited`), errors and warnings per
    field, and the preview's colours."""

    loaded: bool = False
    values: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    inherited: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    warnings: rx.Field[list[str]] = rx.field(default_factory=list)
    organisation_name: str = ""
    logo_url: str = ""  # what the brand shows now (own or inherited); "" = the icon
    favicon_url: str = ""
    own_logo: bool = False
    own_favicon: bool = False
    preview_primary: str = colours.DEFAULT_PRIMARY
    preview_button_text: str = "#ffffff"
    preview_link: str = colours.DEFAULT_PRIMARY
    preview_accent: str = colours.DEFAULT_PRIMARY
    busy: bool = False
    _stored: dict[str, str] = {}  # the fields as last read: what tells a typed value

    async def _language(self) -> str:
        return (await self.get_state(AuthState)).language

    @event
    async def load(self) -> Any:
        """on_load: the form of the operator's own organisation; the same organisation's
        form loading again keeps what was typed (module docstring)."""
        caller = await event_caller(self)
        if caller is None:
            self._closed()
            return None
        anew = self._opening_anew(str(caller.organisation_id))
        form = await asyncio.to_thread(brands.brand_form, caller.organisation_id)
        self.organisation_name = (await self.get_state(AuthState)).organisation_name
        self._show(form, keep_typed=not anew)
        if anew:
            self.errors = {}
        await self._preview()
        self.loaded = True
        return None

    @event
    async def set_value(self, name: str, value: str) -> None:
        """Typing: the tab's form only (nothing is stored before Save)."""
        if name not in FIELDS:
            return
        self.values = {**self.values, name: str(value)}
        if name in COLOUR_FIELDS:
            await self._preview()

    @requires(Action.EDIT)
    @event
    async def save(self) -> Any:
        caller = await event_caller(self)
        language = await self._language()
        if caller is None:
            return rx.toast.error(i18n.tr(SESSION_ENDED))
        self.busy = True
        try:
            form = await asyncio.to_thread(brands.save_brand, caller, dict(self.values))
        except brands.BrandInputError as exc:
            self.errors = {k: m.text(language) for k, m in exc.errors.items()}
            return rx.toast.error(
                i18n.gettext(language, "Not saved: check the fields marked in red.")
            )
        except (RefusedError, NotFoundError) as exc:
            return rx.toast.error(str(exc))
        finally:
            self.busy = False
        self._show(form)
        self.errors = {}
        await self._preview()
        return [BrandState.load, rx.toast.success(i18n.gettext(language, "Brand saved."))]

    @requires(Action.EDIT)
    @event
    async def upload_logo(self, files: list[rx.UploadFile]) -> Any:
        return await self._upload(ImageKind.LOGO, files, LOGO_UPLOAD_ID)

    @requires(Action.EDIT)
    @event
    async def upload_favicon(self, files: list[rx.UploadFile]) -> Any:
        return await self._upload(ImageKind.FAVICON, files, FAVICON_UPLOAD_ID)

    @requires(Action.EDIT)
    @event
    async def remove_logo(self) -> Any:
        return await self._remove(ImageKind.LOGO)

    @requires(Action.EDIT)
    @event
    async def remove_favicon(self) -> Any:
        return await self._remove(ImageKind.FAVICON)

    async def _upload(self, kind: ImageKind, files: list[rx.UploadFile], upload_id: str) -> Any:
        caller = await event_caller(self)
        language = await self._language()
        if caller is None:
            return rx.toast.error(i18n.tr(SESSION_ENDED))
        if not files:
            return rx.toast.error(i18n.gettext(language, "Choose a file first."))
        # Up to 16 times the limit, so "too big" can say the file's size; a bigger file is
        # refused all the same (said as the size read).
        data = await files[0].read(RULES[kind].max_bytes * 16)
        try:
            form = await asyncio.to_thread(brands.store_image, caller, kind, data)
        except UploadError as exc:
            text = exc.message.text(language)
            self.errors = {**self.errors, kind.value: text}
            return [rx.clear_selected_files(upload_id), rx.toast.error(text)]
        except (RefusedError, NotFoundError) as exc:
            return rx.toast.error(str(exc))
        self._show(form, keep_typed=True)
        self.errors = {k: v for k, v in self.errors.items() if k != kind.value}
        done = "Logo stored." if kind is ImageKind.LOGO else "Favicon stored."
        return [
            rx.clear_selected_files(upload_id),
            BrandState.load,
            rx.toast.success(i18n.gettext(language, done)),
        ]

    async def _remove(self, kind: ImageKind) -> Any:
        caller = await event_caller(self)
        language = await self._language()
        if caller is None:
            return rx.toast.error(i18n.tr(SESSION_ENDED))
        try:
            form = await asyncio.to_thread(brands.remove_image, caller, kind)
        except (RefusedError, NotFoundError) as exc:
            return rx.toast.error(str(exc))
        self._show(form, keep_typed=True)
        done = "Logo removed." if kind is ImageKind.LOGO else "Favicon removed."
        return [BrandState.load, rx.toast.success(i18n.gettext(language, done))]

    def _show(self, form: brands.BrandForm, keep_typed: bool = False) -> None:
        """The brand as read; with `keep_typed`, the fields typed since the last read stay."""
        inherited = form.inherited
        stored = {name: form.values.get(name, "") for name in FIELDS}
        self.values = kept_edits(self.values, self._stored, stored) if keep_typed else stored
        self._stored = stored
        self.inherited = {
            "product_name": inherited.product_name,
            "primary_colour": inherited.primary_colour or colours.DEFAULT_PRIMARY,
            "accent_colour": inherited.accent_colour or inherited.primary_colour,
            "login_text": inherited.login_text,
            "email_sender_name": inherited.email_sender_name or inherited.product_name,
            "document_header": inherited.document_header,
        }
        self.logo_url = form.effective.logo_url
        self.favicon_url = form.effective.favicon_url
        self.own_logo, self.own_favicon = form.has_logo, form.has_favicon

    async def _preview(self) -> None:
        """The preview's colours and the warnings, from the form as typed (an unreadable
        colour previews as the inherited one; the error shows on Save)."""
        language = await self._language()
        primary = self._colour("primary_colour", colours.DEFAULT_PRIMARY)
        accent = self._colour("accent_colour", primary)
        rgb = colours.parse_colour(primary)
        self.preview_primary = primary
        self.preview_button_text = colours.to_hex(colours.contrast_text(rgb))
        self.preview_link = colours.to_hex(colours.palette(rgb)[10])
        self.preview_accent = accent
        found = colours.warnings(
            self.values.get("primary_colour", ""), self.values.get("accent_colour", "")
        )
        self.warnings = [w.message.text(language) for w in found]

    def _colour(self, name: str, fallback: str) -> str:
        for text in (self.values.get(name, ""), self.inherited.get(name, "")):
            try:
                if text.strip():
                    return colours.normalise_colour(text)
            except colours.ColourError:
                continue
        return fallback
