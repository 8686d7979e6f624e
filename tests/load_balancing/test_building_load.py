"""Building load readings (load_balancing.building_load): the three shapes an integration
sends, negative loads (a PV roof exporting), times, scope; latest, peak and the series."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone

import pytest

from ccms_app.accounts.models import Organisation
from ccms_app.accounts.roles import InputError, NotFoundError
from ccms_app.core.events import NetworkEvent
from ccms_app.core.types import utc_now
from ccms_app.load_balancing import building_load
from ccms_app.load_balancing.rules.reading_form import check_reading
from ccms_app.load_balancing.rules.site_form import FormError
from tests.load_balancing import admin_seed as seed
from tests.load_balancing.admin_seed import heard, site_events

__all__ = ["site_events"]
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def test_reading_shapes() -> None:
    assert check_reading({"l1_a": 10, "l2_a": "12.5", "l3_a": -3}, NOW) == (NOW, (10, 12.5, -3))
    assert check_reading({"current_a": 20}, NOW)[1] == (20, 20, 20)
    # 11 kW three-phase at 230 V: 15.94 A per phase, rounded down to the 0.1 A
    assert check_reading({"power_kw": 11}, NOW)[1] == (15.9, 15.9, 15.9)
    assert check_reading({"power_kw": -11}, NOW)[1] == (-16.0, -16.0, -16.0)  # exporting
    local = datetime(2026, 3, 2, 12, 3, tzinfo=timezone(timedelta(hours=1)))
    assert check_reading({"current_a": 1, "measured_at": local.isoformat()}, NOW)[0] == (
        NOW - timedelta(minutes=57)
    )
    wrong = {
        "l1_a": 10, "l2_a": 20001, "current_a": 3,
    }  # fmt: skip
    with pytest.raises(FormError) as mixed:
        check_reading(wrong, NOW)
    assert mixed.value.errors == {
        "current_a": "Send exactly one of: l1_a, l2_a and l3_a; current_a; power_kw."
    }
    with pytest.raises(FormError) as bad:
        check_reading({"l1_a": 10, "l2_a": 10001, "measured_at": "2026-03-02T12:00:00"}, NOW)
    assert bad.value.errors == {
        "l2_a": "Give -10000 to 10000 A (10001 given).",
        "l3_a": "Give all three phases (l1_a, l2_a, l3_a), or current_a for all.",
        "measured_at": "Give the time's offset (e.g. +01:00 or Z): whose 08:00 is it?",
    }
    with pytest.raises(FormError) as future:
        check_reading({"current_a": 1, "measured_at": NOW + timedelta(minutes=6)}, NOW)
    assert future.value.errors == {
        "measured_at": "The reading is more than 5 minutes in the future: check the clock."
    }
    assert check_reading({"current_a": 1, "measured_at": "2026-03-02T12:04:00Z"}, NOW)[0] > NOW
    with pytest.raises(FormError) as nothing:
        check_reading({}, NOW)
    assert set(nothing.value.errors) == {"l1_a"}


async def test_put_and_read_back(
    organisation: Organisation, site_events: asyncio.Queue[NetworkEvent]
) -> None:
    org = organisation.id or 0
    ops = seed.caller(org)
    site = seed.site(org, seed.station(org))
    heard(site_events)
    assert building_load.latest_reading(site.id) is None
    assert building_load.peak_since(site.id, utc_now() - timedelta(days=1)) is None
    now = utc_now()
    earlier = (now - timedelta(minutes=10)).isoformat()
    answered = building_load.put_reading(ops, site.id, {"power_kw": 23, "measured_at": earlier})
    assert answered["l1_a"] == answered["l3_a"] == 33.3 and answered["site_id"] == site.id
    building_load.put_reading(ops, site.id, {"l1_a": 40, "l2_a": -5, "l3_a": 12})
    late = (now - timedelta(minutes=20)).isoformat()  # arrives last, measured first
    building_load.put_reading(ops, site.id, {"current_a": 50, "measured_at": late})
    assert heard(site_events) == [{"site_id": site.id, "trigger": "building_load"}] * 3

    latest = building_load.latest_reading(site.id)
    assert latest is not None and latest[1] == (40, -5, 12)
    assert building_load.peak_since(site.id, now - timedelta(hours=1)) == (50, 50, 50)
    assert building_load.peak_since(site.id, now - timedelta(minutes=15)) == (40, 33.3, 33.3)
    series = building_load.readings_since(site.id, now - timedelta(hours=1))
    assert [r[1] for r in series] == [50, 33.3, 40]

    with pytest.raises(InputError) as wrong:
        building_load.put_reading(ops, site.id, {"current_a": "lots"})
    assert wrong.value.errors == {"current_a": "Give a number of A ('lots' given)."}
    with pytest.raises(NotFoundError):
        building_load.put_reading(seed.caller(seed.organisation(org)), site.id, {"current_a": 1})
    assert len(building_load.readings_since(site.id, now - timedelta(hours=1))) == 3
