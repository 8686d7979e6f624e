"""Languages: choosing one for a browser, translating with values, falling back to English."""

from __future__ import annotations

import pytest

from ccms_app.core import i18n


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh_Hans"),
        ("zh", "zh_Hans"),
        ("zh-Hans-SG", "zh_Hans"),
        ("zh-TW,en;q=0.5", "en"),  # Traditional Chinese is not Simplified: next choice
        ("de-AT,de;q=0.9", "de"),
        ("fr-FR,de;q=0.7,en;q=0.9", "en"),  # by quality, not by position
        ("fr-FR,de;q=0.9,en;q=0.7", "de"),
        ("fr, *;q=0.5", "en"),
        ("", "en"),
        ("de;q=0", "en"),  # q=0: not acceptable
        ("xx-!!,;;,de;q=abc", "en"),  # unreadable parts are skipped, nothing breaks
    ],
)
def test_the_browser_language(header: str, expected: str) -> None:
    assert i18n.negotiate(header) == expected


def test_translations_with_values_and_fallbacks() -> None:
    wait = "Too many failed attempts. Wait {wait} seconds, then try again."
    assert i18n.gettext("de", "Log out") == "Abmelden"
    assert i18n.gettext("zh_Hans", "Log out") == "退出登录"
    assert i18n.gettext("en", "Log out") == "Log out"
    assert i18n.gettext("de", wait, wait=12).startswith("Zu viele fehlgeschlagene Versuche. Warten")
    assert "12" in i18n.gettext("zh_Hans", wait, wait=12)
    # a message the catalog does not have yet, and a language CCMS does not have: English
    assert i18n.gettext("de", "Not in any catalog {n}", n=3) == "Not in any catalog 3"
    assert i18n.gettext("fr", "Log out") == "Log out"


def test_a_translation_that_names_other_values_falls_back_to_english(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(i18n.catalog("de"), "Wait {wait}", "Warten Sie {seconds}")
    assert i18n.gettext("de", "Wait {wait}", wait=5) == "Wait 5"


def test_a_message_is_worded_where_it_is_shown() -> None:
    message = i18n._("Too many failed attempts. Wait {wait} seconds, then try again.", wait=30)
    assert str(message) == "Too many failed attempts. Wait 30 seconds, then try again."
    assert "30" in message.text("de") and message.text("de") != str(message)
    assert message.msgid.startswith("Too many")  # the code callers can match on


def test_the_pseudo_language_marks_every_catalog_message() -> None:
    assert i18n.gettext(i18n.PSEUDO, "Log out") == "⟦Log out⟧"
    assert i18n.is_language(i18n.PSEUDO) and not i18n.is_language("fr")
    assert i18n.placeholders("{a} and {b}") == {"a", "b"}
