"""Text the Analytics server writes (ranges of days, cycle labels, rows, errors) comes out in
the reader's language; English reads exactly as before."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from babel.dates import format_interval, format_skeleton

from ccms_app.analytics.reports.filters import checked_range
from ccms_app.analytics.rules.comparison import change_text
from ccms_app.analytics.rules.cycles import WallRange
from ccms_app.analytics.statistics_sessions import fee_text
from ccms_app.analytics.wording import count_text, days_text
from ccms_app.core.i18n import catalog, reading_as
from ccms_app.finance.models import CostState

LANGUAGES = ("de", "zh_Hans")


def _tr(code: str, msgid: str, **values: object) -> str:
    """The catalog's translation, formatted (English until the catalog has one)."""
    return catalog(code).get(msgid, msgid).format(**values)


def test_english_reads_as_before() -> None:
    assert days_text(date(2026, 11, 1), date(2026, 11, 30)) == "01 Nov 2026 - 30 Nov 2026"
    part = WallRange(datetime(2026, 3, 1), datetime(2026, 3, 15, 15), whole=False)
    assert part.label == "1 Mar 2026 00:00 to 15 Mar 2026 15:00"
    assert WallRange(datetime(2026, 2, 1), datetime(2026, 3, 1), whole=True).label == "Feb 2026"
    assert fee_text({"cost_state": CostState.REVIEW, "status": "completed"}) == "in review"
    assert change_text(None) == "no data"
    assert count_text(12_345) == "12,345"


@pytest.mark.parametrize("code", LANGUAGES)
def test_ranges_rows_and_errors_in_the_readers_language(code: str) -> None:
    with reading_as(code):
        days = days_text(date(2026, 11, 1), date(2026, 11, 30))
        part = WallRange(datetime(2026, 3, 1), datetime(2026, 3, 15, 15), whole=False).label
        fee = fee_text({"cost_state": CostState.REVIEW, "status": "completed"})
        none = change_text(None)
        with pytest.raises(ValueError) as refused:
            checked_range(date(2026, 3, 2), date(2026, 3, 1))
    assert days == format_interval(date(2026, 11, 1), date(2026, 11, 30), "yMMMd", locale=code)
    start = f"{format_skeleton('yMMMd', date(2026, 3, 1), locale=code)} 00:00"
    end = f"{format_skeleton('yMMMd', date(2026, 3, 15), locale=code)} 15:00"
    assert part == _tr(code, "{start} to {end}", start=start, end=end)
    assert fee == _tr(code, "in review")
    assert none == _tr(code, "no data")
    errors = getattr(refused.value, "errors", {})
    assert errors == {"to": _tr(code, "The To date is before the From date.")}
