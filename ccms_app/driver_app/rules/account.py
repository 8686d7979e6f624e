"""The account page's rules (pure): reading a card number as printed, how many vehicles a
driver may keep, and the one refusal for a card that cannot be added.

A card is added by the number printed on it. Cards print their number in groups
("04 A2 3B 1C"): the number as typed and the number without spaces are both looked up
(OCPP id tags compare case-insensitively, so case does not matter). Whatever the reason a
card cannot be added (unknown, another driver's, a group's, another network's, blocked,
used before), the driver reads the same sentence: the page must not tell who has a card.
"""

from __future__ import annotations

from ccms_app.core.i18n import N_

ID_TAG_MAX = 20  # OCPP 1.6 CiString20
MAX_VEHICLES = 10
MAX_CARDS = 10  # cards a driver may add in the app (the operator may issue more)
CARD_REFUSED = N_(
    "This card cannot be added. Check the number printed on it; if it is right, ask the "
    "operator to add it to your account."
)
CARD_MISSING = N_("Enter the number printed on the card.")


def card_candidates(typed: str) -> tuple[str, ...]:
    """The spellings to look a typed card number up by: as typed (edge spaces off), then
    without inner spaces; only those OCPP could carry (1-20 printable ASCII characters)."""
    stripped = (typed or "").strip()
    spellings = []
    for candidate in (stripped, "".join(stripped.split())):
        if (
            candidate
            and len(candidate) <= ID_TAG_MAX
            and all(" " <= ch <= "~" for ch in candidate)
            and candidate not in spellings
        ):
            spellings.append(candidate)
    return tuple(spellings)
