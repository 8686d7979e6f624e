"""A tab's first snapshot builds every state's defaults: none may be costly to build.

Each new tab (and each reconnect) hydrates: Reflex builds the tab's whole state tree and
reads every field of every state, on the event loop that also serves the chargers. A field
declared as `figure: go.Figure = go.Figure()` is copied with `copy.deepcopy` for each tab,
and a plotly figure's deep copy re-validates its whole template: 16-22 ms each, and with
the app's 18 chart fields ~200 ms of the loop per tab opened (issue 8: ten tabs opening at
once took 15-20 s). A chart's default is built by `rx.field(default_factory=go.Figure)`.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterator

import plotly.graph_objects as go
from plotly.basedatatypes import BaseFigure
from reflex.state import BaseState, State

import ccms_app.ccms_app  # noqa: F401  (registers every page and so every state)


def every_state(root: type[BaseState] = State) -> Iterator[type[BaseState]]:
    yield root
    for sub in root.get_substates():
        yield from every_state(sub)


def deep_copied_default(field: object) -> object | None:
    """The value a field's default copies per state instance, if it is built that way."""
    factory = getattr(field, "default_factory", None)
    if isinstance(factory, functools.partial) and factory.func is copy.deepcopy:
        return factory.args[0]
    return None


def test_no_state_copies_a_plotly_figure_for_each_tab() -> None:
    copied = [
        f"{state.__module__}.{state.__name__}.{name}"
        for state in every_state()
        for name, field in state.__fields__.items()
        if isinstance(deep_copied_default(field), BaseFigure)
        or isinstance(getattr(field, "default", None), BaseFigure)
    ]
    assert copied == [], f"declare these with rx.field(default_factory=go.Figure): {copied}"


def test_every_chart_default_is_a_new_empty_figure_per_tab() -> None:
    charts = [
        (state, name)
        for state in every_state()
        for name, field in state.__fields__.items()
        if getattr(field, "default_factory", None) is go.Figure
    ]
    assert len(charts) >= 18, charts  # the app's charts: the rule above must see them
    one, other = State(_reflex_internal_init=True), State(_reflex_internal_init=True)  # type: ignore[call-arg]
    for state, name in charts:
        mine = one.get_substate(state.get_full_name().split(".")[1:]).get_value(name)
        theirs = other.get_substate(state.get_full_name().split(".")[1:]).get_value(name)
        assert isinstance(mine, go.Figure) and mine.data == ()
        assert mine is not theirs, f"{state.__name__}.{name} is shared between tabs"
