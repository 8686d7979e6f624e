"""Every page's words come from the catalog: a literal in a compiled page is English for
every reader (see tests/i18n/page_text.py). The browser check with the pseudo-language
(tests/accounts/test_languages_browser.py) proves the lookups show up on real pages; this one
covers every page of the app without a browser.

To see what a page still writes as a literal: `python -m tests.i18n.page_text finance`."""

from __future__ import annotations

import reflex as rx

from ccms_app.ui.i18n import t
from tests.i18n.page_text import Literal, literal_words, pages_words


def test_no_page_shows_words_that_bypass_the_catalog() -> None:
    found = pages_words()
    report = {
        f"/{route}": sorted({f"{word.where}: {word.text}" for word in words})
        for route, words in found.items()
    }
    assert report == {}


def test_the_check_sees_literal_text_and_attributes_but_not_catalog_lookups() -> None:
    page = rx.vstack(
        rx.text("Stations"),
        rx.text(t("Charge points")),
        rx.input(placeholder="Search…", aria_label=t("Search")),
        rx.icon_button(rx.icon("x"), aria_label="Close"),
        rx.text("English"),  # a language's own name: allowed
        rx.text(" · 12 "),  # no words
    )
    assert literal_words(page) == [
        Literal("text", "Stations"),
        Literal("placeholder", "Search…"),
        Literal("aria-label", "Close"),
    ]
