"""Reading real-world CSV files: encodings, delimiters, quoting, line ends, headers, limits."""

from __future__ import annotations

import codecs

import pytest

from ccms_app.network.rules.csv_import import (
    CHARGE_POINT_LAYOUT,
    CHARGE_POINTS,
    STATION_LAYOUT,
    STATIONS,
    CellError,
    ParsedCsv,
    detect_kind,
    format_connectors,
    parse_connectors,
    parse_csv,
    parse_flag,
    template_csv,
)


def _parse(text: str, **limits: int) -> ParsedCsv:
    return parse_csv(text.encode("utf-8"), STATION_LAYOUT, **limits)


def _values(parsed: ParsedCsv) -> list[tuple[int, dict[str, str]]]:
    return [(row.line, row.values) for row in parsed.rows]


@pytest.mark.parametrize(
    "data",
    [
        b"name,address\nDepot,Main St 1\n",
        b"\xef\xbb\xbfname,address\r\nDepot,Main St 1\r\n",  # Excel "CSV UTF-8": BOM + CRLF
        b"name;address\r\nDepot;Main St 1\r\n\r\n\r\n",  # semicolons, trailing empty lines
        b"name\taddress\nDepot\tMain St 1\n",
        codecs.BOM_UTF16_LE + "name\taddress\r\nDepot\tMain St 1\r\n".encode("utf-16-le"),
        b"Name ; ADDRESS\nDepot ; Main St 1 \n;\n",  # spaces, header case, a row of empty cells
    ],
)
def test_the_same_content_in_every_common_shape(data: bytes) -> None:
    parsed = parse_csv(data, STATION_LAYOUT)
    assert parsed.errors == ()
    assert _values(parsed) == [(2, {"name": "Depot", "address": "Main St 1"})]


def test_quoted_fields_keep_delimiters_quotes_and_report_the_line_they_start_on() -> None:
    parsed = _parse('name;address\n"Depot; North";"The ""Old"" Mill, Gate 2"\n\nSouth;x\n')
    assert parsed.delimiter == ";"
    assert _values(parsed) == [
        (2, {"name": "Depot; North", "address": 'The "Old" Mill, Gate 2'}),
        (4, {"name": "South", "address": "x"}),
    ]


def test_the_sniffer_ignores_delimiters_inside_quotes() -> None:
    parsed = _parse('"name";"address"\n"A, B";"1, 2, 3"\n')
    assert parsed.delimiter == ";" and _values(parsed) == [
        (2, {"name": "A, B", "address": "1, 2, 3"})
    ]


def test_comment_rows_are_skipped_but_count_as_lines() -> None:
    parsed = _parse("# made by the template\nname,address\n#Example,x\nReal,y\n# legend, more\n")
    assert _values(parsed) == [(4, {"name": "Real", "address": "y"})]


def test_headers_are_matched_loosely_and_reported_as_written() -> None:
    parsed = parse_csv(
        b"Identity,Station,Max power (kW),charging-method\nCP-1,D,22,AC\n", CHARGE_POINT_LAYOUT
    )
    assert parsed.errors == ()
    assert parsed.rows[0].values == {
        "identity": "CP-1",
        "station": "D",
        "max_power_kw": "22",
        "charging_method": "AC",
    }
    assert parsed.column_name("max_power_kw") == "Max power (kW)"


def test_unknown_duplicate_and_missing_columns_are_named() -> None:
    parsed = parse_csv(b"identity,colour,Identity\nCP-1,red,CP-2\n", CHARGE_POINT_LAYOUT)
    assert [(e.row, e.column) for e in parsed.errors] == [
        (1, "colour"),
        (1, "Identity"),
        (1, "station"),
    ]
    assert "Unknown column \u201ccolour\u201d" in parsed.errors[0].message
    assert "identity, station, vendor" in parsed.errors[0].message
    assert "appears twice" in parsed.errors[1].message
    assert "required column \u201cstation\u201d is missing" in parsed.errors[2].message


def test_short_rows_are_padded_long_rows_are_an_error() -> None:
    parsed = _parse("name,address,timezone\nA\nB,x,UTC,,\nC,1,2,3\n")
    assert _values(parsed) == [
        (2, {"name": "A", "address": "", "timezone": ""}),
        (3, {"name": "B", "address": "x", "timezone": "UTC"}),
    ]
    assert [(e.row, e.column) for e in parsed.errors] == [(4, "")]
    assert "4 values but the header has 3 columns" in parsed.errors[0].message


def test_broken_quotes_are_reported_with_their_line() -> None:
    mid = _parse('name,address\n"A"x,1\nB,2\n')
    assert [(e.row, e.column) for e in mid.errors] == [(2, "")]
    assert "quotes" in mid.errors[0].message
    assert _values(mid) == [(3, {"name": "B", "address": "2"})]
    unclosed = _parse('name,address\nA,"Main St 1\nB,2\n')
    assert [e.row for e in unclosed.errors] == [2]


def test_a_value_running_over_lines_is_refused() -> None:
    parsed = _parse('name,address\nA,"line one\nline two"\nB,2\n')
    assert parsed.errors == (
        CellError(
            2, "address", "A quoted value runs over several lines (is a closing quote missing?)."
        ),
    )
    assert _values(parsed) == [(4, {"name": "B", "address": "2"})]


def test_not_utf8_says_where_and_how_to_save() -> None:
    parsed = parse_csv("name\nDepot\nCaf\u00e9\n".encode("cp1252"), STATION_LAYOUT)
    assert parsed.rows == ()
    (error,) = parsed.errors
    assert error.row == 3 and "0xe9 on line 3" in error.message and "CSV UTF-8" in error.message


def test_empty_files_and_header_only_files() -> None:
    assert "empty" in _parse("").errors[0].message
    assert "empty" in _parse("\r\n\r\n").errors[0].message
    assert "no rows" in _parse("name,address\n# only the example\n").errors[0].message


def test_size_and_row_limits() -> None:
    big = _parse("name\n" + "x" * 2000 + "\n", max_bytes=1024)
    assert big.rows == () and "is 2 KB; at most 1 KB can be" in big.errors[0].message
    assert big.errors[0].row == 0 and "Split it" in big.errors[0].message
    many = _parse("name\n" + "".join(f"S{i}\n" for i in range(6)), max_rows=5)
    assert len(many.rows) == 5
    assert [(e.row, e.column) for e in many.errors] == [(7, "")]
    assert "more than 5 rows" in many.errors[0].message


def test_limits_by_default_are_10_mb_and_20000_rows() -> None:
    body = "".join(f"Station {i}\n" for i in range(20_001))
    parsed = _parse("name\n" + body)
    assert len(parsed.rows) == 20_000 and "more than 20,000 rows" in parsed.errors[0].message
    huge = parse_csv(b"name\n" + b"x" * (10 * 1024 * 1024), STATION_LAYOUT)
    assert "at most 10 MB" in huge.errors[0].message


def test_kind_is_recognised_from_the_header() -> None:
    assert detect_kind(b"\xef\xbb\xbf# c\nIdentity;Station\n") == CHARGE_POINTS
    assert detect_kind(b"name,address\n") == STATIONS
    assert detect_kind(b"foo,bar\n", default=CHARGE_POINTS) == CHARGE_POINTS


def test_connector_lists() -> None:
    specs, error = parse_connectors(" 1:Type2:22 | 2:CCS2 |")
    assert error == ""
    assert [(s.connector_id, s.connector_type, s.max_power_kw) for s in specs] == [
        ("1", "Type2", "22"),
        ("2", "CCS2", ""),
    ]
    assert "is not id:type:max power" in parse_connectors("1:Type2:22:7")[1]
    assert "is not id:type:max power" in parse_connectors("Type2")[1]
    assert parse_connectors("1:Type2|1:CCS2")[1] == "Connector 1 is listed twice."
    assert format_connectors([(2, "CCS2", 150000), (1, "Type2", 7400), (3, "", None)]) == (
        "1:Type2:7.4|2:CCS2:150|3:"
    )


def test_flags() -> None:
    assert [parse_flag(w) for w in ("Yes", "1", "TRUE", "enabled")] == [True] * 4
    assert [parse_flag(w) for w in ("no", "0", "False", "disabled")] == [False] * 4
    assert parse_flag("maybe") is None


@pytest.mark.parametrize("layout", [STATION_LAYOUT, CHARGE_POINT_LAYOUT])
def test_templates_parse_to_nothing_but_name_every_column(layout) -> None:
    text = template_csv(layout)
    parsed = parse_csv(text.encode(), layout)
    assert parsed.rows == ()
    assert [e.message for e in parsed.errors] == ["The file has a header but no rows to import."]
    assert set(parsed.headers) == set(layout.keys())
    for column in layout.columns:
        assert f"\n# {column.key}" in text
    # Uncommenting the example row gives a row with every column filled in.
    example = parse_csv(text.replace("\n#", "\n", 1).encode(), layout)
    assert example.errors == () and all(example.rows[0].values.values())
