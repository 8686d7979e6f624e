"""Keeping the catalogs in step with the code (`ccms i18n extract` / `ccms i18n check`).

Extraction reads every Python file of CCMS with Babel and collects the marked messages:
`t("...")` and `t_with("...", name=var)` (pages), `N_("...")` (tables of texts), `_("...")`
(a `Message`) and the message of `gettext(code, "...")`. The template (messages.pot) is
rewritten; each language's catalog gets the new messages with an empty translation and keeps
every translation it has (a message no longer in the code is kept as obsolete, `#~`, for a
translator to reuse).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from ccms_app.core.i18n import CODES, DEFAULT, DOMAIN, LOCALE_DIR, placeholders

SOURCE_DIR = LOCALE_DIR.parent
KEYWORDS = {
    "t": None,
    "t_with": None,
    "page_title": None,
    "N_": None,
    "_": None,
    "tr": None,
    "gettext": (2,),
}
METHODS = [("**.py", "python")]


def extracted() -> Catalog:
    """The template: every marked message of the code, with where it is used."""
    template = Catalog(project="CCMS", domain=DOMAIN, charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        SOURCE_DIR, method_map=METHODS, keywords=KEYWORDS, comment_tags=("i18n:",)
    ):
        if isinstance(message, str) and message:
            template.add(
                message,
                locations=[(f"ccms_app/{filename}", lineno)],
                auto_comments=comments,
                context=context,
            )
    return template


def _po_path(code: str) -> Path:
    return LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def _read(path: Path, code: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=code)


def _write(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, sort_output=True, omit_header=False)


def update_catalogs() -> dict[str, int]:
    """Rewrite the template and bring every language's catalog up to it; returns how many
    messages each language still lacks."""
    template = extracted()
    _write(LOCALE_DIR / f"{DOMAIN}.pot", template)
    lacking: dict[str, int] = {}
    for code in sorted(CODES - {DEFAULT}):
        path = _po_path(code)
        catalog = _read(path, code) if path.exists() else Catalog(locale=code, domain=DOMAIN)
        catalog.update(template, no_fuzzy_matching=True)
        _write(path, catalog)
        lacking[code] = len(problems(code, catalog, template))
    return lacking


@dataclass(frozen=True)
class Problem:
    msgid: str
    what: str  # "missing" | "fuzzy" | "placeholders"


def problems(
    code: str, catalog: Catalog | None = None, template: Catalog | None = None
) -> list[Problem]:
    """What language `code` lacks against the template: messages without a translation (or
    only a fuzzy one), translations that name other values than the English message."""
    template = template if template is not None else _read(LOCALE_DIR / f"{DOMAIN}.pot")
    catalog = catalog if catalog is not None else _read(_po_path(code), code)
    found: list[Problem] = []
    for message in template:
        if not message.id or not isinstance(message.id, str):
            continue
        translated = catalog.get(message.id)
        if translated is None or not translated.string:
            found.append(Problem(message.id, "missing"))
        elif translated.fuzzy:
            found.append(Problem(message.id, "fuzzy"))
        elif placeholders(str(translated.string)) != placeholders(message.id):
            found.append(Problem(message.id, "placeholders"))
    return found
