"""One layout per screen: a phone gets the cards, a wider screen the table, never both.

Hiding one of the two with CSS (`display` per breakpoint) still has React build, diff and
keep both in the page: every push to a live list re-rendered each row twice, and the row
components (badges, icons, checkboxes) are most of a tab's work under traffic (issue 8:
"/live renders every charge point twice"). Here the browser asks the same media query the
theme's breakpoints use and renders only the layout that shows; it follows a rotated phone or
a resized window.

The first render, and the prerendered page, is the wide layout; a phone switches to its cards
in the effect right after mounting, before the websocket has delivered any row.
"""

from __future__ import annotations

import reflex as rx
from reflex.utils.imports import ImportVar
from reflex.vars.base import Var, VarData

__all__ = ["on_phone", "phone_or_wide"]

# Reflex's second breakpoint ("sm", 48em = 768 px), where the shell's sidebar appears and the
# tables used to show: below it is a phone.
WIDE_QUERY = "(min-width: 48em)"
_FLAG = "ccms_on_phone"
_HOOK = (
    f"const [{_FLAG}, set_{_FLAG}] = useState(false);\n"
    "useEffect(() => {\n"
    f"  const wide = window.matchMedia({WIDE_QUERY!r});\n"
    f"  const follow = () => set_{_FLAG}(!wide.matches);\n"
    "  follow();\n"
    '  wide.addEventListener("change", follow);\n'
    '  return () => wide.removeEventListener("change", follow);\n'
    "}, []);"
)


def on_phone() -> Var[bool]:
    """True in a tab narrower than the wide breakpoint, kept up to date by the browser."""
    imports = {"react": [ImportVar(tag="useState"), ImportVar(tag="useEffect")]}
    return Var(_js_expr=_FLAG, _var_type=bool, _var_data=VarData(imports=imports, hooks=_HOOK))


def phone_or_wide(phone: rx.Component, wide: rx.Component) -> rx.Component:
    """`phone` on a phone, `wide` on anything wider: only the one shown is rendered."""
    return rx.cond(on_phone(), phone, wide)
