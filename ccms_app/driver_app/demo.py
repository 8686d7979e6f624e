"""The demo's driver app account, so a fresh `make run` can try the app at once.

`driver@ccms.local` (password `ccms-demo-driver`, public like the demo admin's: a demo must
not be reachable from the internet), e-mail confirmed, made through the real sign-up, with
25.00 in the wallet credited as a demo top-up (reference "demo:app_top_up:<driver>").
Idempotent: an existing account is kept as it is.
"""

from __future__ import annotations

import secrets

from ccms_app.accounts import auth
from ccms_app.core.db import session_scope
from ccms_app.core.types import utc_now
from ccms_app.driver_app import driver_accounts
from ccms_app.driver_app.models import DriverAccount
from ccms_app.finance.payments.holders import organisation_currency
from ccms_app.finance.wallets.ledger import credit_wallet
from ccms_app.finance.wallets.models import HolderKind, LedgerKind

DEMO_DRIVER_EMAIL = "driver@ccms.local"
DEMO_DRIVER_PASSWORD = "ccms-demo-driver"
DEMO_WALLET_MINOR = 2500


def seed_demo_driver() -> int:
    """Create the demo driver account (1) or keep the one there (0)."""
    if driver_accounts.find_account(DEMO_DRIVER_EMAIL) is not None:
        return 0
    # The sign-up refuses a guessable password; the demo's is public on purpose.
    link = driver_accounts.sign_up(
        driver_accounts.SignUp("Dana Demo", DEMO_DRIVER_EMAIL, secrets.token_urlsafe(24))
    )
    demo_hash = auth.hash_password(DEMO_DRIVER_PASSWORD)
    with session_scope() as db:
        account = db.get(DriverAccount, link.account_id)
        assert account is not None
        account.password_hash, account.email_verified_at = demo_hash, utc_now()
        db.add(account)
        credit_wallet(
            db,
            organisation_id=account.organisation_id,
            holder_kind=HolderKind.DRIVER.value,
            holder_id=account.driver_id,
            currency=organisation_currency(db, account.organisation_id),
            paid_minor=DEMO_WALLET_MINOR,
            bonus_minor=0,
            kind=LedgerKind.TOP_UP,
            reference=f"demo:app_top_up:{account.driver_id}",
            reason="Demo top-up (driver app)",
            created_by="demo",
        )
    return 1
