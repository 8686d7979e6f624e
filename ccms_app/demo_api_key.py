"""The demo's API key: made when `ccms run` starts the demo, printed in its banner.

Only with CCMS_DEMO_FLEET > 0, like the demo login. CCMS keeps only a key's hash, so a
restart cannot print the previous key again: each start makes a new "Demo API key"
(Administrator, root organisation) and then revokes the working ones made before it, so a
demo restarted every day holds one working key instead of one more per start. Both steps go
through `accounts.api_keys` and so reach the audit log (the revocations as actor "demo").
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select

from ccms_app.accounts import api_keys
from ccms_app.accounts.api_keys import ApiKeyView
from ccms_app.accounts.models import ApiKey
from ccms_app.accounts.roles import Caller
from ccms_app.accounts.rules.permissions import ADMINISTRATOR, ALL_PERMISSIONS
from ccms_app.core.db import read_session

DEMO_API_KEY_NAME = "Demo API key"
DEMO_ACTOR = "demo"  # who revokes the earlier keys, as the audit log shows it
EXAMPLE_PATH = "/api/v1/charge-points"


@dataclass(frozen=True)
class DemoApiKey:
    """The key made for this start (`key`: printed once) and how many earlier ones went."""

    key: str
    view: ApiKeyView
    revoked: int

    def curl_example(self, base_url: str) -> str:
        """One request an operator can paste to see the API answer."""
        return f'curl -H "Authorization: Bearer {self.key}" {base_url}{EXAMPLE_PATH}'


def renew_demo_api_key() -> DemoApiKey:
    """A new demo key; the earlier working demo keys of the root organisation are revoked
    after it exists, so a failure leaves the old one working rather than none."""
    made = api_keys.create_api_key_from_cli(DEMO_API_KEY_NAME, ADMINISTRATOR, None)
    owner = made.view.organisation_id
    demo = Caller(0, owner, DEMO_ACTOR, ALL_PERMISSIONS)
    earlier = _working_demo_keys(owner, made.view.id)
    for key_id in earlier:
        api_keys.revoke_api_key(demo, key_id)
    return DemoApiKey(made.key, made.view, len(earlier))


def _working_demo_keys(organisation_id: int, keep: int) -> list[int]:
    with read_session() as session:
        ids = session.exec(
            select(col(ApiKey.id)).where(
                ApiKey.organisation_id == organisation_id,
                ApiKey.name == DEMO_API_KEY_NAME,
                col(ApiKey.revoked_at).is_(None),
                col(ApiKey.id) != keep,
            )
        ).all()
    return [int(key_id) for key_id in ids if key_id is not None]
