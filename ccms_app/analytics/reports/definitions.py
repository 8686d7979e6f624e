"""The predefined reports: what each one is, what its figures mean, and its CSV columns.

The page shows each definition under its report, the monthly e-mail repeats them, and the
CSV columns are the page's figures as plain numbers (kWh with 3 decimals: exact watt-hours;
amounts in the currency's major unit, one column pair per currency; durations in whole
minutes), so a spreadsheet adds them up to the page's totals.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ccms_app.analytics.reports.availability import DEFINITION as AVAILABILITY
from ccms_app.core.i18n import N_


class ReportKind(StrEnum):
    SESSIONS = "sessions"
    ENERGY = "energy"
    AVAILABILITY = "availability"


@dataclass(frozen=True)
class ReportDefinition:
    kind: ReportKind
    title: str
    description: str


SESSIONS_SUMMARY = N_(
    "Orders: sessions that ended in the period (a session is one order, complete when it "
    "stops). Energy and charging time: in the hours they happened, so a session from 23:30 "
    "to 00:30 counts in both days' energy and time and in the second day's orders. Amounts: "
    "final costs, on the day the session ended; sessions held for review or not priced "
    "count as orders without an amount."
)
SESSIONS_DETAIL = N_(
    "The detail lists the sessions that started in the chosen days (as Finance -> Charging "
    "history does), times in the operator's time zone, amounts of final costs only."
)
ENERGY = N_(
    "Energy delivered in the chosen days per station and per charge point, in the hours it "
    "was delivered (a session over midnight splits its energy by its meter readings), and "
    "each one's share of the total."
)
VEHICLE_AND_GROUP = N_(
    "A vehicle or group narrows to the sessions of its cards: a group's cards, or the cards "
    "of the vehicle's driver when the driver has only this vehicle (the charger does not "
    "say which car is plugged in)."
)

REPORTS: dict[ReportKind, ReportDefinition] = {
    ReportKind.SESSIONS: ReportDefinition(
        ReportKind.SESSIONS, "Charging sessions", f"{SESSIONS_SUMMARY} {SESSIONS_DETAIL}"
    ),
    ReportKind.ENERGY: ReportDefinition(ReportKind.ENERGY, "Charged energy", ENERGY),
    ReportKind.AVAILABILITY: ReportDefinition(
        ReportKind.AVAILABILITY, "Station availability", AVAILABILITY
    ),
}

Columns = tuple[tuple[str, str], ...]  # (row key, CSV header)


def amount_columns(currencies: tuple[str, ...]) -> Columns:
    """One excl. / incl. VAT pair per currency, the operator's first."""
    found: list[tuple[str, str]] = []
    for code in currencies:
        found.append((f"excl_{code}", f"Amount excl. VAT ({code})"))
        found.append((f"incl_{code}", f"Amount incl. VAT ({code})"))
    return tuple(found)


SUMMARY_COLUMNS: Columns = (
    ("key", "Period"),
    ("orders", "Orders"),
    ("energy_kwh", "Energy (kWh)"),
    ("charging_min", "Charging time (min)"),
)
DETAIL_COLUMNS: Columns = (
    ("id", "Session"),
    ("station", "Station"),
    ("charge_point", "Charge point"),
    ("connector_id", "Connector"),
    ("id_tag", "Id tag"),
    ("vehicle", "Vehicle"),
    ("group", "Group"),
    ("start_time", "Started"),
    ("stop_time", "Stopped"),
    ("duration_min", "Duration (min)"),
    ("energy_kwh", "Energy (kWh)"),
    ("excl_value", "Amount excl. VAT"),
    ("incl_value", "Amount incl. VAT"),
    ("currency", "Currency"),
    ("cost", "Cost"),
    ("payment_method", "Payment method"),
)
ENERGY_COLUMNS: Columns = (
    ("level", "Level"),  # "station", then "charge point"
    ("station", "Station"),
    ("charge_point", "Charge point"),
    ("orders", "Orders"),
    ("energy_kwh", "Energy (kWh)"),
    ("share_value", "Share (%)"),
)
AVAILABILITY_COLUMNS: Columns = (
    ("station", "Station"),
    ("connectors", "Connectors"),
    ("availability_value", "Availability (%)"),
    ("outage_min", "Outage counted (min)"),
    ("measured_min", "Time measured (min)"),
)
