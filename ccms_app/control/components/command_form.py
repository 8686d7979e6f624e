"""A command form built from the chosen action's field list (control.state.command_forms).

Works with any state that has `action`, `values` (name -> text), `set_action(action)` and
`set_value(name, value)`: the charge point page and the bulk toolbar share it. Choices that
depend on the charge point (connectors, running transactions) are passed in as vars; without
them (bulk) a connector is typed as a number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import reflex as rx
from reflex.vars import ArrayVar

from ccms_app.control.state.command_forms import SPECS, FieldSpec
from ccms_app.ui.i18n import Text, t, t_var
from ccms_app.ui.inputs import text_area, text_input

COMMAND_COLOURS = {
    "accepted": "green",
    "rejected": "orange",
    "failed": "red",
    "timed_out": "red",
    "offline": "gray",
    "requested": "blue",
    "sent": "blue",
}


@dataclass(frozen=True)
class FormChoices:
    """Per charge point option lists; None where the form should ask for a number instead."""

    connectors: ArrayVar[Any] | None = None
    connectors0: ArrayVar[Any] | None = None
    transactions: ArrayVar[Any] | None = None


def command_status_badge(status: rx.Var, **props: Any) -> rx.Component:
    """A command's status (command_forms.COMMAND_STATUS_NAMES) in the tab's language."""
    return rx.badge(
        t_var(status),
        color_scheme=rx.match(status, *COMMAND_COLOURS.items(), "gray"),
        variant="soft",
        **props,
    )


def labelled(label: Text, control: rx.Component) -> rx.Component:
    return rx.vstack(rx.text(label, size="2", weight="medium"), control, spacing="1", width="100%")


def action_picker(state: Any, actions: list[str], labels: dict[str, str], testid: str) -> Any:
    """The commands by name (`labels`: message ids), each sending its OCPP action."""
    return rx.select.root(
        rx.select.trigger(width="100%", custom_attrs={"data-testid": testid}),
        rx.select.content(*[rx.select.item(t(labels[a]), value=a) for a in actions]),
        value=state.action,
        on_change=state.set_action,
    )


def _testid(prefix: str, spec: FieldSpec) -> dict[str, str]:
    return {"data-testid": f"{prefix}-{spec.name.replace('_', '-')}"}


def _select(state: Any, spec: FieldSpec, options: rx.Var | list[str], prefix: str) -> Any:
    return rx.select(
        options,
        value=state.values[spec.name].to(str),
        on_change=lambda value: state.set_value(spec.name, value),
        width="100%",
        custom_attrs=_testid(prefix, spec),
    )


def _input(state: Any, spec: FieldSpec, prefix: str, kind: str = "text") -> rx.Component:
    props: dict[str, Any] = {"max_length": spec.max_length} if spec.max_length else {}
    return text_input(
        value=state.values[spec.name].to(str),
        on_change=lambda value: state.set_value(spec.name, value),
        placeholder=t(spec.placeholder) if spec.placeholder else "",
        type=kind,
        width="100%",
        custom_attrs=_testid(prefix, spec),
        **props,
    )


def _control(state: Any, spec: FieldSpec, choices: FormChoices, prefix: str) -> rx.Component:
    by_kind: dict[str, rx.Var | None] = {
        "connector": choices.connectors,
        "connector0": choices.connectors0,
        "transaction": choices.transactions,
    }
    if spec.kind == "choice":
        return rx.radio(
            list(spec.options),
            value=state.values[spec.name].to(str),
            on_change=lambda value: state.set_value(spec.name, value),
            direction="row",
            wrap="wrap",
            custom_attrs=_testid(prefix, spec),
        )
    if spec.kind == "textarea":
        return text_area(
            value=state.values[spec.name].to(str),
            on_change=lambda value: state.set_value(spec.name, value),
            width="100%",
            custom_attrs=_testid(prefix, spec),
        )
    if spec.kind == "transaction" and choices.transactions is not None:
        return rx.cond(
            choices.transactions.length() > 0,
            _select(state, spec, choices.transactions, prefix),
            rx.text(t("No transaction is running on this charge point."), size="2"),
        )
    options = by_kind.get(spec.kind)
    if options is not None:
        return _select(state, spec, options, prefix)
    numeric = spec.kind == "number" or spec.kind in by_kind  # a connector typed as a number
    return _input(state, spec, prefix, "number" if numeric else "text")


def action_fields(
    state: Any, action: str, choices: FormChoices, prefix: str = "command"
) -> rx.Component:
    fields = SPECS[action].fields
    if not fields:
        return rx.text(t("No parameters."), size="2", color=rx.color("gray", 11))
    return rx.vstack(
        *[labelled(t(f.label), _control(state, f, choices, prefix)) for f in fields],
        spacing="3",
        width="100%",
    )


def command_fields(
    state: Any, actions: list[str], choices: FormChoices, prefix: str = "command"
) -> rx.Component:
    """The fields of whichever action is chosen."""
    return rx.match(
        state.action,
        *[(action, action_fields(state, action, choices, prefix)) for action in actions],
        rx.fragment(),
    )
