"""Page guards for pages without a state of their own (modules not built yet).

A page's data handlers carry its permission; a page with none still must not open for a role
without its module's view permission. These no-op handlers exist so the gate checks it (and
sends the tab home with a message when refused).
"""

from __future__ import annotations

import reflex as rx

from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.ui.events import event


@guarded(Module.HOME)
class PageAccessState(rx.State):
    """One handler per such page; the gate does the work before it runs."""

    @requires(Action.VIEW, Module.LOAD_BALANCING)
    @event
    def load_balancing(self) -> None:
        """Load Balancing's page guard."""
