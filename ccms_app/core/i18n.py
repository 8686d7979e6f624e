"""Languages: the message catalogs, translating a message, choosing a language for a browser.

Messages are gettext-style: the English text is the message id (`msgid`), so English needs no
catalog and a message missing from another language falls back to English, never to a blank.
Catalogs are `ccms_app/locale/<code>/LC_MESSAGES/messages.po`, read once with Babel;
`ccms i18n extract` collects every message the code marks (`t("...")` in pages, `_("...")`
and `Message` in Python) into `ccms_app/locale/messages.pot` and adds new ones to each
catalog for a translator. tests/core/test_i18n_catalogs.py fails when a language lacks a
message English has.

Messages with values name them: `_("Wait {seconds} seconds", seconds=12)`; a translation
keeps the same names in any order. A domain error is a `Message` (its English text is its
code, with its parameters), turned into words in the reader's language where it is shown.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from string import Formatter
from typing import Any, Self

from babel import Locale, UnknownLocaleError
from babel.messages.pofile import read_po

log = logging.getLogger(__name__)

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"
DEFAULT = "en"
# A pseudo-language for tests: every message marked as coming from the catalog (⟦...⟧), so a
# page that shows text without the marks shows text that bypasses the catalog.
PSEUDO = "qps"


# The language of whoever the running code answers (set by the event gate for each event of a
# tab, and by jobs writing for one reader): server-built text and formatted values use it.
_reader: ContextVar[str] = ContextVar("ccms_reader_language", default=DEFAULT)
_reader_organisation: ContextVar[int | None] = ContextVar("ccms_reader_org", default=None)
# Messages that name the product say "CCMS"; a reader sees their operator's product name (the
# white label), never CCMS. Not CCMS_SMTP_HOST and the like: those are settings' names.
PRODUCT_MENTION = re.compile(r"\bCCMS\b(?!_)")
PRODUCT_MENTION_JS = r"/\bCCMS\b(?!_)/g"
_product_name_of: Callable[[int | None], str] | None = None


@dataclass(frozen=True)
class Language:
    code: str  # CCMS's code: a catalog folder and a Babel locale
    name: str  # in the language itself, as the picker shows it


LANGUAGES: tuple[Language, ...] = (
    Language("en", "English"),
    Language("zh_Hans", "简体中文"),
    Language("de", "Deutsch"),
)
CODES = frozenset(language.code for language in LANGUAGES)


def is_language(code: str) -> bool:
    return code in CODES or code == PSEUDO


@cache
def catalog(code: str) -> dict[str, str]:
    """msgid -> translation of one language (empty for English); fuzzy and empty entries are
    left out, so they fall back to English."""
    if code == PSEUDO:
        return {msgid: f"⟦{msgid}⟧" for msgid in catalog_ids()}
    if code == DEFAULT or code not in CODES:
        return {}
    path = LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as handle:
        po = read_po(handle, locale=code)
    return {
        str(m.id): str(m.string)
        for m in po
        if m.id and isinstance(m.id, str) and m.string and not m.fuzzy
    }


@cache
def catalog_ids() -> frozenset[str]:
    """Every message the code marks (the template the catalogs are made from)."""
    path = LOCALE_DIR / f"{DOMAIN}.pot"
    with path.open("rb") as handle:
        template = read_po(handle)
    return frozenset(str(m.id) for m in template if m.id and isinstance(m.id, str))


def gettext(code: str, msgid: str, /, **params: Any) -> str:
    """`msgid` in language `code`, its `{names}` filled from `params`, the product named as
    the reader's brand names it. A translation that names other values than the English one
    is a catalog error: English is shown instead."""
    text = catalog(code).get(msgid, msgid)
    if not params:
        return branded(text)
    try:
        return branded(text.format(**params))
    except (KeyError, IndexError, ValueError):
        log.warning("translation does not fit its message language=%s msgid=%r", code, msgid)
        return branded(msgid.format(**params))


def reader_language() -> str:
    """The language the running code writes in (English outside an event: the API, logs)."""
    return _reader.get()


def set_reader_language(code: str, organisation_id: int | None = None) -> None:
    """Write in `code`, naming the product as `organisation_id`'s brand does, from here on in
    this event (the gate calls it before every handler; `asyncio.to_thread` and background
    tasks inherit it)."""
    _reader.set(code if is_language(code) else DEFAULT)
    _reader_organisation.set(organisation_id)


@contextmanager
def reading_as(code: str, organisation_id: int | None = None) -> Iterator[None]:
    """Write for one reader for a while, then as before: a receipt in its organisation's
    document language, an alarm e-mail in its recipient's language."""
    language = _reader.set(code if is_language(code) else DEFAULT)
    organisation = _reader_organisation.set(organisation_id)
    try:
        yield
    finally:
        _reader_organisation.reset(organisation)
        _reader.reset(language)


def name_the_product_with(product_name_of: Callable[[int | None], str]) -> None:
    """How `tr` names the product for a reader's organisation (the branding module's brand;
    None: the network operator's). Registered at start-up, so core imports no feature."""
    global _product_name_of
    _product_name_of = product_name_of


def branded(text: str) -> str:
    """`text` with "CCMS" replaced by the reader's product name."""
    if _product_name_of is None or not PRODUCT_MENTION.search(text):
        return text
    name = _product_name_of(_reader_organisation.get())
    return PRODUCT_MENTION.sub(lambda _match: name, text)


class Translated(str):
    """Words in the reader's language that remember what they say: the message id (a domain
    error's code, English) and its values. A str everywhere (state, JSON, f-strings); the
    REST API answers the code and the values beside the words (`api.problems`)."""

    msgid: str
    params: dict[str, Any]

    def __new__(cls, text: str, msgid: str = "", params: Mapping[str, Any] | None = None) -> Self:
        made = super().__new__(cls, text)
        made.msgid = msgid or text
        made.params = dict(params or {})
        return made


def tr(msgid: str, /, **params: Any) -> str:
    """`msgid` in the reader's language, now (marks it for the catalogs): for text a handler
    builds for its tab, a toast, a form's error; it keeps `msgid` and `params` (`Translated`)."""
    return Translated(gettext(reader_language(), msgid, **params), msgid, params)


def placeholders(text: str) -> frozenset[str]:
    """The `{names}` a message fills in."""
    return frozenset(name for _, name, _, _ in Formatter().parse(text) if name)


@dataclass(frozen=True)
class Message:
    """Words to show later, in the reader's language: the English text (the message id, also
    the error's code) and the values it names."""

    msgid: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, code: str = DEFAULT) -> str:
        return gettext(code, self.msgid, **self.params)

    def __str__(self) -> str:
        return self.text(reader_language())


def N_(msgid: str) -> str:
    """Mark `msgid` for the catalogs where it is defined (a table of texts); it is
    translated where it is shown (`gettext`)."""
    return msgid


def _(msgid: str, /, **params: Any) -> Message:
    """Mark `msgid` for the catalogs; translated where it is shown (`Message.text`)."""
    return Message(msgid, params)


def negotiate(accept_language: str) -> str:
    """The language a browser asks for (its Accept-Language header), English when it asks for
    none CCMS has: "zh-CN,zh;q=0.9,en;q=0.8" -> "zh_Hans", "de-AT" -> "de"."""
    asked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _sep, rest = part.strip().partition(";")
        quality = 1.0
        if rest.strip().startswith("q="):
            try:
                quality = float(rest.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            asked.append((-quality, position, tag))
    for _quality, _position, tag in sorted(asked):
        found = _language_of(tag)
        if found is not None:
            return found
    return DEFAULT


def _language_of(tag: str) -> str | None:
    if tag == "*":
        return None
    try:
        locale = Locale.parse(tag.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return None
    if locale.language == "zh":  # Traditional Chinese (TW, HK, Hant) is not Simplified
        script = locale.script or ("Hans" if locale.territory in (None, "CN", "SG") else "Hant")
        return "zh_Hans" if script == "Hans" else None
    return locale.language if locale.language in CODES else None


def babel_locale(code: str) -> str:
    """The Babel locale that formats numbers, dates and money for language `code`."""
    return code if code in CODES else DEFAULT
