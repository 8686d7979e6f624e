"""The driver app's history rules (pure): cost and payment wording, ids from paths."""

from __future__ import annotations

from ccms_app.driver_app.rules.history import (
    REFUSED,
    cost_words,
    id_from_path,
    payment_words,
)


def test_cost_words_say_what_is_not_final() -> None:
    assert (
        cost_words("completed", "final").show_amount
        and cost_words("completed", "final").label == ""
    )
    assert cost_words("active", "running").label == "Cost so far"
    review = cost_words("completed", "review")
    assert review.show_amount and review.tone == "amber" and "may still change" in review.label
    assert not cost_words("completed", "unpriced").show_amount
    assert cost_words("completed", None).label == "Being priced"
    assert cost_words("refused", None) is REFUSED
    assert cost_words("completed", "something new").label == "Being priced"


def test_payment_words_follow_the_payment_then_the_record() -> None:
    assert payment_words("wallet", "settled", "") == "Paid from your wallet"
    assert payment_words("card", "held", "") == "To be paid by card"
    assert payment_words("card", "hold_failed", "") == "Card declined"
    assert payment_words("wallet", "failed", "") == "Payment failed: it will be tried again"
    assert payment_words(None, None, "group account") == "Billed to your group's account"
    assert payment_words(None, None, "driver account") == "Billed to your account"
    assert payment_words(None, None, "") == ""
    assert payment_words("crypto", "settled", "") == ""


def test_id_from_path() -> None:
    prefix = "/app/history/"
    assert id_from_path("/app/history/42", prefix) == 42
    assert id_from_path("/app/history/42/", prefix) == 42
    assert id_from_path("/app/history/42?x=1", prefix) == 42
    for path in (
        "/app/history/",
        "/app/history/abc",
        "/app/history/-1",
        "/app",
        "/app/history/" + "9" * 30,
    ):
        assert id_from_path(path, prefix) == 0
