"""The vendor error code table: CSV reading (line numbers, all or nothing), import that
updates known codes and adds new ones, export that imports again, and one-by-one edits."""

from __future__ import annotations

import pytest

from ccms_app.accounts.models import Organisation
from ccms_app.accounts.roles import InputError, NotFoundError
from ccms_app.core.listing import ListQuery, fetch_page
from ccms_app.maintenance.alarms import vendor_codes
from ccms_app.maintenance.rules.vendor_codes_csv import CsvImportError, read_codes
from tests.maintenance.alarms import seed

GOOD = (
    "vendor,model,vendor_error_code,readable_cause,severity\n"
    "Acme,Fast 50,E-17,Residual current device tripped,critical\n"
    "Acme,,E-02,Cable temperature high,\n"
)


def test_read_codes_reports_each_bad_line() -> None:
    rows = read_codes(("\ufeff" + GOOD).encode())
    assert [(r.line, r.vendor, r.model, r.severity) for r in rows] == [
        (2, "Acme", "Fast 50", "critical"),
        (3, "Acme", "", ""),
    ]
    bad = (
        "vendor;vendor_error_code;readable_cause;severity\n"
        "Acme;E-1;Fine;minor\n"
        ";E-2;No vendor;\n"
        "Acme;E-3;Odd;apocalyptic\n"
        "ACME;E-1;Same code, other case;\n"
    )
    with pytest.raises(CsvImportError) as wrong:
        read_codes(bad)
    assert [str(e) for e in wrong.value.errors] == [
        "Line 3: vendor is empty",
        "Line 4: severity 'apocalyptic': use critical, major, minor, warning or leave empty",
        "Line 5: the same code as line 2",
    ]
    with pytest.raises(CsvImportError, match="missing column"):
        read_codes("vendor,code\nAcme,E-1\n")
    with pytest.raises(CsvImportError, match="not UTF-8"):
        read_codes(b"vendor,vendor_error_code,readable_cause\n\xff\xfe,1,2\n")


def test_import_updates_known_codes_adds_new_and_is_all_or_nothing(
    organisation: Organisation,
) -> None:
    org = organisation.id or 0
    ops = seed.caller(org)
    first = vendor_codes.import_codes(ops, GOOD)
    assert (first.added, first.updated, first.unchanged) == (2, 0, 0)
    again = vendor_codes.import_codes(
        ops,
        "vendor,model,vendor_error_code,readable_cause,severity\n"
        "acme,fast 50,E-17,RCD tripped: reset on site,critical\n"
        "Acme,,E-02,Cable temperature high,\n"
        "Acme,,E-99,Door open,warning\n",
    )
    assert again.text == "1 added, 1 updated, 1 unchanged."
    with pytest.raises(CsvImportError) as refused:
        vendor_codes.import_codes(
            ops,
            "vendor,vendor_error_code,readable_cause\nAcme,E-50,New\nAcme,E-51,\n",
        )
    assert str(refused.value.errors[0]) == "Line 3: readable_cause is empty"
    rows = fetch_page(
        vendor_codes.VENDOR_CODE_LIST, ListQuery(sort="vendor_error_code"), ops.scope()
    )
    assert [(r["vendor_error_code"], r["readable_cause"]) for r in rows.rows] == [
        ("E-02", "Cable temperature high"),
        ("E-17", "RCD tripped: reset on site"),
        ("E-99", "Door open"),
    ]  # E-50 was not written: the file had a bad line
    exported = vendor_codes.export_codes(ListQuery(sort="vendor_error_code"), ops.scope())
    assert exported.splitlines()[0] == "vendor,model,vendor_error_code,readable_cause,severity"
    assert vendor_codes.import_codes(ops, exported).text == "0 added, 0 updated, 3 unchanged."


def test_one_by_one_edits(organisation: Organisation) -> None:
    org = organisation.id or 0
    ops = seed.caller(org)
    code_id = vendor_codes.create_code(
        ops, {"vendor": "Acme", "vendor_error_code": "E-1", "readable_cause": "Fan failure"}
    )
    with pytest.raises(InputError) as taken:
        vendor_codes.create_code(
            ops, {"vendor": "ACME", "vendor_error_code": "E-1", "readable_cause": "Dup"}
        )
    assert "exists already" in taken.value.errors["vendor_error_code"]
    with pytest.raises(InputError) as wrong:
        vendor_codes.create_code(ops, {"vendor": "", "severity": "huge"})
    assert set(wrong.value.errors) == {
        "vendor", "vendor_error_code", "readable_cause", "severity",
    }  # fmt: skip
    vendor_codes.update_code(ops, code_id, {"severity": "major"})
    assert vendor_codes.get_code(code_id, ops.scope())["severity"] == "major"
    with pytest.raises(NotFoundError):
        vendor_codes.delete_code(seed.caller(org + 1000), code_id)
    vendor_codes.delete_code(ops, code_id)
    with pytest.raises(NotFoundError):
        vendor_codes.get_code(code_id, ops.scope())


def test_a_code_saved_meanwhile_is_a_clear_refusal(
    organisation: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two saves of the same code at once: both pass the check, the unique constraint refuses
    the second, which says so instead of failing."""
    ops = seed.caller(organisation.id or 0)
    code = {"vendor": "Acme", "vendor_error_code": "E-1", "readable_cause": "Fan failure"}
    first = vendor_codes.create_code(ops, code)
    other = vendor_codes.create_code(ops, {**code, "vendor_error_code": "E-2"})
    monkeypatch.setattr(vendor_codes, "_taken", lambda *args: None)  # the other save's view
    with pytest.raises(InputError) as created:
        vendor_codes.create_code(ops, code)
    with pytest.raises(InputError) as changed:
        vendor_codes.update_code(ops, other, {"vendor_error_code": "E-1"})
    for refused in (created, changed):
        assert "saved meanwhile" in refused.value.errors["vendor_error_code"]
    assert vendor_codes.get_code(other, ops.scope())["vendor_error_code"] == "E-2"
    assert vendor_codes.get_code(first, ops.scope())["readable_cause"] == "Fan failure"
