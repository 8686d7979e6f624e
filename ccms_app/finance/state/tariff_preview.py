"""The preview calculator on the tariff editor: what a described session would cost with the
tariff as it is being edited (not saved), priced by the engine itself.

The description becomes a timeline (finance.rules.preview), the editor's rows a tariff read
in the description's zone (OCPI reads restriction times in the station's zone), and
`tariff_engine.price_session` prices it: the lines are the engine's, per element, dimension
and period; the totals its single rounding to the minor unit.

The description and the priced answer stay while the same tariff loads again (a reconnect,
a reload: the editor keeps its draft too); another tariff starts from a typical session.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from decimal import Decimal

import reflex as rx

from ccms_app.accounts.gate_marks import guarded
from ccms_app.accounts.rules.permissions import Module
from ccms_app.accounts.state import AuthState
from ccms_app.accounts.state.auth import acting_email
from ccms_app.core.display import time_zone
from ccms_app.core.i18n import N_, tr
from ccms_app.core.money import format_money
from ccms_app.core.types import utc_now
from ccms_app.finance.history.rows import in_reader_numbers
from ccms_app.finance.rules.fee_types import FEES, RowsError, dimension_of
from ccms_app.finance.rules.preview import (
    PreviewError,
    build_timeline,
    parse_description,
    total_energy,
)
from ccms_app.finance.rules.tariff_engine import price_session
from ccms_app.finance.rules.tariff_json import TariffError, parse_tariff
from ccms_app.finance.rules.tariff_types import CostLine, Dimension, SessionCost
from ccms_app.finance.state.tariff_common import LOCAL_INPUT
from ccms_app.finance.state.tariff_editor import TariffEditorState, draft_key
from ccms_app.ui.events import event
from ccms_app.ui.reopen import ReopenAware

_UNIT_PRICES = {
    Dimension.ENERGY: N_("{price} {currency} per kWh"),
    Dimension.TIME: N_("{price} {currency} per hour"),
    Dimension.PARKING_TIME: N_("{price} {currency} per hour"),
    Dimension.FLAT: N_("{price} {currency} per session"),
}
# The engine's notes (finance.rules.tariff_engine, kept in English with the cost), as
# people read them; a note not here is shown as the engine wrote it.
ENGINE_NOTES = frozenset(
    {
        N_("idle fee cap applied"),
        N_("min_price applied"),
        N_("max_price applied"),
        N_("incl_vat limit applied"),
        N_("parking within the charging time billed by step_size not billed"),
    }
)
_LABELS = {
    Dimension.ENERGY: N_("Energy"),
    Dimension.TIME: N_("Time"),
    Dimension.PARKING_TIME: N_("Idle (parking)"),
    Dimension.FLAT: N_("Flat"),
}


@dataclasses.dataclass
class CostRow:
    dimension: str = ""
    fee: str = ""
    period: str = ""
    quantity: str = ""
    unit_price: str = ""
    vat: str = ""
    amount: str = ""


@guarded(Module.FINANCE)
class TariffPreviewState(ReopenAware, rx.State):
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    message: str = ""
    priced: bool = False
    lines: rx.Field[list[CostRow]] = rx.field(default_factory=list)
    total_excl: rx.Field[str] = rx.field("")
    total_vat: rx.Field[str] = rx.field("")
    total_incl: rx.Field[str] = rx.field("")
    summary: str = ""
    notes: rx.Field[list[str]] = rx.field(default_factory=list)

    @event
    async def open_preview(self) -> None:
        """on_load, after the editor's: a typical evening session in the operator's zone,
        ready to price; the same tariff loading again keeps the session described and its
        price."""
        editor = await self.get_state(TariffEditorState)
        actor = acting_email(await self.get_state(AuthState))
        if not self._opening_anew(draft_key(actor, editor.tariff_id)):
            return
        zone = editor.time_zone or "UTC"
        today = utc_now().astimezone(time_zone(zone)).replace(minute=0, second=0)
        self.values = {
            "start": today.replace(hour=17).strftime(LOCAL_INPUT),
            "time_zone": zone,
            "duration_minutes": "120",
            "energy_kwh": "22",
            "power_kw": "11",
            "power_profile": "",
            "idle_minutes": "30",
            "reserved_minutes": "",
        }
        self.errors, self.message, self.priced, self.lines, self.notes = {}, "", False, [], []

    @event
    def set_value(self, name: str, value: str) -> None:
        self.values = {**self.values, name: value}

    @event
    async def calculate(self) -> None:
        self.errors, self.message, self.priced = {}, "", False
        editor = await self.get_state(TariffEditorState)
        try:
            definition = editor.editor_definition()
        except RowsError as exc:
            editor.errors = exc.errors
            self.message = tr("Correct the tariff's fields first (marked in red above).")
            return
        try:
            description = parse_description(self.values)
            tariff = parse_tariff(definition, time_zone=description.time_zone)
        except PreviewError as exc:
            self.errors, self.message = exc.errors, tr("Describe the session completely.")
            return
        except TariffError as exc:
            self.message = tr("The tariff cannot be priced: {error}", error=str(exc))
            return
        cost = price_session(tariff, build_timeline(description))
        self._show(cost, description.time_zone, total_energy(description))

    def _show(self, cost: SessionCost, zone: str, energy: Decimal) -> None:
        currency = cost.currency
        self.lines = [_cost_row(line, zone, currency) for line in cost.lines]
        self.total_excl = format_money(cost.total.excl_vat_minor, currency)
        self.total_vat = format_money(
            cost.total.incl_vat_minor - cost.total.excl_vat_minor, currency
        )
        self.total_incl = format_money(cost.total.incl_vat_minor, currency)
        minutes = cost.total_time_hours * 60
        self.summary = tr(
            "{energy} kWh, {minutes} min in total ({idle} min idle)",
            energy=_number(energy),
            minutes=_number(minutes),
            idle=_number(cost.total_parking_hours * 60),
        )
        self.notes = [tr(note) if note in ENGINE_NOTES else note for note in cost.notes]
        self.priced = True


def _cost_row(line: CostLine, zone: str, currency: str) -> CostRow:
    return CostRow(
        dimension=_LABELS.get(line.dimension, line.dimension.value),
        fee=fee_names(line.fee, line.dimension) if line.element_index >= 0 else N_("adjustment"),
        period=f"{_clock(line.start, zone)} - {_clock(line.end, zone)}",
        quantity=_quantity(line),
        unit_price=tr(
            _UNIT_PRICES[line.dimension], price=_number(line.unit_price), currency=currency
        ),
        vat=N_("no VAT") if line.vat is None else f"{_number(line.vat)} %",
        amount=f"{_number(line.amount_excl_vat, 6)} {currency}",
    )


def fee_names(label: str, dimension: Dimension) -> str:
    """The element's fee types (its CCMS label) that price this dimension: "Energy fee", in
    the reader's language."""
    names = [
        tr(FEES[fee].label)
        for fee in dict.fromkeys(label.split(","))
        if fee in FEES and any(dimension_of(fee, unit) is dimension for unit in FEES[fee].units)
    ]
    return " + ".join(names) or _LABELS.get(dimension, dimension.value)


def _quantity(line: CostLine) -> str:
    if line.dimension is Dimension.ENERGY:
        return f"{_number(line.billed_quantity)} kWh"
    if line.dimension is Dimension.FLAT:
        return tr("1 session") if line.billed_quantity else "—"
    minutes = line.billed_quantity * 60
    return tr("{minutes} min", minutes=_number(minutes))


def _clock(at: datetime, zone: str) -> str:
    local = at.astimezone(time_zone(zone))
    return local.strftime("%H:%M") if local.second == 0 else local.strftime("%H:%M:%S")


def _number(value: Decimal, decimals: int = 4) -> str:
    """Exact up to `decimals` places, no trailing zeros (an unrounded amount shows its cents
    and the fraction beyond them), with the reader's decimal sign."""
    rounded = value.quantize(Decimal(1).scaleb(-decimals))
    text = format(rounded.normalize(), "f")
    return in_reader_numbers(text if text != "-0" else "0")
