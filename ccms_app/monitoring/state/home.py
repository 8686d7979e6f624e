"""Home's live view: counts, totals and the first warnings of one organisation, in each tab.

Each tab holds its own copy (a plain per-tab state): the publisher builds an organisation's
summary once per push from aggregate queries, only while a tab shows it, and writes it into
every watching tab's HomeState (`monitoring.state.publisher.home_feed`). A tab receives a few
hundred bytes per push, never the network's rows. Home, Live Monitoring (counts, first
warnings), Assets, the station and Firmware pages join it; the last three recompute their
own views on its pushes.

Not a Reflex shared state: a tab linked to one had every state write patched through the
link, and every push it received, its Live Monitoring rows included, carried the tab's router
data and every dynamic route argument again (~2.7 KB), at about 9 ms of the app's time per
tab and push (bench/live_view_browser.py, ten tabs).

Languages: the texts it builds (the warnings' messages, the live power) are worded in every
language CCMS has (`warning_texts`, `live_power_texts`: a few hundred bytes), and the page
picks the tab's (`warning_message`, `live_power`); a language switch shows at once, without a
server round. Statuses and kinds stay values (the badges translate them in the browser).
"""

from __future__ import annotations

import asyncio
from typing import Any, TypeVar

import reflex as rx
from babel.numbers import format_decimal
from reflex.state import BaseState
from reflex.vars import ObjectVar
from reflex.vars.base import Var, VarData

from ccms_app.accounts import organisations
from ccms_app.accounts.gate_marks import guarded, signed_in
from ccms_app.accounts.rules.permissions import Module
from ccms_app.accounts.state import AuthState
from ccms_app.accounts.state.auth import has_permission
from ccms_app.core.i18n import CODES, DEFAULT, PSEUDO, babel_locale, reading_as
from ccms_app.core.operator_zone import operator_zone_of
from ccms_app.monitoring import registry
from ccms_app.monitoring.home_summary import HomeSummary, load_home_summary
from ccms_app.monitoring.view import (
    CountsView,
    StatusCount,
    WarningRow,
    build_home_view,
    warning_text,
)
from ccms_app.ui.events import event
from ccms_app.ui.state_writes import write_changed

ROUTE = "/"
# The modules whose pages join Home's view (their tabs get its pushes): Home, Live
# Monitoring (counts, warnings), Assets and Firmware (their live parts recompute on them).
LINKED_FROM = (Module.HOME, Module.LIVE_MONITORING, Module.ASSETS, Module.FIRMWARE)
# Every language a tab may read (the pseudo-language of the bypass check included).
WORDED_IN: tuple[str, ...] = (*sorted(CODES), PSEUDO)


def load_home_for_organisation(organisation_id: int) -> HomeSummary:
    """What an operator of `organisation_id` sees on Home (it and its sub-operators), its
    "today" and its clock in the operator's zone."""
    return load_home_summary(
        organisations.organisation_scope(organisation_id),
        zone=operator_zone_of(organisation_id),
    )


@guarded(Module.HOME)
class HomeState(rx.State):
    counts: CountsView = CountsView()
    connector_counts: rx.Field[list[StatusCount]] = rx.field(default_factory=list)
    warnings: rx.Field[list[WarningRow]] = rx.field(default_factory=list)
    warnings_total: rx.Field[int] = rx.field(0)
    updated_at: rx.Field[str] = rx.field("")
    # language -> {warning key -> its message}; language -> the live power ("7.4 kW")
    warning_texts: rx.Field[dict[str, dict[str, str]]] = rx.field(default_factory=dict)
    live_power_texts: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    loaded: bool = False

    @event
    async def show(self) -> None:
        """on_load of Home (home:view, so a role without it is sent where it may go)."""
        await self._join()

    @signed_in
    @event
    async def join(self) -> None:
        """on_load of the pages that follow Home's pushes (Live Monitoring, Assets, the
        station page, Firmware): link this tab when its role may see one of them.

        Declared `signed_in` and checked here: a role with Assets but not Home still gets
        the Assets page's pushes, where a refused page load would send it off the page.
        """
        auth_state = await self.get_state(AuthState)
        if any(has_permission(auth_state, module) for module in LINKED_FROM):
            await self._join()

    async def _join(self) -> None:
        auth_state = await self.get_state(AuthState)
        if not auth_state.is_authenticated:
            return
        organisation_id = auth_state._organisation_id
        # Watch before loading: an event that lands in between is pushed again afterwards.
        registry.watch(
            self.router.session.client_token,
            organisation_id,
            registry.HOME,
            auth_state._session_hash,
        )
        summary = await asyncio.to_thread(load_home_for_organisation, organisation_id)
        apply_summary(self, summary)

    @signed_in
    @event
    async def leave(self) -> None:
        """On logout: stop watching and receiving this organisation's Home view."""
        registry.unwatch(self.router.session.client_token, registry.HOME)


# The page states whose own live view is recomputed on Home's pushes (Firmware, the station
# map, the station page), by full name. Each has a `home_pushes` counter its computed view
# depends on; the push bumps it only in a tab showing that page (`follow_home_pushes`). Their
# views used to depend on HomeState.updated_at, and Reflex recomputed all three, and sent them,
# in every tab on every push: Live Monitoring's and Home's tabs too.
HOME_FOLLOWERS: dict[str, type[rx.State]] = {}

FollowerT = TypeVar("FollowerT", bound=type[rx.State])


def follows_home(cls: FollowerT) -> FollowerT:
    """Class decorator of such a page state (it declares `home_pushes: int = 0`)."""
    HOME_FOLLOWERS[cls.get_full_name()] = cls
    return cls


def follow_home_pushes(state: rx.State) -> None:
    """From the page's load: Home's pushes to this tab recompute `state`'s view until the
    page unmounts (`unfollow_home_pushes`, its `leave`)."""
    registry.follow_home(state.router.session.client_token, state.get_full_name())


def unfollow_home_pushes(state: rx.State) -> None:
    registry.unfollow_home(state.router.session.client_token, state.get_full_name())


async def push_to_followers(tab: str, root: BaseState) -> None:
    """A Home push reached `tab`: the page states following it there recompute their views."""
    for name in registry.home_followers(tab):
        follower = HOME_FOLLOWERS.get(name)
        if follower is not None:
            (await root.get_state(follower)).home_pushes += 1  # type: ignore[attr-defined]


def apply_summary(state: HomeState, summary: HomeSummary) -> None:
    """Write a summary into a tab's Home state."""
    write_home(state, home_fields(summary))


def write_home(state: HomeState, fields: dict[str, Any]) -> None:
    """Write `home_fields` into a tab's Home state: only what changed is sent to the tab.
    The lists are the tab's own copies (one summary's fields go to every watching tab)."""
    write_changed(
        state, {name: list(v) if isinstance(v, list) else v for name, v in fields.items()}
    )


def home_fields(summary: HomeSummary) -> dict[str, Any]:
    """A summary as HomeState's fields, built once per push for every tab: worded the same
    for every tab (English's way); the texts each language reads are in `warning_texts`."""
    with reading_as(DEFAULT):
        view = build_home_view(summary)
    return {
        "counts": view.counts,
        "connector_counts": view.connector_counts,
        "warnings": view.warnings,
        "warnings_total": view.warnings_total,
        "updated_at": view.updated_at,
        "warning_texts": {
            language: {
                row.key: warning_text(language, w)
                for row, w in zip(view.warnings, summary.warnings, strict=True)
            }
            for language in WORDED_IN
        },
        "live_power_texts": {
            language: power_text(language, summary.counts.live_power_kw, view.counts.live_power)
            for language in WORDED_IN
        },
        "loaded": True,
    }


def _number(language: str, value: float, digits: int) -> str:
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, pattern, locale=babel_locale(language))


def power_text(language: str, kw: float, english: str) -> str:
    """The network's live power as `language` writes numbers (English: as the view has it)."""
    if babel_locale(language) == DEFAULT:
        return english
    return f"{_number(language, kw, 1)} kW"


def _pick(texts: Any, *keys: Any, fallback: Any) -> Var[str]:
    """`texts[key][key]...` in the browser, `fallback` while it is missing."""
    expr = str(texts) + "".join(f"?.[{key!s}]" for key in keys)
    data = VarData.merge(
        texts._get_all_var_data(),
        fallback._get_all_var_data(),
        *[key._get_all_var_data() for key in keys],
    )
    return Var(_js_expr=f"({expr} ?? {fallback!s})", _var_type=str, _var_data=data)


def warning_message(row: ObjectVar) -> Var[str]:
    """A warning row's message (a Var of a `WarningRow`) in the tab's language."""
    return _pick(HomeState.warning_texts, AuthState.language, row.key, fallback=row.message)


def live_power() -> Var[str]:
    """The network's live power as the tab's language writes numbers."""
    return _pick(
        HomeState.live_power_texts, AuthState.language, fallback=HomeState.counts.live_power
    )
