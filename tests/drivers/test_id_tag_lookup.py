"""Finding a card by the text a charger sent (drivers.id_tag_lookup): case-insensitive, by
the lower(id_tag) index whatever the number of cards, the spelling as sent first."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from ccms_app.accounts.models import Organisation
from ccms_app.drivers import authorization
from ccms_app.drivers.id_tag_lookup import find_id_tag, lookup_params, spelled_like
from ccms_app.drivers.models import IdTag
from tests.fixtures.db import only_sqlite, query_plan


@only_sqlite
def test_authorize_and_the_payer_seek_the_card_by_its_lower_case_index(engine: Engine) -> None:
    """Without ix_id_tag_id_tag_lower every Authorize and StartTransaction read every card of
    the network (20,000 cards: 13 ms a StartTransaction, 4.8 ms with the index)."""
    for statement in (spelled_like(select(IdTag)), authorization._CARD_CHECK):
        plan = " | ".join(query_plan(engine, statement.params(lookup_params("Card-1"))))
        assert "ix_id_tag_id_tag_lower" in plan, plan
        assert "SCAN id_tag" not in plan, plan


def test_any_letter_case_finds_the_card_and_the_exact_spelling_comes_first(
    session: Session, organisation: Organisation
) -> None:
    org = int(organisation.id or 0)
    session.add(IdTag(organisation_id=org, id_tag="04A1B2"))
    session.commit()
    for sent in ("04A1B2", "04a1b2", "04a1B2"):
        found = find_id_tag(session, sent)
        assert found is not None and found.id_tag == "04A1B2"
    assert find_id_tag(session, "04A1B3") is None
    assert find_id_tag(session, "") is None
    # An older database may hold two spellings: the one spelled as sent, else the oldest.
    session.add(IdTag(organisation_id=org, id_tag="04a1b2"))
    session.commit()
    assert find_id_tag(session, "04a1b2").id_tag == "04a1b2"  # type: ignore[union-attr]
    assert find_id_tag(session, "04A1B2").id_tag == "04A1B2"  # type: ignore[union-attr]
    assert find_id_tag(session, "04A1b2").id_tag == "04A1B2"  # type: ignore[union-attr]
