"""The tariffs API's JSON: OCPI 2.2.1 Tariff objects with CCMS fields, bodies, and exact numbers.

Prices are Decimal end to end. FastAPI writes a Decimal as a JSON string (pydantic's JSON
mode), and a float would round it, so the tariff routes answer `DecimalJSONResponse`, which
writes each Decimal as the JSON number it is, digit for digit (OCPI's `number` type). The
pydantic models below document those answers (`Number` fields are `number` in the schema);
`tests/api/test_openapi_fuzz.py` checks what the routes send against them.

Request bodies type the envelope only (name, organisation, valid_from, sizes); the tariff's
elements and a quote's charging periods pass through as JSON to `finance.rules.tariff_json` /
`cdr_json`, so a wrong field gets the message and the name the tariff editor shows.
`exact_json` re-reads a body with Decimal numbers: the floats FastAPI parsed would not do.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from ccms_app.api.resources import MAX_INT, StrictModel
from ccms_app.api.times import UtcInstant
from ccms_app.core.identifiers import IDENTITY_MAX_LENGTH
from ccms_app.finance.errors import FinanceError
from ccms_app.finance.models import AssignmentTarget
from ccms_app.finance.rules.tariff_json_values import join
from ccms_app.finance.tariffs import DESCRIPTION_MAX, NAME_MAX

MAX_ELEMENTS = 100
NUMBER_DIGITS = 30  # far beyond any price or volume (tariff_json allows 4 decimals on money)
NUMBER_TOO_BIG = f"must be a number of at most {NUMBER_DIGITS} digits and decimals"
MAX_CHARGING_PERIODS = 10_000
Number = Annotated[Decimal, WithJsonSchema({"type": "number"})]
OcpiObject = dict[str, Any]
IDENTITY_PATTERN = r"^[A-Za-z0-9*=:+|@._-]+$"  # as charge_points.py addresses them
ID_TAG_MAX = 20  # OCPP 1.6 IdToken


# --- exact JSON ----------------------------------------------------------------------------


def _number(value: Decimal) -> str:
    if not value.is_finite():
        raise ValueError(f"{value} is not a JSON number")
    return format(value, "f")


def dumps(value: Any) -> str:
    """JSON text with every Decimal as a number, exactly (`0.25` stays `0.25`)."""
    if isinstance(value, Decimal):
        return _number(value)
    if isinstance(value, Mapping):
        items = (f"{json.dumps(str(k))}:{dumps(v)}" for k, v in value.items())
        return "{" + ",".join(items) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(dumps(v) for v in value) + "]"
    if isinstance(value, datetime):
        return json.dumps(ocpi_time(value))
    if isinstance(value, date):
        return json.dumps(value.isoformat())
    return json.dumps(value, ensure_ascii=False)


def ocpi_time(moment: datetime) -> str:
    """OCPI DateTime: UTC with a Z (`2026-01-31T08:00:00Z`)."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


class DecimalJSONResponse(JSONResponse):
    """A JSON answer whose Decimals are numbers (see the module docstring)."""

    def render(self, content: Any) -> bytes:
        return dumps(content).encode("utf-8")


def exact_json(body: bytes) -> dict[str, Any]:
    """The request body again, numbers as Decimal (FastAPI already checked it is an object).
    A number no tariff or session needs (1e-999999, 1e400: exact arithmetic on it would take
    minutes) is refused here, named by its path as tariff_json names fields."""
    data = json.loads(body, parse_float=Decimal)
    if not isinstance(data, dict):
        return {}
    wrong = {path: NUMBER_TOO_BIG for path in _outsized_numbers(data, "")}
    if wrong:
        raise FinanceError("Not accepted: a number is out of range", wrong)
    return data


def _outsized_numbers(value: Any, path: str) -> list[str]:
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in _outsized_numbers(item, join(path, key))]
    if isinstance(value, list):
        return [p for n, item in enumerate(value) for p in _outsized_numbers(item, join(path, n))]
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [path] if abs(value) >= 10**NUMBER_DIGITS else []
    if isinstance(value, Decimal) and value.is_finite():
        _sign, digits, exponent = value.as_tuple()
        assert isinstance(exponent, int)
        outsized = len(digits) > NUMBER_DIGITS or not -NUMBER_DIGITS <= exponent <= NUMBER_DIGITS
        return [path] if outsized else []
    return []


# --- tariffs -----------------------------------------------------------------------------

ELEMENTS_DOC = (
    "OCPI 2.2.1 TariffElements, in order: price_components (type ENERGY | FLAT | TIME | "
    "PARKING_TIME, price excl. VAT, vat %, step_size) and restrictions. Checked as the tariff "
    "editor checks them; errors name the field, e.g. elements[0].price_components[1].price."
)


class Price(BaseModel):
    """OCPI Price."""

    excl_vat: Number
    incl_vat: Number | None = None


class TariffPrices(StrictModel):
    """The priced part of a tariff (a new version): OCPI Tariff fields and CCMS fields."""

    currency: str = Field(max_length=3, description="ISO 4217, e.g. EUR")
    elements: list[OcpiObject] = Field(max_length=MAX_ELEMENTS, description=ELEMENTS_DOC)
    min_price: OcpiObject | None = Field(None, description="OCPI Price {excl_vat, incl_vat}")
    max_price: OcpiObject | None = Field(None, description="OCPI Price {excl_vat, incl_vat}")
    idle_grace_minutes: Number | None = Field(
        None, description="CCMS: free PARKING_TIME minutes at the start of a session"
    )
    idle_fee_cap: Number | None = Field(
        None, description="CCMS: the PARKING_TIME cost of a session at most this (excl. VAT)"
    )
    rounding: str | None = Field(
        None, max_length=16, description="CCMS: money rounding, e.g. half_up (default)"
    )
    valid_from: UtcInstant | None = Field(
        None, description="When these prices start (default now; never in the past)"
    )
    # OCPI Tariff fields CCMS accepts and ignores, so a partner's Tariff object posts as is.
    id: str | None = Field(None, max_length=36, description="OCPI; ignored (CCMS numbers it)")
    country_code: str | None = Field(None, max_length=2, description="OCPI; ignored")
    party_id: str | None = Field(None, max_length=3, description="OCPI; ignored")
    type: str | None = Field(None, max_length=32, description="OCPI TariffType; ignored")
    tariff_alt_text: list[OcpiObject] | None = Field(None, max_length=20, description="Ignored")
    tariff_alt_url: str | None = Field(None, max_length=255, description="OCPI; ignored")
    energy_mix: OcpiObject | None = Field(None, description="OCPI; ignored")
    start_date_time: str | None = Field(None, max_length=40, description="Ignored: valid_from")
    end_date_time: str | None = Field(None, max_length=40, description="OCPI; ignored")
    last_updated: str | None = Field(None, max_length=40, description="OCPI; ignored")
    tax_included: str | None = Field(None, max_length=8, description='OCPI 2.3: only "NO"')


START_FEE_EXAMPLE: dict[str, Any] = {
    "name": "Standard AC",
    "currency": "EUR",
    "elements": [
        {
            "price_components": [
                {"type": "FLAT", "price": 0.50, "vat": 20, "step_size": 1},
                {"type": "ENERGY", "price": 0.25, "vat": 10, "step_size": 1},
            ]
        }
    ],
}


class NewTariff(TariffPrices):
    model_config = ConfigDict(json_schema_extra={"examples": [START_FEE_EXAMPLE]})

    name: str = Field(max_length=NAME_MAX)
    description: str = Field("", max_length=DESCRIPTION_MAX)
    organisation_id: int | None = Field(
        None, ge=1, le=MAX_INT, description="Whose tariff (default the key's organisation)"
    )


class TariffVersionBody(TariffPrices):
    """PUT: the full new prices; name and description may change with them."""

    name: str | None = Field(None, max_length=NAME_MAX)
    description: str | None = Field(None, max_length=DESCRIPTION_MAX)


class TariffChanges(StrictModel):
    """PATCH: name and description only (prices change with PUT, as a new version)."""

    name: str | None = Field(None, max_length=NAME_MAX)
    description: str | None = Field(None, max_length=DESCRIPTION_MAX)


class AssignmentRef(BaseModel):
    id: int
    target: str
    target_id: int
    label: str


class TariffOut(BaseModel):
    """An OCPI 2.2.1 Tariff (id, currency, elements, min/max price, start_date_time,
    last_updated) with CCMS fields."""

    id: str
    currency: str
    elements: list[OcpiObject]
    min_price: Price | None = None
    max_price: Price | None = None
    start_date_time: datetime = Field(description="When the current version's prices start")
    last_updated: datetime
    name: str
    description: str
    organisation_id: int
    archived: bool
    version: int
    idle_grace_minutes: Number
    idle_fee_cap: Number | None
    rounding: str
    assignments: list[AssignmentRef]


class TariffList(BaseModel):
    items: list[TariffOut]
    total: int


class TariffVersionOut(BaseModel):
    number: int
    valid_from: datetime
    created_by: str
    created_at: datetime
    tariff: OcpiObject = Field(description="That version's OCPI Tariff JSON")


class NewAssignment(StrictModel):
    target: AssignmentTarget
    target_id: int = Field(
        ge=1, le=MAX_INT, description="The organisation's id for network, else the object's id"
    )


class AssignmentOut(AssignmentRef):
    tariff_id: int
    tariff_name: str


class AssignmentList(BaseModel):
    items: list[AssignmentOut]
    total: int


class WhichParams(StrictModel):
    charge_point: str = Field(
        min_length=1,
        max_length=IDENTITY_MAX_LENGTH,
        pattern=IDENTITY_PATTERN,
        description="The charge point's OCPP identity",
    )
    connector_id: int = Field(1, ge=0, le=1000)
    id_tag: str = Field("", max_length=ID_TAG_MAX, description="The card (driver, group)")
    at: UtcInstant | None = Field(None, description="When the session starts (default now)")


class WhichOut(BaseModel):
    tariff_id: int
    tariff_name: str
    version: int
    valid_from: datetime
    target: str
    reason: str


# --- quote -------------------------------------------------------------------------------

PERIODS_DOC = (
    "OCPI CDR charging periods: [{start_date_time, dimensions: [{type: ENERGY | TIME | "
    "PARKING_TIME | MAX_CURRENT | MIN_CURRENT | MAX_POWER | MIN_POWER | RESERVATION_TIME | "
    "..., volume}]}] (ENERGY kWh, times in hours, currents A, powers kW)."
)


QUOTE_EXAMPLE: dict[str, Any] = {
    "start_date_time": "2026-01-05T10:00:00Z",
    "end_date_time": "2026-01-05T11:30:00Z",
    "charging_periods": [
        {
            "start_date_time": "2026-01-05T10:00:00Z",
            "dimensions": [{"type": "ENERGY", "volume": 15.342}, {"type": "TIME", "volume": 1.5}],
        }
    ],
}


class QuoteRequest(StrictModel):
    """A session described as an OCPI CDR fragment."""

    model_config = ConfigDict(json_schema_extra={"examples": [QUOTE_EXAMPLE]})

    start_date_time: UtcInstant
    end_date_time: UtcInstant | None = None
    charging_periods: list[OcpiObject] = Field(
        min_length=1, max_length=MAX_CHARGING_PERIODS, description=PERIODS_DOC
    )
    time_zone: str | None = Field(
        None,
        max_length=64,
        description="IANA zone the tariff's restrictions are read in (default: the "
        "organisation's billing zone, else UTC)",
    )
    version: int | None = Field(
        None, ge=1, le=MAX_INT, description="Default: the version valid at start_date_time"
    )
    reservation_expired: bool = Field(
        False, description="CCMS: the reservation ended without a session (RESERVATION_EXPIRES)"
    )


class CdrPrice(BaseModel):
    """OCPI Price; incl_vat absent when no price component named a VAT rate."""

    excl_vat: Number
    incl_vat: Number | None = None


class CdrDimension(BaseModel):
    type: str
    volume: Number


class QuotePeriod(BaseModel):
    """An OCPI CDR ChargingPeriod, with the index of the tariff element that priced it."""

    start_date_time: datetime
    dimensions: list[CdrDimension]
    element_index: int | None = Field(description="CCMS: elements[n] of the tariff; null: none")


class QuoteLine(BaseModel):
    """One priced piece: a dimension of one element over [start_date_time, end_date_time)."""

    start_date_time: datetime
    end_date_time: datetime
    type: str = Field(description="ENERGY | FLAT | TIME | PARKING_TIME")
    element_index: int
    fee: str = Field(description="The editor's fee type of the element, if any")
    quantity: Number = Field(description="kWh, hours, or 1 (FLAT), before step_size")
    billed_quantity: Number = Field(description="After step_size")
    unit_price: Number
    vat: Number | None = Field(description="VAT %; null: no VAT applies")
    amount_excl_vat: Number = Field(description="Exact, before rounding to the minor unit")


class QuoteOut(BaseModel):
    """CDR-like totals (OCPI 2.2.1 CDR field names: money in major units, total_energy in
    kWh, times in hours) and the lines per component and period."""

    tariff_id: int
    version: int
    time_zone: str
    currency: str
    total_cost: CdrPrice
    total_fixed_cost: CdrPrice
    total_energy: Number
    total_energy_cost: CdrPrice
    total_time: Number
    total_time_cost: CdrPrice
    total_parking_time: Number
    total_parking_cost: CdrPrice
    charging_periods: list[QuotePeriod]
    lines: list[QuoteLine]
    notes: list[str] = Field(description="e.g. that min_price applied")
