"""An RFID card's expiry typed on the card form is a day in the operator's zone: the card
is valid through the end of that day there; lists, the driver page and the form show that
day back. The REST API (IdTagInput without a zone) keeps UTC days."""

from __future__ import annotations

from datetime import UTC, datetime

from ccms_app.core.db import read_session, session_scope
from ccms_app.core.operator_zone import operator_zone_of
from ccms_app.drivers import id_tags
from ccms_app.drivers.common import Scope
from ccms_app.drivers.id_tags import IdTagInput
from ccms_app.drivers.models import IdTag
from ccms_app.drivers.state.detail import _card
from ccms_app.drivers.state.forms import _id_tag_input
from ccms_app.drivers.state.lists import date_text
from ccms_app.finance.models import BillingProfile
from ccms_app.network.provisioning import expiry_to_utc
from tests.drivers.support import partner_scope, scope

__all__ = ["partner_scope", "scope"]

BERLIN_END = datetime(2027, 1, 31, 22, 59, 59, tzinfo=UTC)  # 23:59:59 CET
UTC_END = datetime(2027, 1, 31, 23, 59, 59, tzinfo=UTC)


def _operator_in(scope: Scope, zone: str) -> None:
    with session_scope() as s:
        s.add(BillingProfile(organisation_id=scope.organisation_id, time_zone=zone))


def _stored(pk: int) -> datetime | None:
    with read_session() as s:
        tag = s.get(IdTag, pk)
        assert tag is not None
        value = tag.expiry_date
    return None if value is None else value.replace(tzinfo=value.tzinfo or UTC)


def test_a_berlin_operator_picks_the_last_day_in_berlin(scope: Scope) -> None:
    _operator_in(scope, "Europe/Berlin")
    zone = operator_zone_of(scope.organisation_id)
    values = {"id_tag": "BER-1", "expiry": "2027-01-31"}
    card = id_tags.issue_id_tag(scope, _id_tag_input(values, zone))
    assert _stored(card.id) == BERLIN_END  # not the end of the UTC day
    assert date_text(card.expiry_date, zone) == "2027-01-31"  # list, form prefill
    assert _card(card.id, card.id_tag, card.status, card.expiry_date, zone).expiry == "2027-01-31"
    # an unchanged edit keeps the instant
    id_tags.update_id_tag(scope, card.id, _id_tag_input(values, zone))
    assert _stored(card.id) == BERLIN_END


def test_a_utc_operator_and_the_api_keep_utc_days(scope: Scope) -> None:
    zone = operator_zone_of(scope.organisation_id)
    assert zone == "UTC"
    card = id_tags.issue_id_tag(
        scope, _id_tag_input({"id_tag": "UTC-1", "expiry": "2027-01-31"}, zone)
    )
    assert _stored(card.id) == UTC_END
    assert date_text(card.expiry_date, zone) == "2027-01-31"
    _operator_in(scope, "Europe/Berlin")  # the API's input names no zone: still UTC
    api = id_tags.issue_id_tag(scope, IdTagInput("API-1", expiry="2027-01-31"))
    assert _stored(api.id) == UTC_END


def test_the_end_of_a_day_follows_daylight_saving() -> None:
    summer = datetime(2027, 7, 31, 21, 59, 59, tzinfo=UTC)  # 23:59:59 CEST
    assert expiry_to_utc(datetime(2027, 7, 31).date(), "Europe/Berlin") == summer
    assert expiry_to_utc(datetime(2027, 7, 31).date()) == datetime(
        2027, 7, 31, 23, 59, 59, tzinfo=UTC
    )
