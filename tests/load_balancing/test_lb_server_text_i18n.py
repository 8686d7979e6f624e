"""What Load Balancing shows an operator in the reader's language: the controller's stored
English reasons and building notes worded again where shown, limits, plan days, fallback
warnings; English reads exactly as stored and as before."""

from __future__ import annotations

import pytest

from ccms_app.core.i18n import branded, catalog, reading_as
from ccms_app.load_balancing.rules.allocation import Load, Node, allocate, reason_text
from ccms_app.load_balancing.rules.building import note_text
from ccms_app.load_balancing.rules.checks import Fallback, fallback_overloads
from ccms_app.load_balancing.state.shown import limit_text, weekdays_text

LANGUAGES = ("de", "zh_Hans")
STORED_NOTE = "stale since 2026-03-02 11:50 UTC: the 24 h peak is assumed"


def _tr(code: str, msgid: str, **values: object) -> str:
    """The catalog's translation, formatted (English until the catalog has one)."""
    return catalog(code).get(msgid, msgid).format(**values)


def _stored_reason() -> str:
    """What the controller stores for a car capped by an unnamed node (no reader: English)."""
    nodes = [Node(7, None, (100, 100, 100))]
    loads = [Load((1, 1), 7, (0,), 60, 320), Load((2, 1), 7, (0,), 60, 320)]
    return allocate(nodes, loads)[0].reason


def test_english_reads_as_stored_and_as_before() -> None:
    reason = _stored_reason()
    assert reason == "limited by node 7 (L1)"
    assert reason_text(reason) == reason
    assert note_text(STORED_NOTE) == STORED_NOTE
    assert reason_text("an older CCMS's words") == "an older CCMS's words"
    assert limit_text(63, 40, 2) == "63 A / 40 kW, margin 2 A"
    assert weekdays_text("12345") == "Mon-Fri"


@pytest.mark.parametrize("code", LANGUAGES)
def test_reasons_notes_limits_days_and_warnings_in_the_readers_language(code: str) -> None:
    reason = _stored_reason()  # written outside any reader, as the control loop writes it
    tree = [Node(1, None, (160, 160, 160), "")]
    with reading_as(code):
        shown_reason = reason_text(reason)
        shown_note = note_text(STORED_NOTE)
        limit = limit_text(63, 40, 2)
        days = weekdays_text("12345")
        (warning,) = fallback_overloads(tree, [Fallback(1, (0,), 100, 2)])
    node = _tr(code, "node {id}", id=7)
    assert shown_reason == _tr(code, "limited by {where}", where=f"{node} (L1)")
    assert shown_note == _tr(
        code, "stale since {since}: the 24 h peak is assumed", since="2026-03-02 11:50 UTC"
    )
    assert limit == _tr(code, "{limit}, margin {margin} A", limit="63 A / 40 kW", margin="2")
    assert days == f"{_tr(code, 'Mon')}-{_tr(code, 'Fri')}"
    message = (
        "The fallback currents under {node} add up to more than its limit ({phases}): if CCMS "
        "cannot reach the chargers, they may all draw their fallback at once. Lower the "
        "fallbacks or raise the limit."
    )
    node_1 = _tr(code, "node {id}", id=1)
    # the product named as the reader's brand names it (gettext's `branded`)
    assert warning == branded(_tr(code, message, node=node_1, phases="L1 20.0 A > 16.0 A"))
