"""What the hourly purge trims of the driver app: sign-ins a day after they expired, e-mail
links a month after they expired (used or not: kept that long to answer "why did my link
not work")."""

from __future__ import annotations

from ccms_app.core.retention import RetainedTable, retained_by_time
from ccms_app.core.rows import table_of
from ccms_app.driver_app.models import DriverAccountToken, DriverLoginSession

EXPIRED_SIGN_IN_DAYS = 1
EXPIRED_LINK_DAYS = 30


def driver_sign_in_retention() -> list[RetainedTable]:
    sessions, links = table_of(DriverLoginSession), table_of(DriverAccountToken)
    return [
        retained_by_time(sessions, sessions.c.expires_at, EXPIRED_SIGN_IN_DAYS),
        retained_by_time(links, links.c.expires_at, EXPIRED_LINK_DAYS),
    ]
