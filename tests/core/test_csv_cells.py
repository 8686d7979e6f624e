"""CSV exports never hand a spreadsheet a formula (CSV injection), and keep data as typed."""

from __future__ import annotations

import csv
import io

from ccms_app.accounts.models import Organisation
from ccms_app.core import db
from ccms_app.core.listing import ListQuery, export_csv, spreadsheet_safe, to_csv
from ccms_app.drivers.driver_admin import DRIVER_LIST
from ccms_app.drivers.models import Driver

HOSTILE = ['=HYPERLINK("http://x.example","click")', "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def test_text_that_would_run_gets_an_apostrophe_and_nothing_else_changes() -> None:
    assert [spreadsheet_safe(text) for text in HOSTILE] == [f"'{text}" for text in HOSTILE]
    for kept in ("Depot 1", "a=b", "", '{"idTag": "=1"}', 42, -5, 2.5, None):
        assert spreadsheet_safe(kept) == kept


def test_to_csv_escapes_every_text_cell() -> None:
    text = to_csv([("name", "Name"), ("power", "Power")], iter([{"name": "=1+1", "power": -7}]))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["Name", "Power"], ["'=1+1", "-7"]]


def test_a_list_export_of_hostile_driver_names_opens_as_text(
    engine, organisation: Organisation
) -> None:
    with db.session_scope() as session:
        for number, name in enumerate(HOSTILE):
            session.add(
                Driver(organisation_id=organisation.id, name=name, email=f"d{number}@x.example")
            )
    text = export_csv(DRIVER_LIST, ListQuery(page_size=100), [organisation.id or 0])
    rows = list(csv.DictReader(io.StringIO(text)))
    cells = {value for row in rows for value in row.values()}
    assert {f"'{name}" for name in HOSTILE} <= cells
    assert not cells & set(HOSTILE)
