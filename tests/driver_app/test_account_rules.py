"""Account rules (pure): the spellings a printed card number is looked up by."""

from __future__ import annotations

from ccms_app.driver_app.rules.account import CARD_REFUSED, card_candidates


def test_card_numbers_as_printed() -> None:
    assert card_candidates(" 04 A2 3B 1C ") == ("04 A2 3B 1C", "04A23B1C")
    assert card_candidates("04A23B1C") == ("04A23B1C",)
    assert card_candidates("") == card_candidates("   ") == ()
    assert card_candidates("X" * 21) == ()
    assert card_candidates("1234 5678 9012 3456 7890") == ("12345678901234567890",)
    assert card_candidates("caf\u00e9") == () and card_candidates("a\tb") == ("ab",)
    assert "ask the operator" in CARD_REFUSED
