"""Times in lists: each row in its own zone (its station's) when the list has one, else in the
operator's; every time says its zone, and the zone itself is never a cell."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlmodel import Session

from ccms_app.accounts.models import Organisation
from ccms_app.core.listing import ROW_ZONE, ListColumn, ListSpec
from ccms_app.core.operator_zone import operator_zone_of
from ccms_app.finance.models import BillingProfile
from ccms_app.network.models import ChargePoint
from ccms_app.system.state.api_keys import shown_key_row
from ccms_app.ui.list_state import display_value, row_zone, shown_row

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
SEEN = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
LAST_WEEK = datetime(2026, 1, 8, 9, 30, tzinfo=UTC)


def test_a_row_with_a_station_zone_is_shown_in_it_with_its_abbreviation() -> None:
    row = {"identity": "CP-1", "last_seen_at": SEEN, ROW_ZONE: "Europe/Berlin"}
    shown = shown_row(row, "America/New_York", NOW)
    assert shown == {"identity": "CP-1", "last_seen_at": "10:00:00 CET"}
    assert ROW_ZONE not in shown  # the zone is not a cell


def test_a_row_without_its_own_zone_is_shown_in_the_operator_zone() -> None:
    no_station = {"last_seen_at": SEEN, ROW_ZONE: None}  # an unregistered charge point
    assert shown_row(no_station, "America/New_York", NOW) == {"last_seen_at": "04:00:00 EST"}
    organisation_level = {"created_at": LAST_WEEK}  # a list without row zones
    assert shown_row(organisation_level, "Europe/Berlin", NOW) == {
        "created_at": "2026-01-08 10:30 CET"
    }
    assert row_zone(no_station, "Asia/Shanghai") == "Asia/Shanghai"
    assert display_value(SEEN, "UTC", NOW) == "09:00:00 UTC"


def test_an_organisation_list_row_uses_the_operator_zone() -> None:
    row = {"id": 1, "prefix": "ccms_abc", "created_at": LAST_WEEK, "last_used_at": None}
    shown = shown_key_row(row, "Europe/Berlin")
    assert shown["created_at"] == "2026-01-08 10:30 CET"
    assert shown["last_used_at"] == "never"


def test_the_row_zone_key_is_reserved() -> None:
    with pytest.raises(ValueError, match="reserved"):
        ListSpec(
            name="bad",
            base=lambda: select(ChargePoint),
            columns=(ListColumn(ROW_ZONE, "Zone", ChargePoint.identity),),
            organisation_column=ChargePoint.organisation_id,
            id_column=ChargePoint.id,
            default_sort=ROW_ZONE,
        )


def test_the_operator_zone_is_the_organisation_billing_zone(
    session: Session, organisation: Organisation
) -> None:
    assert operator_zone_of(organisation.id) == "UTC"  # no billing profile yet
    session.add(BillingProfile(organisation_id=organisation.id, time_zone="Europe/Berlin"))
    session.commit()
    assert operator_zone_of(organisation.id) == "Europe/Berlin"
