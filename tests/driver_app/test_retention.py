"""The hourly purge trims driver sign-ins a day after they expired and e-mail links a month
after; live ones stay."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from ccms_app.accounts.models import Organisation
from ccms_app.core.config import Settings
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.types import utc_now
from ccms_app.driver_app import driver_accounts
from ccms_app.driver_app.models import DriverAccountToken, DriverLoginSession
from ccms_app.retention import purge
from tests.driver_app.support import signed_in_driver


def test_expired_sign_ins_and_old_links_are_purged(organisation: Organisation) -> None:
    driver = signed_in_driver("gus@example.com")
    old_sign_in = driver_accounts.open_session(driver.account_id)
    driver_accounts.password_reset_link("gus@example.com")  # a fresh link stays
    with session_scope() as db:
        for row in db.exec(select(DriverLoginSession)).all():
            if row.token_hash != driver.session_hash:
                row.expires_at = utc_now() - timedelta(days=2)
                db.add(row)
        old_link = db.exec(select(DriverAccountToken)).first()
        assert old_link is not None
        old_link.expires_at = utc_now() - timedelta(days=31)
        db.add(old_link)
        old_link_id = old_link.id

    reports = {r.table: r.rows for r in purge(Settings())}
    assert reports["driver_login_session"] == 1 and reports["driver_account_token"] == 1
    with read_session() as db:
        assert [s.token_hash for s in db.exec(select(DriverLoginSession)).all()] == [
            driver.session_hash
        ]
        ids = [t.id for t in db.exec(select(DriverAccountToken)).all()]
        assert old_link_id not in ids and len(ids) >= 1
    assert driver_accounts.principal_for_session(driver.session_hash) is not None
    assert old_sign_in  # its row is gone; the cookie opens nothing
    assert driver_accounts.principal_for_session(old_sign_in) is None
