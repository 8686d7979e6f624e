"""Which language each recipient of a staff e-mail reads (alarm e-mails, the monthly
report): the language the operator account with that address chose
(`operator_account.language`); when it chose none, its organisation's document language
(finance.billing_profiles.document_language, System -> Settings); an address that is no
account's reads the sending organisation's document language.

The senders write one e-mail per language, each under `core.i18n.reading_as`.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import col, select

from ccms_app.accounts.models import OperatorAccount
from ccms_app.core.db import read_session
from ccms_app.core.i18n import DEFAULT, is_language
from ccms_app.finance.billing_profiles import document_language


def languages_of(addresses: Sequence[str], organisation_id: int | None) -> dict[str, list[str]]:
    """language -> the addresses that read it, in the order given (the languages in the
    order of their first address); `organisation_id` is the sender (None: English for the
    addresses that are no account's)."""
    wanted = {address.strip().lower() for address in addresses if address.strip()}
    with read_session() as session:
        accounts = session.exec(
            select(
                OperatorAccount.email, OperatorAccount.language, OperatorAccount.organisation_id
            ).where(func.lower(col(OperatorAccount.email)).in_(sorted(wanted)))
        ).all()
    chosen = {email.lower(): (language, owner) for email, language, owner in accounts}
    defaults: dict[int | None, str] = {}

    def default_of(owner: int | None) -> str:
        if owner not in defaults:
            defaults[owner] = document_language(owner) if owner is not None else DEFAULT
        return defaults[owner]

    groups: dict[str, list[str]] = {}
    for address in addresses:
        if not address.strip():
            continue
        language, owner = chosen.get(address.strip().lower(), ("", organisation_id))
        reads = language if is_language(language) else default_of(owner)
        groups.setdefault(reads, []).append(address)
    return groups
