"""Every worked example of the OCPI 2.2.1 Tariffs module (mod_tariffs.asciidoc), to the cent.

Each test names the example's title; the tariff is the JSON the spec prints for it (ids and
other fields CCMS ignores kept where the spec has them), the session is the one the text
describes, and the expected amounts are the ones the text states. Where the spec's own
figures disagree with each other, the test says which reading CCMS follows and why.
"""

from __future__ import annotations

from decimal import Decimal

from ccms_app.finance.rules.cdr_json import cost_to_cdr
from ccms_app.finance.rules.tariff_engine import price_session
from ccms_app.finance.rules.tariff_types import SessionCost, SessionTimeline
from tests.finance.rules.sessions import CHARGING, PARKING, RESERVATION, at, session, tariff

START = at("2024-05-06 10:00")  # a Monday


def amounts(cost: SessionCost) -> tuple[Decimal, Decimal]:
    """(excl. VAT, incl. VAT) in euro."""
    return (
        Decimal(cost.total.excl_vat_minor).scaleb(-2),
        Decimal(cost.total.incl_vat_minor).scaleb(-2),
    )


SIMPLE_025_KWH = """{
  "id": "13", "currency": "EUR",
  "elements": [{"price_components": [{"type": "ENERGY", "price": 0.25, "vat": 10.0,
                                       "step_size": 1}]}],
  "last_updated": "2018-12-17T11:16:55Z"
}"""


def test_simple_tariff_example_0_25_euro_per_kwh() -> None:
    """Simple Tariff example 0.25 euro per kWh: 20 kWh -> 5.00 excl / 5.50 incl."""
    cost = price_session(tariff(SIMPLE_025_KWH), session(START, (CHARGING, 60, "20")))
    assert amounts(cost) == (Decimal("5.00"), Decimal("5.50"))


START_FEE = """{
  "id": "17", "currency": "EUR",
  "elements": [{"price_components": [
    {"type": "FLAT", "price": 0.50, "vat": 20.0, "step_size": 1},
    {"type": "ENERGY", "price": 0.25, "vat": 10.0, "step_size": 1}]}],
  "last_updated": "2018-12-17T11:36:01Z"
}"""


def test_tariff_example_0_25_euro_per_kwh_plus_start_fee() -> None:
    """Tariff example 0.25 euro per kWh + start fee: 20 kWh -> 5.50 excl / 6.10 incl."""
    cost = price_session(tariff(START_FEE), session(START, (CHARGING, 60, "20")))
    assert amounts(cost) == (Decimal("5.50"), Decimal("6.10"))
    assert cost.fixed.excl_vat_minor == 50 and cost.energy.excl_vat_minor == 500


MIN_PRICE = """{
  "country_code": "DE", "party_id": "ALL", "id": "20", "currency": "EUR",
  "min_price": {"excl_vat": 0.50, "incl_vat": 0.55},
  "elements": [{"price_components": [{"type": "ENERGY", "price": 0.25, "vat": 10.0,
                                       "step_size": 1}]}],
  "last_updated": "2018-12-17T16:45:21Z"
}"""


def test_tariff_example_0_25_euro_per_kwh_plus_minimum_price() -> None:
    """Tariff example 0.25 euro per kWh + minimum price: 20 kWh -> 5.00 / 5.50; under 2 kWh
    -> 0.50 excl / 0.55 incl."""
    rates = tariff(MIN_PRICE)
    assert amounts(price_session(rates, session(START, (CHARGING, 60, "20")))) == (
        Decimal("5.00"),
        Decimal("5.50"),
    )
    small = price_session(rates, session(START, (CHARGING, 10, "1.2")))
    assert amounts(small) == (Decimal("0.50"), Decimal("0.55"))
    assert "min_price applied" in small.notes


PARKING_START = """{
  "id": "13", "currency": "EUR",
  "elements": [{"price_components": [
    {"type": "FLAT", "price": 0.50, "vat": 20.0, "step_size": 1},
    {"type": "ENERGY", "price": 0.25, "vat": 10.0, "step_size": 1},
    {"type": "PARKING_TIME", "price": 2.00, "vat": 20.0, "step_size": 900}]}],
  "last_updated": "2018-12-17T11:44:10Z"
}"""


def test_tariff_example_0_25_euro_per_kwh_plus_parking_fee_plus_start_fee() -> None:
    """Tariff example 0.25 euro per kWh + parking fee + start fee: 20 kWh, parked 40 min
    after charging -> 45 min billed -> 7.00 excl / 7.90 incl."""
    cost = price_session(
        tariff(PARKING_START), session(START, (CHARGING, 60, "20"), (PARKING, 40, "0"))
    )
    assert amounts(cost) == (Decimal("7.00"), Decimal("7.90"))
    assert cost.parking.excl_vat_minor == 150


MAX_PRICE = """{
  "country_code": "DE", "party_id": "ALL", "id": "16", "currency": "EUR",
  "max_price": {"excl_vat": 10.00, "incl_vat": 11.00},
  "elements": [{"price_components": [
    {"type": "FLAT", "price": 0.50, "vat": 20.0, "step_size": 1},
    {"type": "ENERGY", "price": 0.25, "vat": 10.0, "step_size": 1}]}],
  "end_date_time": "2019-06-30T23:59:59Z",
  "last_updated": "2018-12-17T17:15:01Z"
}"""


def test_tariff_example_start_fee_plus_max_price_plus_tariff_end_date() -> None:
    """Tariff example 0.25 euro per kWh + start fee + max price + tariff end date: 50 kWh ->
    10.00 / 11.00 (price limit); 30 kWh -> 8.00 / 8.85."""
    rates = tariff(MAX_PRICE)
    capped = price_session(rates, session(START, (CHARGING, 120, "50")))
    assert amounts(capped) == (Decimal("10.00"), Decimal("11.00"))
    assert "max_price applied" in capped.notes
    assert amounts(price_session(rates, session(START, (CHARGING, 90, "30")))) == (
        Decimal("8.00"),
        Decimal("8.85"),
    )


def test_simple_tariff_example_2_euro_per_hour() -> None:
    """Simple Tariff example 2 euro per hour: 2.5 hours charging -> 5.00 / 5.50."""
    rates = tariff(
        '{"id": "12", "currency": "EUR", "elements": [{"price_components": [{"type": "TIME",'
        ' "price": 2.00, "vat": 10.0, "step_size": 60}]}], "last_updated": "2015-06-29T20:39:09Z"}'
    )
    cost = price_session(rates, session(START, (CHARGING, 150, "30"), (PARKING, 30, "0")))
    assert amounts(cost) == (Decimal("5.00"), Decimal("5.50"))  # parking is not billed


def test_simple_tariff_example_3_euro_per_hour_5_euro_parking() -> None:
    """Simple Tariff example 3 euro per hour, 5 euro per hour parking: 150 min charging + 42
    min parking (billed 45) -> 11.25 / 12.75."""
    rates = tariff(
        '{"id": "21", "currency": "EUR", "elements": [{"price_components": ['
        '{"type": "TIME", "price": 3.00, "vat": 10.0, "step_size": 60},'
        '{"type": "PARKING_TIME", "price": 5.00, "vat": 20.0, "step_size": 300}]}],'
        ' "last_updated": "2018-12-17T17:00:43Z"}'
    )
    cost = price_session(rates, session(START, (CHARGING, 150, "30"), (PARKING, 42, "0")))
    assert amounts(cost) == (Decimal("11.25"), Decimal("12.75"))


def test_ad_hoc_simple_tariff_example_with_multiple_languages() -> None:
    """Ad-Hoc simple Tariff example with multiple languages: 1.90/h, 5.2 % VAT, per 5 min;
    2.5 hours -> 4.75 / 5.00."""
    rates = tariff(
        """{"country_code": "DE", "party_id": "ALL", "id": "12", "currency": "EUR",
        "type": "AD_HOC_PAYMENT",
        "tariff_alt_text": [{"language": "en", "text": "2.00 euro p/hour including VAT."},
                            {"language": "nl", "text": "2.00 euro p/uur inclusief BTW."}],
        "elements": [{"price_components": [{"type": "TIME", "price": 1.90, "vat": 5.2,
                                            "step_size": 300}]}],
        "last_updated": "2015-06-29T20:39:09Z"}"""
    )
    cost = price_session(rates, session(START, (CHARGING, 150, "30")))
    assert amounts(cost) == (Decimal("4.75"), Decimal("5.00"))


ALT_URL = """{
  "country_code": "DE", "party_id": "ALL", "id": "13", "currency": "EUR",
  "type": "PROFILE_CHEAP", "tariff_alt_url": "https://company.com/tariffs/13",
  "elements": [{"price_components": [{"type": "ENERGY", "price": %s, "vat": 10.0,
                                       "step_size": 100}]}],
  "last_updated": "2015-06-29T20:39:09Z"
}"""


def test_simple_tariff_example_with_alternative_url() -> None:
    """Simple Tariff example with alternative URL: 20.45 kWh billed as 20.5 kWh (per 100 Wh);
    at the real-time 0.22 per kWh -> 4.51 excl / 4.96 incl.

    The same text also states 5.50 / 6.05 at 0.25 per kWh, which contradicts its own
    "billed for 20.5 kWh" (20.5 x 0.25 = 5.125): CCMS gives 5.13 / 5.64 there.
    """
    real_time = price_session(tariff(ALT_URL % "0.22"), session(START, (CHARGING, 60, "20.45")))
    assert amounts(real_time) == (Decimal("4.51"), Decimal("4.96"))
    assert real_time.lines[0].billed_quantity == Decimal("20.5")
    announced = price_session(tariff(ALT_URL % "0.25"), session(START, (CHARGING, 60, "20.45")))
    assert amounts(announced) == (Decimal("5.13"), Decimal("5.64"))


COMPLEX = """{
  "country_code": "DE", "party_id": "ALL", "id": "14", "currency": "EUR",
  "type": "REGULAR", "tariff_alt_url": "https://company.com/tariffs/14",
  "elements": [
    {"price_components": [{"type": "FLAT", "price": 2.50, "vat": 15.0, "step_size": 1}]},
    {"price_components": [{"type": "TIME", "price": 1.00, "vat": 20.0, "step_size": 900}],
     "restrictions": {"max_current": 32.00}},
    {"price_components": [{"type": "TIME", "price": 2.00, "vat": 20.0, "step_size": 600}],
     "restrictions": {"min_current": 32.00,
                      "day_of_week": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"]}},
    {"price_components": [{"type": "TIME", "price": 1.25, "vat": 20.0, "step_size": 600}],
     "restrictions": {"min_current": 32.00, "day_of_week": ["SATURDAY", "SUNDAY"]}},
    {"price_components": [{"type": "PARKING_TIME", "price": 5.00, "vat": 10.0,
                           "step_size": 300}],
     "restrictions": {"start_time": "09:00", "end_time": "18:00",
                      "day_of_week": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"]}},
    {"price_components": [{"type": "PARKING_TIME", "price": 6.00, "vat": 10.0,
                           "step_size": 300}],
     "restrictions": {"start_time": "10:00", "end_time": "17:00", "day_of_week": ["SATURDAY"]}}
  ],
  "tax_included": "NO",
  "last_updated": "2015-06-29T20:39:09Z"
}"""


def test_complex_tariff_example_monday_morning() -> None:
    """Complex Tariff example: Monday 09:30, 147 min charging at 16 A (billed 150), 42 min
    parking (billed 45) -> 8.75 excl / 10 incl."""
    zone = "Europe/Amsterdam"
    cost = price_session(
        tariff(COMPLEX, zone),
        session(
            at("2024-05-06 09:30", zone),
            (CHARGING, 147, {"energy_kwh": Decimal(20), "max_current_a": Decimal(16)}),
            (PARKING, 42, "0"),
        ),
    )
    assert amounts(cost) == (Decimal("8.75"), Decimal("10.00"))
    assert (cost.fixed.excl_vat_minor, cost.time.excl_vat_minor, cost.parking.excl_vat_minor) == (
        250,
        250,
        375,
    )


def test_complex_tariff_example_saturday_afternoon() -> None:
    """Complex Tariff example: Saturday 13:30, 114 min charging at 43 A (billed 120), 71 min
    parking (billed 75) -> 12.50 excl / 14.13 incl."""
    zone = "Europe/Amsterdam"
    cost = price_session(
        tariff(COMPLEX, zone),
        session(
            at("2024-05-11 13:30", zone),
            (CHARGING, 114, {"energy_kwh": Decimal(40), "min_current_a": Decimal(43)}),
            (PARKING, 71, "0"),
        ),
    )
    assert amounts(cost) == (Decimal("12.50"), Decimal("14.13"))


def test_free_of_charge_tariff_example() -> None:
    """Free of Charge Tariff example: FLAT 0.00 (step_size 0): any session costs nothing."""
    rates = tariff(
        '{"country_code": "DE", "party_id": "ALL", "id": "15", "currency": "EUR",'
        ' "elements": [{"price_components": [{"type": "FLAT", "price": 0.00, "step_size": 0}]}],'
        ' "last_updated": "2015-06-29T20:39:09Z"}'
    )
    cost = price_session(rates, session(START, (CHARGING, 95, "33.3"), (PARKING, 300, "0")))
    assert amounts(cost) == (Decimal("0.00"), Decimal("0.00"))


FIRST_HOUR_FREE = """{
  "country_code": "DE", "party_id": "ALL", "id": "52", "currency": "EUR",
  "elements": [
    {"price_components": [{"type": "PARKING_TIME", "price": 0.0, "step_size": 60}],
     "restrictions": {"min_duration": 0, "max_duration": 3600}},
    {"price_components": [{"type": "PARKING_TIME", "price": 2.0, "step_size": 60}],
     "restrictions": {"min_duration": 3600, "max_duration": 10800}},
    {"price_components": [{"type": "PARKING_TIME", "price": 3.0, "step_size": 60}],
     "restrictions": {"min_duration": 10800}},
    {"price_components": [{"type": "ENERGY", "price": 0.0, "step_size": 1}],
     "restrictions": {"max_kwh": 1.0}},
    {"price_components": [{"type": "ENERGY", "price": 0.2, "step_size": 1}],
     "restrictions": {"min_kwh": 1.0}}
  ]
}"""


def test_first_hour_free_energy_example() -> None:
    """First hour free energy example: 20 kWh (first kWh free) and 2.75 h parking (first hour
    free, then 2.00/h) -> 7.30 excl; no VAT given, so no incl. VAT total in the CDR.

    min/max_duration count from the session's start (OCPI); the spec's 7.30 treats the
    charging as taking no time, so the session here charges its 20 kWh at the start.
    """
    cost = price_session(
        tariff(FIRST_HOUR_FREE), session(START, (CHARGING, 0, "20"), (PARKING, 165, "0"))
    )
    assert amounts(cost)[0] == Decimal("7.30")
    assert (cost.energy.excl_vat_minor, cost.parking.excl_vat_minor) == (380, 350)
    assert "incl_vat" not in cost_to_cdr(cost)["total_cost"]


RESERVATION_15 = """{
  "country_code": "DE", "party_id": "ALL", "id": "20", "currency": "EUR",
  "elements": [
    {"price_components": [{"type": "TIME", "price": 5.00, "vat": 20.0, "step_size": 60}],
     "restrictions": {"reservation": "RESERVATION"}},
    {"price_components": [{"type": "FLAT", "price": 0.50, "vat": 20.0, "step_size": 1},
                          {"type": "ENERGY", "price": 0.25, "vat": 10.0, "step_size": 1}]}
  ],
  "last_updated": "2019-02-03T17:00:11Z"
}"""


def reserved_then_charged(reserved_minutes: int) -> SessionTimeline:
    return session(START, (RESERVATION, reserved_minutes, "0"), (CHARGING, 60, "20"))


def test_tariff_example_with_reservation_price() -> None:
    """Tariff example with reservation price: session started 15 min after the reservation,
    20 kWh -> 6.75 excl / 7.60 incl."""
    cost = price_session(tariff(RESERVATION_15), reserved_then_charged(15))
    assert amounts(cost) == (Decimal("6.75"), Decimal("7.60"))


def test_tariff_example_with_reservation_price_and_fee() -> None:
    """Tariff example with reservation price and fee: 2.00 fee + 5.00/h per 5 min; started
    13 min after the reservation (billed 15), 20 kWh -> 8.75 excl / 10.00 incl."""
    rates = tariff(
        """{"country_code": "DE", "party_id": "ALL", "id": "20", "currency": "EUR",
        "elements": [
          {"price_components": [{"type": "FLAT", "price": 2.00, "vat": 20.0, "step_size": 1},
                                {"type": "TIME", "price": 5.00, "vat": 20.0, "step_size": 300}],
           "restrictions": {"reservation": "RESERVATION"}},
          {"price_components": [{"type": "FLAT", "price": 0.50, "vat": 20.0, "step_size": 1},
                                {"type": "ENERGY", "price": 0.25, "vat": 10.0, "step_size": 1}]}
        ], "last_updated": "2019-02-03T17:00:11Z"}"""
    )
    assert amounts(price_session(rates, reserved_then_charged(13))) == (
        Decimal("8.75"),
        Decimal("10.00"),
    )


RESERVATION_EXPIRE_FEE = """{
  "country_code": "DE", "party_id": "ALL", "id": "20", "currency": "EUR",
  "elements": [
    {"price_components": [{"type": "FLAT", "price": 4.00, "vat": 20.0, "step_size": 1}],
     "restrictions": {"reservation": "RESERVATION_EXPIRES"}},
    {"price_components": [{"type": "TIME", "price": 2.00, "vat": 20.0, "step_size": 600}],
     "restrictions": {"reservation": "RESERVATION"}},
    {"price_components": [{"type": "FLAT", "price": 0.50, "vat": 20.0, "step_size": 1},
                          {"type": "ENERGY", "price": 0.25, "vat": 10.0, "step_size": 1}]}
  ],
  "tax_included": "NO", "last_updated": "2019-02-03T17:00:11Z"
}"""


def test_tariff_example_with_reservation_price_and_expire_fee() -> None:
    """Tariff example with reservation price and expire fee: started 22 min after the
    reservation (billed 30), 20 kWh -> 6.50 / 7.30; expired after 1 hour -> 6.00 / 7.20."""
    rates = tariff(RESERVATION_EXPIRE_FEE)
    assert amounts(price_session(rates, reserved_then_charged(22))) == (
        Decimal("6.50"),
        Decimal("7.30"),
    )
    expired = session(START, (RESERVATION, 60, "0"), expired=True)
    assert amounts(price_session(rates, expired)) == (Decimal("6.00"), Decimal("7.20"))


RESERVATION_EXPIRE_TIME = """{
  "country_code": "DE", "party_id": "ALL", "id": "20", "currency": "EUR",
  "elements": [
    {"price_components": [{"type": "TIME", "price": 6.00, "vat": 20.0, "step_size": 600}],
     "restrictions": {"reservation": "RESERVATION_EXPIRES"}},
    {"price_components": [{"type": "TIME", "price": 3.00, "vat": 20.0, "step_size": 600}],
     "restrictions": {"reservation": "RESERVATION"}},
    {"price_components": [{"type": "FLAT", "price": 0.50, "vat": 20.0, "step_size": 1},
                          {"type": "ENERGY", "price": 0.25, "vat": 10.0, "step_size": 1}]}
  ],
  "tax_included": "NO", "last_updated": "2019-02-03T17:00:11Z"
}"""


def test_tariff_example_with_reservation_time_and_expire_time() -> None:
    """Tariff example with reservation time and expire time: started 22 min after the
    reservation, 20 kWh -> 7.00 / 7.90; expired after 1.5 hours -> 9.00 / 10.80."""
    rates = tariff(RESERVATION_EXPIRE_TIME)
    assert amounts(price_session(rates, reserved_then_charged(22))) == (
        Decimal("7.00"),
        Decimal("7.90"),
    )
    expired = session(START, (RESERVATION, 90, "0"), expired=True)
    assert amounts(price_session(rates, expired)) == (Decimal("9.00"), Decimal("10.80"))
