"""The words a compiled page shows without asking the catalog.

A page is compiled once for every reader, so text written into it as a literal is the same
for every language: it bypasses the catalog. `t("...")` compiles to a lookup in the tab's
catalog (a JavaScript expression), and values from the state are expressions too; only
literals are left as JSON strings in the rendered tree. This walks that tree and lists the
literal words (text children and the attributes a reader sees or hears: placeholder,
aria-label, title, a tooltip's content).
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from typing import Any

import reflex as rx

from ccms_app.ccms_app import app

_SHOWN_PROPS = ("placeholder", "aria-label", "ariaLabel", "title", "content")
_PROP = re.compile(r'^"?([A-Za-z-]+)"?:("(?:[^"\\]|\\.)*")$')
_WORDY = re.compile(r"[^\W\d_]")  # a letter, in any script
# Tags whose text is not shown as words (style sheets, scripts, head metadata).
_NOT_SHOWN = {"style", "script", "meta", "RadixThemesCode", "code", "pre"}
# Shown as written in every language on purpose: each language's name in itself.
ALLOWED = frozenset({"English", "简体中文", "Deutsch"})


@dataclass(frozen=True)
class Literal:
    where: str  # "text" or the attribute
    text: str


def literal_words(component: rx.Component) -> list[Literal]:
    """Every literal word of `component` (rendered) outside the catalog."""
    found: list[Literal] = []
    _walk(component.render(), found)
    return [word for word in found if word.text.strip() not in ALLOWED]


def _walk(node: Any, found: list[Literal]) -> None:
    if isinstance(node, list | tuple):  # rx.match cases render as tuples
        for child in node:
            _walk(child, found)
        return
    if not isinstance(node, dict):
        return
    if str(node.get("name", "")).strip('"') in _NOT_SHOWN:
        return
    contents = node.get("contents")
    if isinstance(contents, str):
        _add(found, "text", contents.strip())
    for prop in node.get("props") or []:
        match = _PROP.match(str(prop))
        if match and match.group(1) in _SHOWN_PROPS:
            _add(found, match.group(1), match.group(2))
    for key, value in node.items():
        if key not in ("contents", "props"):
            _walk(value, found)


def _add(found: list[Literal], where: str, source: str) -> None:
    """`source` is JavaScript: a JSON string literal is fixed text, anything else an
    expression (a catalog lookup, a state value)."""
    if not (source.startswith('"') and source.endswith('"')):
        return
    try:
        text = json.loads(source)
    except ValueError:
        return
    if isinstance(text, str) and _WORDY.search(text):
        found.append(Literal(where, text))


def pages_words(route_prefix: str = "") -> dict[str, list[Literal]]:
    """Route -> its literal words, for every page of the app (or those under a prefix)."""
    found: dict[str, list[Literal]] = {}
    for route, page in sorted(app._unevaluated_pages.items()):
        if route.startswith(route_prefix.strip("/")):
            component = page.component() if callable(page.component) else page.component
            words = literal_words(component)
            if words:
                found[route] = words
    return found


if __name__ == "__main__":  # python -m tests.i18n.page_text [route prefix]
    for route, words in pages_words(sys.argv[1] if len(sys.argv) > 1 else "").items():
        for word in dict.fromkeys(words):
            print(f"/{route}\t{word.where}\t{word.text!r}")
