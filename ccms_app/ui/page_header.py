"""The title row of every page."""

from __future__ import annotations

from typing import cast

import reflex as rx
from reflex.constants import EventTriggers
from reflex.event import EventType
from reflex.utils.imports import ImportVar
from reflex.vars.base import LiteralVar, Var, VarData

from ccms_app.accounts.state import AuthState
from ccms_app.ui.connection import when_connected
from ccms_app.ui.i18n import t_with


def page_header(
    title: str | rx.Var[str],
    subtitle: str | rx.Var[str] = "",
    *right: rx.Component,
    testid: str = "",
) -> rx.Component:
    """`title` and `subtitle`: text or a Var (`t("...")`, so they follow the tab's language);
    an empty str subtitle shows nothing. `testid`: the row's data-testid."""
    shown = isinstance(subtitle, rx.Var) or subtitle != ""
    return rx.flex(
        rx.vstack(
            # German makes long single words ("Abrechnungseinstellungen"): they break rather
            # than push a phone's page sideways.
            rx.heading(title, size="6", overflow_wrap="anywhere"),
            rx.text(subtitle, size="2", color=rx.color("gray", 11)) if shown else rx.fragment(),
            spacing="1",
            min_width="0",
            max_width="100%",
        ),
        rx.spacer(),
        *right,
        width="100%",
        align="center",
        wrap="wrap",
        spacing="2",
        custom_attrs={"data-testid": testid} if testid else {},
    )


def live_indicator(updated_at: rx.Var) -> rx.Component:
    """Shows the page is live and when the data last changed; once the server is lost, that
    the data is as of then (ui/connection.py)."""
    return rx.hstack(
        rx.box(
            width="8px",
            height="8px",
            border_radius="50%",
            background=when_connected(rx.color("green", 9), rx.color("red", 9)),
        ),
        rx.text(
            when_connected(
                t_with("Live · updated {time}", time=updated_at),
                t_with("Connection lost · data as of {time}", time=updated_at),
            ),
            size="1",
            color=when_connected(rx.color("gray", 11), rx.color("red", 11)),
        ),
        align="center",
        spacing="2",
        custom_attrs={
            "data-testid": "live-indicator",
            "data-connection": when_connected("live", "lost"),
        },
    )


class _LanguageWatch(rx.Fragment):
    """A fragment whose `on_mount` handlers run when it mounts and again each time the tab's
    language changes: their useEffect depends on AuthState.language (declared by the `key`
    prop's hook before it) instead of on nothing."""

    def _get_mount_lifecycle_hook(self) -> str | None:
        return None  # replaced by the hook below

    def add_hooks(self) -> list[str | Var]:
        on_mount = self.event_triggers.get(EventTriggers.ON_MOUNT)
        if on_mount is None:
            return []
        chain = LiteralVar.create(on_mount)
        language = cast(Var, AuthState.language)
        hook = f"useEffect(() => {{ {chain!s}(); }}, [{language!s}]);"
        data = VarData.merge(
            chain._get_all_var_data(),
            language._get_all_var_data(),
            VarData(imports={"react": [ImportVar(tag="useEffect")]}),
        )
        return [Var(_js_expr=hook, _var_data=data)]


def follow_language(*handlers: EventType[()]) -> rx.Component:
    """Put on a page whose state words text on the server: `handlers` run when the page
    mounts and whenever the tab's language changes (AuthState.choose_language), so they can
    write that text again in the new language (each compares the language it wrote in).
    Nothing is shown."""
    return _LanguageWatch.create(key=AuthState.language, on_mount=list(handlers))
