"""The licence card on a sub-operator's Home: what the licence allows and how much is used.

Read on page load (a licence changes rarely; the figures follow the next visit). The network
operator itself has no licence terms and sees no card. Its sentences are worded here in the
tab's language (`licence_usage`, `licence_validity`; English as accounts.licences words
them); `follow_language` (the page's language watch) words them again after a switch.
"""

from __future__ import annotations

import asyncio
from datetime import date

import reflex as rx
from babel.dates import format_date
from babel.numbers import format_decimal

from ccms_app.accounts import licences
from ccms_app.accounts.gate_marks import guarded
from ccms_app.accounts.rules.permissions import Module
from ccms_app.accounts.state import AuthState
from ccms_app.core.i18n import DEFAULT, N_, babel_locale, gettext
from ccms_app.ui.events import event

# accounts.licences.LicenceStatus values as the card's badge shows them
LICENCE_STATUS_NAMES: dict[str, str] = {
    "active": N_("active"),
    "ended": N_("ended"),
    "not started": N_("not started"),
}


def _count(language: str, value: int) -> str:
    locale = babel_locale(language)
    return str(value) if locale == DEFAULT else format_decimal(value, locale=locale)


def _day(language: str, day: date) -> str:
    locale = babel_locale(language)
    return day.isoformat() if locale == DEFAULT else format_date(day, "medium", locale=locale)


def licence_usage(language: str, used: int, limit: int | None, what: str) -> str:
    """ "12 / 50 charge points", "12 connectors (no limit)" (`what`: "charge points" or
    "connectors")."""
    shown = _count(language, used)
    if what == "connectors":
        if limit is None:
            return gettext(language, "{used} connectors (no limit)", used=shown)
        return gettext(
            language, "{used} / {limit} connectors", used=shown, limit=_count(language, limit)
        )
    if limit is None:
        return gettext(language, "{used} charge points (no limit)", used=shown)
    return gettext(
        language, "{used} / {limit} charge points", used=shown, limit=_count(language, limit)
    )


def days_left_text(language: str, days: int) -> str:
    """ "1 day left", "40 days left"."""
    if days == 1:
        return gettext(language, "1 day left")
    return gettext(language, "{days} days left", days=_count(language, days))


def licence_validity(
    language: str,
    status: str,
    valid_from: date | None,
    valid_to: date | None,
    days_left: int | None,
) -> str:
    """The licence's dates as a sentence: "Valid until 2026-03-31 · 40 days left"."""
    if status == licences.LicenceStatus.ENDED and valid_to is not None:
        return gettext(language, "Ended on {date}", date=_day(language, valid_to))
    if status == licences.LicenceStatus.NOT_STARTED and valid_from is not None:
        return gettext(language, "Starts on {date}", date=_day(language, valid_from))
    if valid_to is None or days_left is None:
        return gettext(language, "No end date")
    if days_left == 1:
        return gettext(language, "Valid until {date} · 1 day left", date=_day(language, valid_to))
    return gettext(
        language,
        "Valid until {date} · {days} days left",
        date=_day(language, valid_to),
        days=_count(language, days_left),
    )


@guarded(Module.HOME)
class LicenceCardState(rx.State):
    shown: bool = False
    organisation: str = ""
    charge_points: str = ""
    connectors: str = ""
    validity: str = ""
    status: str = ""
    at_limit: bool = False
    read_only_reason: str = ""
    _language: str = DEFAULT  # the language of the sentences shown

    @event
    async def load(self) -> None:
        auth_state = await self.get_state(AuthState)
        summary = await asyncio.to_thread(licences.licence_summary, auth_state._organisation_id)
        self.shown = summary is not None
        if summary is None:
            return
        language = self._language = auth_state.language
        terms = summary.terms
        self.organisation = summary.organisation_name
        self.charge_points = licence_usage(
            language, summary.charge_points, terms.max_charge_points, "charge points"
        )
        self.connectors = licence_usage(
            language, summary.connectors, terms.max_connectors, "connectors"
        )
        self.validity = licence_validity(
            language, summary.status.value, terms.valid_from, terms.valid_to, summary.days_left
        )
        self.status = summary.status.value
        self.at_limit = summary.at_limit
        self.read_only_reason = summary.read_only_reason

    @event
    async def follow_language(self) -> None:
        """The tab's language changed: the card is read and worded again."""
        if self.shown and self._language != (await self.get_state(AuthState)).language:
            await self.load()
