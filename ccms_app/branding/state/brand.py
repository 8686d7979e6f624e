"""The brand a tab shows: its operator's organisation's once logged in, the network
operator's before (the login page).

Every page's shell and the login page load it when they mount (`components.brand`), so a
changed brand shows on the next page a tab opens, without a rebuild or a restart. The
fields start empty rather than with the default name, so a branded network never flashes
the default product name while its brand is on its way.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from ccms_app.accounts.gate_marks import optional_login
from ccms_app.accounts.state import AuthState
from ccms_app.branding import brands
from ccms_app.ui.events import event
from ccms_app.ui.state_writes import write_changed


class BrandState(rx.State):
    """Read by every page; holds nothing secret (what everyone on the login page sees)."""

    loaded: bool = False
    product_name: str = ""
    logo_url: str = ""  # "" = the default icon
    favicon_url: str = ""
    login_text: str = ""
    css: str = ""  # CSS variable overrides of the brand's colours

    @optional_login
    @event
    async def load(self) -> None:
        """On mount of the shell and the login page: the signed-in operator's organisation's
        brand, else the network operator's. Open to anyone (the login page needs it); the
        gate resolves the login first, so a dead session gets the network's brand."""
        auth_state = await self.get_state(AuthState)
        organisation_id = auth_state._organisation_id if auth_state.is_authenticated else 0
        if organisation_id:
            brand = await asyncio.to_thread(brands.effective_brand, organisation_id)
        else:
            brand = await asyncio.to_thread(brands.root_brand)
        self._show(brand)

    def _show(self, brand: brands.EffectiveBrand) -> None:
        """Assign only what changed, so a page load with the same brand sends nothing."""
        values = {
            "product_name": brand.product_name,
            "logo_url": brand.logo_url,
            "favicon_url": brand.favicon_url,
            "login_text": brand.login_text,
            "css": brand.css,
            "loaded": True,
        }
        write_changed(self, values)
