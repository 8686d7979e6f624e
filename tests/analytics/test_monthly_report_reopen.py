"""Analytics -> Reports, the monthly e-mail, across a websocket reconnect (Reflex runs on_load
again in the same tab state): the same organisation's subscription loading again keeps the
recipients typed but not saved (and their error), shows the last run anew and follows a
value not changed here; another organisation's starts afresh. Events go through the real
gate on a real migrated database."""

from __future__ import annotations

from dataclasses import replace

from ccms_app.accounts.models import Organisation
from ccms_app.analytics import monthly_report
from ccms_app.analytics.models import MonthlyReportSubscription
from ccms_app.analytics.state.reports import MonthlyReportState
from ccms_app.core.db import session_scope
from ccms_app.core.rows import stored_id
from tests.finance.wallets.tabs import login

ROUTE = "/analytics/reports"


async def test_a_reconnect_keeps_the_typed_recipients_of_the_same_organisation(
    organisation: Organisation,
) -> None:
    org = stored_id(organisation.id)
    tab = login(org, "reports@example.com").at(ROUTE)
    await tab.send(MonthlyReportState, "load")
    await tab.send(MonthlyReportState, "set_recipients", value="ops@volt.test, nobody")
    await tab.send(MonthlyReportState, "save")
    state: MonthlyReportState = await tab.state(MonthlyReportState)
    assert "recipients" in state.errors
    # Meanwhile, another tab switches the report on and it goes out.
    monthly_report.save_subscription(org, "boss@volt.test", True)
    with session_scope() as s:
        row = s.get(MonthlyReportSubscription, org)
        assert row is not None
        row.last_sent_month = "2026-11"
        s.add(row)

    await tab.at(ROUTE).send(MonthlyReportState, "load")  # the reconnect

    assert state.recipients == "ops@volt.test, nobody"
    assert "recipients" in state.errors
    assert state.enabled  # not changed here: follows the stored subscription
    assert state.last_sent_month == "2026-11"

    with session_scope() as s:
        other_org = Organisation(name="Other CPO")
        s.add(other_org)
        s.flush()
        other_id = stored_id(other_org.id)
    monthly_report.save_subscription(other_id, "cfo@other.test", False)
    other = replace(tab, session_hash=login(other_id, "o@example.com").session_hash)
    await other.at(ROUTE).send(MonthlyReportState, "load")  # the same tab, another login

    assert state.recipients == "cfo@other.test"
    assert not state.enabled
    assert state.errors == {}
