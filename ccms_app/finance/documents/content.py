"""The frozen content of a billing document (BillingDocument.content, JSON).

Everything the PDF prints is here, as it was when the document was issued, so a changed
seller address or a renamed station never changes an issued document:

    {"version": 1, "kind", "number", "issued_at" (UTC ISO), "issued_local" (date in the zone),
     "time_zone", "currency",
     "seller": {"name", "address", "vat_id", "email", "logo_path"},
     "buyer": {"name", "email", "reference"},
     "session": {"station", "charge_point", "connector", "id_tag", "start", "stop",
                 "time_zone", "energy_kwh"} | null,        (receipts)
     "period": {"start", "end"} | null,                     (invoices: local dates, inclusive)
     "lines": [{"day", "description", "quantity", "unit", "unit_price", "vat", "amount_minor"}],
     "vat": [{"rate", "base_minor", "vat_minor"}],
     "totals": {"excl_minor", "vat_minor", "incl_minor"},
     "credits": {"number", "issued_local"} | null, "reason": str,   (credit notes)
     "notes": [str]}

Decimals (quantities, prices, VAT percentages) are strings; money is integer minor units.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ccms_app.finance.rules.documents import (
    DocumentLine,
    Totals,
    VatRow,
    format_decimal,
    negated_line,
    negated_totals,
    negated_vat,
)

CONTENT_VERSION = 1


@dataclass(frozen=True)
class Party:
    """Seller or buyer as printed."""

    name: str
    email: str = ""
    address: str = ""
    vat_id: str = ""
    reference: str = ""  # the buyer's card or account
    logo_path: str = ""


@dataclass(frozen=True)
class Heading:
    """Who issues what to whom, when, in which zone and currency."""

    kind: str
    number: str
    issued_at: str  # UTC ISO 8601
    issued_local: str
    time_zone: str
    currency: str
    seller: Party
    buyer: Party


@dataclass(frozen=True)
class Body:
    lines: list[DocumentLine]
    vat: list[VatRow]
    totals: Totals
    session: dict[str, str] | None = None
    period: dict[str, str] | None = None
    notes: list[str] = field(default_factory=list)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format_decimal(value)


def _number(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def line_json(line: DocumentLine) -> dict[str, Any]:
    return {
        "day": line.day,
        "description": line.description,
        "quantity": _text(line.quantity),
        "unit": line.unit,
        "unit_price": _text(line.unit_price),
        "vat": _text(line.vat),
        "amount_minor": line.amount_minor,
    }


def line_from_json(data: dict[str, Any]) -> DocumentLine:
    return DocumentLine(
        description=data["description"],
        quantity=_number(data.get("quantity")),
        unit=data.get("unit", ""),
        unit_price=_number(data.get("unit_price")),
        vat=_number(data.get("vat")),
        amount_minor=int(data["amount_minor"]),
        day=data.get("day", ""),
    )


def vat_json(row: VatRow) -> dict[str, Any]:
    return {"rate": _text(row.rate), "base_minor": row.base_minor, "vat_minor": row.vat_minor}


def vat_from_json(data: dict[str, Any]) -> VatRow:
    return VatRow(_number(data.get("rate")), int(data["base_minor"]), int(data["vat_minor"]))


def totals_json(totals: Totals) -> dict[str, int]:
    return {
        "excl_minor": totals.excl_minor,
        "vat_minor": totals.vat_minor,
        "incl_minor": totals.incl_minor,
    }


def totals_from_json(data: dict[str, Any]) -> Totals:
    return Totals(int(data["excl_minor"]), int(data["vat_minor"]), int(data["incl_minor"]))


def party_json(party: Party) -> dict[str, str]:
    return {
        "name": party.name,
        "email": party.email,
        "address": party.address,
        "vat_id": party.vat_id,
        "reference": party.reference,
        "logo_path": party.logo_path,
    }


def build_content(heading: Heading, body: Body) -> dict[str, Any]:
    """The content dict of a new document."""
    return {
        "version": CONTENT_VERSION,
        "kind": heading.kind,
        "number": heading.number,
        "issued_at": heading.issued_at,
        "issued_local": heading.issued_local,
        "time_zone": heading.time_zone,
        "currency": heading.currency,
        "seller": party_json(heading.seller),
        "buyer": party_json(heading.buyer),
        "session": body.session,
        "period": body.period,
        "lines": [line_json(line) for line in body.lines],
        "vat": [vat_json(row) for row in body.vat],
        "totals": totals_json(body.totals),
        "credits": None,
        "reason": "",
        "notes": list(body.notes),
    }


def credit_content(
    original: dict[str, Any], heading: Heading, reason: str, actor_email: str
) -> dict[str, Any]:
    """The original's content with every amount negated, under the credit note's heading."""
    lines = [negated_line(line_from_json(line)) for line in original["lines"]]
    vat = [negated_vat(vat_from_json(row)) for row in original["vat"]]
    content = build_content(
        heading,
        Body(
            lines=lines,
            vat=vat,
            totals=negated_totals(totals_from_json(original["totals"])),
            session=original.get("session"),
            period=original.get("period"),
        ),
    )
    content["seller"] = original["seller"]
    content["buyer"] = original["buyer"]
    content["credits"] = {"number": original["number"], "issued_local": original["issued_local"]}
    content["reason"] = reason
    content["credited_by"] = actor_email
    return content


def dump(content: dict[str, Any]) -> str:
    """The stored text: sorted keys, so the same content is always the same text."""
    return json.dumps(content, ensure_ascii=False, sort_keys=True)


def load(text: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(text)
    return data
