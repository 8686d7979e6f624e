"""Languages: choosing one for a browser, translating with values, falling back to English."""

from __future__ import annotations

import json
import pickle

import pytest

from ccms_app.branding.state.brand import BrandState
from ccms_app.core import i18n
from ccms_app.ui.i18n import t, t_var


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


def test_the_reader_is_english_until_set_and_reading_as_restores_it() -> None:
    assert i18n.reader_language() == "en"
    assert i18n.tr("Log out") == "Log out"
    with i18n.reading_as("de"):
        assert i18n.tr("Log out") == i18n.catalog("de")["Log out"]
        with i18n.reading_as("zh_Hans", organisation_id=7):
            assert i18n.tr("Log out") == i18n.catalog("zh_Hans")["Log out"]
        assert i18n.reader_language() == "de"
        with i18n.reading_as("xx"):  # not a language CCMS has: English
            assert i18n.tr("Log out") == "Log out"
    assert i18n.reader_language() == "en"


def test_values_named_code_or_msgid_do_not_clash_with_the_arguments() -> None:
    assert i18n.tr("{code} is not an ISO 4217 currency code", code="XYZ").startswith("XYZ")
    assert i18n.gettext("de", "{msgid}", msgid="x") == "x"


def test_messages_name_the_readers_product_not_ccms(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[int | None] = []

    def product_name_of(organisation_id: int | None) -> str:
        asked.append(organisation_id)
        return "VoltNet" if organisation_id == 3 else "RootCharge"

    monkeypatch.setattr(i18n, "_product_name_of", product_name_of)
    text = "CCMS could not apply this; set CCMS_SMTP_HOST (CCMS's setting)."
    with i18n.reading_as("en", organisation_id=3):
        assert (
            i18n.tr(text) == "VoltNet could not apply this; set CCMS_SMTP_HOST (VoltNet's setting)."
        )
        assert str(i18n._("{who} asked CCMS", who="Ann")) == "Ann asked VoltNet"
    assert i18n.tr(text).startswith("RootCharge could not")  # no organisation: the operator's
    assert i18n.tr("Log out") == "Log out" and asked == [3, 3, None]  # asked only when named


def test_a_page_message_naming_ccms_names_the_brand_in_the_browser() -> None:

    plain, named = str(t("Log out")), str(t("What CCMS did; see CCMS_SMTP_HOST"))
    product = BrandState.product_name._js_expr
    assert ".replace(" not in plain
    assert named.endswith(f'.replace(/\\bCCMS\\b(?!_)/g, {product} || "CCMS"))')
    assert product in str(t_var(BrandState.login_text))


def test_translated_words_keep_their_code_and_values_through_a_state() -> None:
    with i18n.reading_as("de"):
        said = i18n.tr("{code} is not an ISO 4217 currency code", code="XYZ")
    assert isinstance(said, i18n.Translated) and said.startswith("XYZ")
    assert (said.msgid, said.params) == ("{code} is not an ISO 4217 currency code", {"code": "XYZ"})
    kept = pickle.loads(pickle.dumps(said))  # a state manager that pickles keeps them
    assert (kept, kept.msgid, kept.params) == (said, said.msgid, said.params)
    assert json.dumps({"error": said}) == json.dumps({"error": str(said)})
