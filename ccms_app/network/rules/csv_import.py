"""Reading operator CSV files for batch import: pure parsing, no database.

Real files come from Excel, LibreOffice and scripts: UTF-8 with or without a byte order mark
(or UTF-16 from Excel's "Unicode text"), `,` `;` or tab as delimiter, quoted fields, CRLF,
blank trailing lines and rows of empty cells. Every problem is reported with the line number
as an editor shows it and the column name as written in the header, so the operator can find
and fix it; nothing is guessed silently. Rows whose first cell starts with `#` are comments
(the downloadable templates use them for the example row and the legend).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from babel.numbers import format_decimal, get_decimal_symbol

from ccms_app.core.i18n import N_, babel_locale, reader_language, tr
from ccms_app.network.rules.asset_validation import CONNECTOR_TYPES

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
COMMENT = "#"
DELIMITERS = (",", ";", "\t")
CONNECTOR_SEPARATOR = "|"
CONNECTOR_PART_SEPARATOR = ":"


@dataclass(frozen=True)
class CellError:
    """One problem: `row` is the line in the file (0: the file as a whole), `column` the
    header name as the file spells it ("" when the problem is not one cell's)."""

    row: int
    column: str
    message: str
    file: str = ""


@dataclass(frozen=True)
class CsvColumn:
    """A column an import understands. `legend` explains its allowed values in the template."""

    key: str
    required: bool = False
    legend: str = ""
    example: str = ""


@dataclass(frozen=True)
class CsvLayout:
    """The columns of one kind of import file (stations, charge points)."""

    kind: str
    columns: tuple[CsvColumn, ...]
    notes: tuple[str, ...] = ()

    def keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.columns)

    def match(self, header_name: str) -> str | None:
        """The column key a header cell means ("Max power (W)" == "max_power_w"), or None."""
        wanted = normalise_header(header_name)
        for column in self.columns:
            if normalise_header(column.key) == wanted:
                return column.key
        return None


@dataclass(frozen=True)
class CsvRow:
    """One data row: `values` by column key (only the columns present in the file)."""

    line: int
    values: dict[str, str]


@dataclass(frozen=True)
class ParsedCsv:
    """A parsed file. `headers` maps column key -> header cell as written (for messages)."""

    headers: dict[str, str] = field(default_factory=dict)
    rows: tuple[CsvRow, ...] = ()
    errors: tuple[CellError, ...] = ()
    delimiter: str = ","
    header_ok: bool = False  # the header names every required column and nothing unknown

    def column_name(self, key: str) -> str:
        return self.headers.get(key, key)


@dataclass(frozen=True)
class ConnectorSpec:
    """One connector from a charge point row's connector list, still as text."""

    connector_id: str
    connector_type: str
    max_power_kw: str


def normalise_header(name: str) -> str:
    """Case, spaces, punctuation and unit brackets do not matter in a header cell."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def human_size(size: int) -> str:
    """1.5 MB, 12 KB, 300 bytes (in the reader's language: "1,5 MB")."""
    if size >= 1024 * 1024:
        number = f"{size / 1024 / 1024:.1f}".removesuffix(".0")
        return number.replace(".", get_decimal_symbol(babel_locale(reader_language()))) + " MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return tr("{count} bytes", count=size)


def whole_number(value: int) -> str:
    """20,000 as the reader's language writes it (20.000 in German)."""
    return format_decimal(value, "#,##0", locale=babel_locale(reader_language()))


# ---- decoding ------------------------------------------------------------------------------


def decode(data: bytes) -> tuple[str, CellError | None]:
    """The file's text (BOM removed), or a file-level error saying how to save it instead."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError:
            return "", CellError(0, "", tr("The file starts like UTF-16 text but is not valid."))
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        byte = format(data[exc.start], "#04x")  # 0x9f
        return "", CellError(
            line,
            "",
            tr(
                "The file is not UTF-8 text (byte {byte} on line {line}). "
                "Save it as \u201cCSV UTF-8\u201d and import it again.",
                byte=byte,
                line=line,
            ),
        )


def sniff_delimiter(text: str) -> str:
    """`,` `;` or tab: whichever occurs most, outside quotes, in the first non-comment line."""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith(COMMENT):
            continue
        unquoted = re.sub(r'"[^"]*"', "", line)
        counts = {d: unquoted.count(d) for d in DELIMITERS}
        best = max(DELIMITERS, key=lambda d: counts[d])
        return best if counts[best] else ","
    return ","


# ---- records -------------------------------------------------------------------------------


def _records(text: str, delimiter: str) -> Iterator[tuple[int, list[str] | None, str]]:
    """(first line of the record, cells, csv error message) for every record of the text."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield (
                start,
                None,
                tr("The quotes on this line do not pair up ({problem}).", problem=exc),
            )
            continue
        yield start, cells, ""


def _is_blank(cells: list[str]) -> bool:
    return not any(cell.strip() for cell in cells)


def _is_comment(cells: list[str]) -> bool:
    return cells[0].lstrip().startswith(COMMENT)


def _read_header(
    line: int, cells: list[str], layout: CsvLayout
) -> tuple[dict[int, str], dict[str, str], list[CellError]]:
    """Position -> key, key -> header name as written, and the header's errors."""
    positions: dict[int, str] = {}
    headers: dict[str, str] = {}
    errors: list[CellError] = []
    known = ", ".join(layout.keys())
    for position, raw in enumerate(cells):
        name = raw.strip()
        if not name:
            continue
        key = layout.match(name)
        if key is None:
            message = tr(
                "Unknown column \u201c{name}\u201d. The columns are: {known}.",
                name=name,
                known=known,
            )
            errors.append(CellError(line, name, message))
        elif key in headers:
            message = tr("The column \u201c{name}\u201d appears twice.", name=name)
            errors.append(CellError(line, name, message))
        else:
            positions[position] = key
            headers[key] = name
    for column in layout.columns:
        if column.required and column.key not in headers:
            message = tr("The required column \u201c{name}\u201d is missing.", name=column.key)
            errors.append(CellError(line, column.key, message))
    return positions, headers, errors


def _row_values(
    line: int, cells: list[str], positions: dict[int, str], width: int
) -> tuple[dict[str, str], CellError | None]:
    extra = [cell for cell in cells[width:] if cell.strip()]
    if extra:
        return {}, CellError(
            line,
            "",
            tr(
                "This row has {count} values but the header has {width} columns "
                "(is a value with the delimiter in it missing its quotes?).",
                count=len(cells),
                width=width,
            ),
        )
    values = {key: cells[pos].strip() if pos < len(cells) else "" for pos, key in positions.items()}
    for key, value in values.items():
        if "\n" in value or "\r" in value:
            return {}, CellError(
                line,
                key,
                tr("A quoted value runs over several lines (is a closing quote missing?)."),
            )
    return values, None


def parse_csv(
    data: bytes, layout: CsvLayout, *, max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS
) -> ParsedCsv:
    """Parse an uploaded file against `layout`: header check, row values, every error found."""
    if len(data) > max_bytes:
        message = tr(
            "The file is {size}; at most {limit} can be imported at once. Split it into "
            "smaller files.",
            size=human_size(len(data)),
            limit=human_size(max_bytes),
        )
        return ParsedCsv(errors=(CellError(0, "", message),))
    text, problem = decode(data)
    if problem is not None:
        return ParsedCsv(errors=(problem,))
    delimiter = sniff_delimiter(text)
    return _parse_text(text, delimiter, layout, max_rows)


def _parse_text(text: str, delimiter: str, layout: CsvLayout, max_rows: int) -> ParsedCsv:
    errors: list[CellError] = []
    rows: list[CsvRow] = []
    positions: dict[int, str] | None = None
    headers: dict[str, str] = {}
    header_ok = False
    width = 0
    for line, cells, problem in _records(text, delimiter):
        if cells is None:
            errors.append(CellError(line, "", problem))
            continue
        if _is_blank(cells) or _is_comment(cells):
            continue
        if positions is None:
            positions, headers, header_errors = _read_header(line, cells, layout)
            errors.extend(header_errors)
            header_ok = not header_errors
            width = len(cells)
            continue
        if len(rows) >= max_rows:
            errors.append(
                CellError(
                    line,
                    "",
                    tr(
                        "The file has more than {max_rows} rows; at most {max_rows} can be "
                        "imported at once. Split it into smaller files.",
                        max_rows=whole_number(max_rows),
                    ),
                )
            )
            break
        values, error = _row_values(line, cells, positions, width)
        if error is not None:
            errors.append(
                CellError(error.row, headers.get(error.column, error.column), error.message)
            )
        else:
            rows.append(CsvRow(line, values))
    if positions is None and not errors:
        errors.append(CellError(0, "", tr("The file is empty: it has no header row.")))
    elif positions is not None and not rows and not errors:
        errors.append(CellError(0, "", tr("The file has a header but no rows to import.")))
    return ParsedCsv(
        headers=headers,
        rows=tuple(rows),
        errors=tuple(errors),
        delimiter=delimiter,
        header_ok=header_ok,
    )


# ---- cell formats --------------------------------------------------------------------------


def parse_connectors(text: str) -> tuple[list[ConnectorSpec], str]:
    """Split "1:Type2:22000|2:CCS2:150000" into connectors; the error message or ""."""
    specs: list[ConnectorSpec] = []
    seen: set[str] = set()
    for number, part in enumerate(text.split(CONNECTOR_SEPARATOR), start=1):
        part = part.strip()
        if not part:
            continue
        pieces = [p.strip() for p in part.split(CONNECTOR_PART_SEPARATOR)]
        if len(pieces) not in (2, 3) or not pieces[0]:
            return [], tr(
                "Connector {number} \u201c{part}\u201d is not id:type:max power in W "
                "(e.g. 1:Type2:22000; the power may be left out: 1:Type2).",
                number=number,
                part=part,
            )
        if pieces[0] in seen:
            return [], tr("Connector {connector_id} is listed twice.", connector_id=pieces[0])
        seen.add(pieces[0])
        specs.append(ConnectorSpec(pieces[0], pieces[1], pieces[2] if len(pieces) == 3 else ""))
    return specs, ""


def format_connectors(connectors: list[tuple[int, str, int | None]]) -> str:
    """The connector list cell for (connector id, type, max power in W), in id order."""
    parts = []
    for cid, ctype, watts in sorted(connectors, key=lambda c: c[0]):
        power = "" if watts is None else f"{CONNECTOR_PART_SEPARATOR}{Decimal(watts) / 1000}"
        parts.append(f"{cid}{CONNECTOR_PART_SEPARATOR}{ctype}{power}")
    return CONNECTOR_SEPARATOR.join(parts)


TRUE_WORDS = frozenset({"yes", "y", "true", "1", "enabled", "on", "ja", "oui"})
FALSE_WORDS = frozenset({"no", "n", "false", "0", "disabled", "off", "nein", "non"})


def parse_flag(text: str) -> bool | None:
    """yes/no, true/false, 1/0, enabled/disabled (any case); None when it is none of them."""
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


# ---- templates -----------------------------------------------------------------------------


def template_csv(layout: CsvLayout) -> str:
    """Header, one commented example row and a legend of the allowed values (comment rows,
    in the reader's language; the header and the example stay as the import reads them)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(layout.keys())
    example = [c.example for c in layout.columns]
    example[0] = f"{COMMENT}{example[0]}"
    writer.writerow(example)
    lines = [
        tr("Rows starting with # are ignored: delete the example row above or keep it."),
        *(tr(note) for note in layout.notes),
        *(_legend_line(c) for c in layout.columns if c.legend or c.required),
    ]
    for text in lines:
        # One cell per legend line, so spreadsheets keep it in column A.
        buffer.write(f"{COMMENT} {text.replace(chr(34), chr(39))}\r\n")
    return buffer.getvalue()


def _legend_line(column: CsvColumn) -> str:
    """ "name (required): at most 200 characters; ..." (a legend names the connector types
    as {types})."""
    legend = tr(column.legend, types=", ".join(CONNECTOR_TYPES)) if column.legend else ""
    if column.required:
        return tr("{column} (required): {legend}", column=column.key, legend=legend)
    return f"{column.key}: {legend}"


# ---- the two import files ------------------------------------------------------------------

STATIONS = "stations"
CHARGE_POINTS = "charge_points"

STATION_LAYOUT = CsvLayout(
    kind=STATIONS,
    columns=(
        CsvColumn(
            "name",
            True,
            N_("at most 200 characters; the key: a name already in CCMS updates that station."),
            "Depot North",
        ),
        CsvColumn(
            "address",
            legend=N_("free text, at most 500 characters."),
            example="Harbour Road 1, 1011 AB Amsterdam",
        ),
        CsvColumn(
            "latitude",
            legend=N_("decimal degrees -90 to 90 (both coordinates or neither)."),
            example="52.3791",
        ),
        CsvColumn("longitude", legend=N_("decimal degrees -180 to 180."), example="4.9003"),
        CsvColumn(
            "timezone",
            legend=N_("IANA name such as Europe/Berlin; empty means UTC."),
            example="Europe/Amsterdam",
        ),
        CsvColumn(
            "opening_hours",
            legend=N_(
                "24/7 (also when empty) or rules such as Mo-Fr 07:00-20:00; Sa 09:00-14:00; Su off."
            ),
            example="24/7",
        ),
    ),
    notes=(N_("Columns other than name may be left out: a missing column keeps what CCMS has."),),
)

CHARGE_POINT_LAYOUT = CsvLayout(
    kind=CHARGE_POINTS,
    columns=(
        CsvColumn(
            "identity",
            True,
            N_(
                "the OCPP identity: 1-48 letters, digits or - _ . : "
                "(the key: an identity already in CCMS updates that charge point)."
            ),
            "CP-0001",
        ),
        CsvColumn(
            "station",
            True,
            N_("the station's name: a station in this import or already in CCMS."),
            "Depot North",
        ),
        CsvColumn("vendor", legend=N_("at most 50 characters."), example="ABB"),
        CsvColumn("model", legend=N_("at most 50 characters."), example="Terra AC"),
        CsvColumn("serial_number", legend=N_("at most 50 characters."), example="SN-123456"),
        CsvColumn("firmware_version", legend=N_("at most 50 characters."), example="1.8.2"),
        CsvColumn("charging_method", legend=N_("AC or DC; empty means AC."), example="AC"),
        CsvColumn("phases", legend=N_("1 or 3 for AC; empty for DC."), example="3"),
        CsvColumn(
            "min_power_kw",
            legend=N_("kW, decimals allowed, more than 0, at most 1000."),
            example="1.4",
        ),
        CsvColumn("max_power_kw", legend=N_("kW, at least the minimum."), example="22"),
        CsvColumn("min_voltage_v", legend=N_("whole volts 1-1500."), example="230"),
        CsvColumn("max_voltage_v", legend=N_("whole volts, at least the minimum."), example="400"),
        CsvColumn(
            "enabled",
            legend=N_("yes or no (also true/false, 1/0); empty means yes."),
            example="yes",
        ),
        CsvColumn(
            "connectors",
            legend=N_(
                "id:type:max power in kW, separated by | (e.g. 1:Type2:22|2:Type2:22). Types: "
                "{types}. Listed connectors are added or updated; connectors not listed are kept."
            ),
            example="1:Type2:22|2:Type2:22",
        ),
    ),
    notes=(
        N_(
            "Columns other than identity and station may be left out: a missing column keeps "
            "what CCMS has."
        ),
    ),
)

LAYOUTS = {STATIONS: STATION_LAYOUT, CHARGE_POINTS: CHARGE_POINT_LAYOUT}


def detect_kind(data: bytes, default: str = STATIONS) -> str:
    """Which import a file is, from its header: an `identity` column means charge points."""
    head = data[:65536]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = head.decode("utf-16", errors="replace")
    else:
        text = head.decode("utf-8-sig", errors="replace")
    delimiter = sniff_delimiter(text)
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith(COMMENT):
            names = {normalise_header(cell) for cell in line.split(delimiter)}
            if "identity" in names:
                return CHARGE_POINTS
            if "name" in names:
                return STATIONS
            return default
    return default
