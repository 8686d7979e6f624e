"""Text on pages in the reader's language, without a rebuild: `t("Log out")` is the catalog's
translation of the tab's language (AuthState.messages), English when it has none.

Pages are compiled once, so a literal would be English for everyone; `t` compiles to a lookup
in the tab's catalog instead. Text the server builds (errors, rows) is translated there with
`core.i18n.gettext(AuthState.language, ...)`.
"""

from __future__ import annotations

import json
from typing import Any, cast

import reflex as rx
from reflex.vars.base import Var, VarData
from reflex.vars.sequence import StringVar

from ccms_app.accounts.state import AuthState
from ccms_app.branding.brands import DEFAULT_PRODUCT_NAME
from ccms_app.branding.state.brand import BrandState
from ccms_app.core.i18n import LANGUAGES, PRODUCT_MENTION, PRODUCT_MENTION_JS

_MESSAGES = AuthState.messages
_PRODUCT = cast(Var[str], BrandState.product_name)  # a state field: a Var on the class

Text = str | Var[str]  # shown text: a str, or a Var such as t("Name") (the tab's language)


def has_text(text: Text | None) -> bool:
    """Whether `text` shows anything: a Var always may (it is known in the browser only)."""
    return isinstance(text, Var) or bool(text)


def t(msgid: str) -> StringVar:
    """`msgid` in the tab's language (marks it for the catalogs: `ccms i18n extract`); a
    message naming CCMS names the brand's product instead."""
    key = json.dumps(msgid, ensure_ascii=False)
    expr = f"({_MESSAGES!s}?.[{key}] ?? {key})"
    data = [_MESSAGES._get_all_var_data()]
    if PRODUCT_MENTION.search(msgid):
        product = json.dumps(DEFAULT_PRODUCT_NAME)
        expr = f"{expr}.replace({PRODUCT_MENTION_JS}, {_PRODUCT!s} || {product})"
        data.append(_PRODUCT._get_all_var_data())
    return Var(_js_expr=f"({expr})", _var_type=str, _var_data=VarData.merge(*data)).to(str)


def t_var(text: Var) -> StringVar:
    """A state's text (`text`, a message id marked with `N_` where it is defined: a status
    label, a table of choices) in the tab's language, as it is when the page shows it."""
    value = text.to(str)
    product = json.dumps(DEFAULT_PRODUCT_NAME)
    return Var(
        _js_expr=(
            f'String({_MESSAGES!s}?.[{value!s}] ?? {value!s} ?? "")'
            f".replace({PRODUCT_MENTION_JS}, {_PRODUCT!s} || {product})"
        ),
        _var_type=str,
        _var_data=VarData.merge(
            _MESSAGES._get_all_var_data(), value._get_all_var_data(), _PRODUCT._get_all_var_data()
        ),
    ).to(str)


def t_with(msgid: str, **values: Var | str | int) -> StringVar:
    """`msgid` in the tab's language with its `{names}` filled in the browser from `values`
    (vars of the page's state): `t_with("and {count} more", count=toast.more)`."""
    text = t(msgid)
    expr = str(text)
    data = [text._get_all_var_data()]
    for name, value in values.items():
        var = value if isinstance(value, Var) else Var.create(value)
        data.append(var._get_all_var_data())
        expr = f"{expr}.replaceAll({json.dumps('{' + name + '}')}, String({var!s}))"
    return Var(_js_expr=f"({expr})", _var_type=str, _var_data=VarData.merge(*data)).to(str)


def language_select(
    testid: str = "language", on_change: Any = None, **trigger_props: object
) -> rx.Component:
    """Every language CCMS has, each named in itself; choosing one switches the tab at once
    and, signed in, the account (`on_change`: another handler, e.g. the driver app's). The
    test id and `trigger_props` go on the button (the select's root renders no element)."""
    return rx.select.root(
        rx.select.trigger(
            aria_label=t("Language"), custom_attrs={"data-testid": testid}, **trigger_props
        ),
        rx.select.content(
            *[rx.select.item(language.name, value=language.code) for language in LANGUAGES]
        ),
        value=AuthState.language,
        on_change=AuthState.choose_language if on_change is None else on_change,
        size="1",
    )
