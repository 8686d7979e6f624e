"""The controller's words for the operator, written in English where they are made and worded
in the reader's language where they are shown.

The control loop runs in the background, for no reader: why a connector is capped
(`allocation`) and what is assumed of the building load (`building`) are stored and served
(LoadAllocation.reason, the decision's detail, the REST API) as English sentences made from
templates marked with N_. A page words a stored sentence again by finding the template it was
made from and filling the translation with the same values (`core.stored_text.reword`); a
sentence no template makes (written by an older CCMS) is shown as stored.
"""

from __future__ import annotations

from ccms_app.core.i18n import N_, tr
from ccms_app.core.stored_text import fits

NODE_UNNAMED = N_("node {id}")  # a node without a name, in a reason or a warning


def node_text(name: str, node_id: int) -> str:
    """The node as a reason names it (English: stored)."""
    return name or NODE_UNNAMED.format(id=node_id)


def node_reworded(text: str) -> str:
    """A node's name in a reason: "node 7" in the reader's language, a given name as it is."""
    found = fits(text, [NODE_UNNAMED])
    if found is not None and found[1]["id"].isdigit():
        return tr(NODE_UNNAMED, id=found[1]["id"])
    return text
