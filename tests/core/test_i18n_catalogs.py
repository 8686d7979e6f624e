"""The catalogs are complete: the template lists exactly what the code marks, and no language
lacks a message English has (nor names other values in it)."""

from __future__ import annotations

from babel.messages.pofile import read_po

from ccms_app.core import i18n
from ccms_app.core.i18n_catalogs import extracted, problems


def test_the_template_is_what_the_code_marks() -> None:
    with (i18n.LOCALE_DIR / "messages.pot").open("rb") as handle:
        on_disk = {m.id for m in read_po(handle) if m.id}
    in_code = {m.id for m in extracted() if m.id}
    assert in_code - on_disk == set(), "new messages: run `ccms i18n extract` and translate them"
    assert on_disk - in_code == set(), "messages no longer used: run `ccms i18n extract`"


def test_every_language_has_every_message() -> None:
    for code in sorted(i18n.CODES - {i18n.DEFAULT}):
        lacking = [f"{p.what}: {p.msgid}" for p in problems(code)]
        assert lacking == [], f"{code} lacks translations (`ccms i18n check`): {lacking[:20]}"


def test_the_shell_and_the_login_page_are_in_the_catalog() -> None:
    for msgid in ["Log out", "Log in", "Password", "Live Monitoring", "Language"]:
        assert msgid in i18n.catalog_ids()
