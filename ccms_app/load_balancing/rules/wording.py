"""The controller's words for the operator, written in English where they are made and worded
in the reader's language where they are shown.

The control loop runs in the background, for no reader: why a connector is capped
(`allocation`) and what is assumed of the building load (`building`) are stored and served
(LoadAllocation.reason, the decision's detail, the REST API) as English sentences made from
templates marked with N_. A page words a stored sentence again by finding the template it was
made from and filling the translation with the same values (`reworded`); a sentence no
template makes (written by an older CCMS) is shown as stored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cache
from string import Formatter

from ccms_app.core.i18n import N_, tr

NODE_UNNAMED = N_("node {id}")  # a node without a name, in a reason or a warning


def node_text(name: str, node_id: int) -> str:
    """The node as a reason names it (English: stored)."""
    return name or NODE_UNNAMED.format(id=node_id)


@cache
def _pattern(template: str) -> re.Pattern[str]:
    """`template` as a regular expression: its text literally, each {value} any text."""
    parts = []
    for literal, name, _spec, _conversion in Formatter().parse(template):
        parts.append(re.escape(literal))
        if name:
            parts.append(f"(?P<{name}>.+?)")
    return re.compile("".join(parts) + r"\Z", re.S)


def reworded(
    text: str,
    templates: Iterable[str],
    value: Callable[[str, str], str] = lambda _name, found: found,
) -> str:
    """`text` (made from one of `templates`) in the reader's language; `value(name, text)`
    words a value again (a node's default name). Unknown text is returned as it is."""
    if not text:
        return text
    for template in templates:
        found = _pattern(template).match(text)
        if found is not None:
            values = {name: value(name, part) for name, part in found.groupdict().items()}
            return tr(template, **values)
    return text


def node_reworded(text: str) -> str:
    """A node's name in a reason: "node 7" in the reader's language, a given name as it is."""
    found = _pattern(NODE_UNNAMED).match(text)
    if found is not None and found["id"].isdigit():
        return tr(NODE_UNNAMED, id=found["id"])
    return text
