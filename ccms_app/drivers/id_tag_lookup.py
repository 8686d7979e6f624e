"""An id tag's row as OCPP compares IdTokens: case-insensitively, one index seek.

Every Authorize and StartTransaction, and the pricing and payment of every session, look a card
up by the text a charger sent. The lookup goes through lower(id_tag) (index
ix_id_tag_id_tag_lower), so a charger that reports "04a1b2" finds the card issued as "04A1B2"
everywhere: in the authorization, the tariff resolution and the payer alike. Cards are unique
case-insensitively (drivers.id_tags); should an older database hold two spellings, the one
spelled as sent comes first, then the oldest.

The statements are built once: the hot path pays for neither building nor caching them.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, bindparam
from sqlmodel import Session, col, func, select

from ccms_app.drivers.models import IdTag

Query = TypeVar("Query", bound=Select[*tuple[Any, ...]])


def spelled_like(query: Query) -> Query:
    """`query` narrowed to the cards `lookup_params` names, the best spelling first."""
    return query.where(func.lower(IdTag.id_tag) == bindparam("key")).order_by(
        col(IdTag.id_tag) != bindparam("spelled"), col(IdTag.id)
    )


def lookup_params(id_tag: str) -> dict[str, str]:
    """The parameters of a `spelled_like` query for the text a charger sent."""
    return {"key": id_tag.lower(), "spelled": id_tag}


_CARD = spelled_like(select(IdTag))


def find_id_tag(session: Session, id_tag: str) -> IdTag | None:
    """The card `id_tag` names, compared case-insensitively (see the module doc)."""
    if not id_tag:
        return None
    return session.exec(_CARD, params=lookup_params(id_tag)).first()
