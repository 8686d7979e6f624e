"""Vendor error codes over the REST API, real HTTP: CSV import (text/csv body; a bad line
named, nothing written), export in the import's columns, one-by-one edits."""

from __future__ import annotations

from tests.api.rest import Keys, bearer, keys, rest, served

__all__ = ["keys", "rest", "served"]

CSV = (
    "vendor,model,vendor_error_code,readable_cause,severity\n"
    "Acme,Fast 50,E-17,Residual current device tripped,critical\n"
    "Acme,,E-02,Cable temperature high,\n"
)


async def test_import_export_and_edit(rest, keys: Keys) -> None:
    key = bearer(keys.make())
    csv_headers = {**key, "Content-Type": "text/csv"}
    imported = await rest.post("/vendor-error-codes/import", content=CSV, headers=csv_headers)
    assert imported.status_code == 200, imported.text
    assert imported.json() == {"added": 2, "updated": 0, "unchanged": 0}
    bad = await rest.post(
        "/vendor-error-codes/import",
        content=CSV.replace("Cable temperature high", "") + "Acme,,E-03,Door,huge\n",
        headers=csv_headers,
    )
    assert bad.status_code == 422
    assert [(e["field"], e["detail"]) for e in bad.json()["errors"]] == [
        ("line 3", "readable_cause is empty"),
        ("line 4", "severity 'huge': use critical, major, minor, warning or leave empty"),
    ]
    json_body = await rest.post("/vendor-error-codes/import", json={"csv": CSV}, headers=key)
    assert json_body.status_code == 422
    assert json_body.json()["errors"][0]["field"] == "content-type"
    again = await rest.post(
        "/vendor-error-codes/import",
        content=CSV.replace("Residual current device tripped", "RCD tripped"),
        headers=csv_headers,
    )
    assert again.json() == {"added": 0, "updated": 1, "unchanged": 1}
    export = await rest.get(
        "/vendor-error-codes/export", params={"sort": "vendor_error_code"}, headers=key
    )
    assert export.status_code == 200
    lines = export.text.splitlines()
    assert lines[0].startswith("Code id,vendor,model,vendor_error_code,readable_cause,severity")
    assert [line.split(",")[1:6] for line in lines[1:]] == [
        ["Acme", "", "E-02", "Cable temperature high", ""],
        ["Acme", "Fast 50", "E-17", "RCD tripped", "critical"],
    ]
    back = await rest.post("/vendor-error-codes/import", content=export.text, headers=csv_headers)
    assert back.json() == {"added": 0, "updated": 0, "unchanged": 2}  # it imports again
    created = await rest.post(
        "/vendor-error-codes",
        json={"vendor": "Acme", "vendor_error_code": "E-40", "readable_cause": "Fan failure"},
        headers=key,
    )
    assert created.status_code == 201, created.text
    code = created.json()
    dup = await rest.post(
        "/vendor-error-codes",
        json={"vendor": "ACME", "vendor_error_code": "E-40", "readable_cause": "Dup"},
        headers=key,
    )
    assert dup.status_code == 422 and dup.json()["errors"][0]["field"] == "vendor_error_code"
    path = f"/vendor-error-codes/{code['id']}"
    changed = await rest.patch(path, json={"severity": "major"}, headers=key)
    assert changed.json()["severity"] == "major"
    assert (await rest.delete(path, headers=key)).status_code == 204
    listed = await rest.get("/vendor-error-codes", headers=key)
    assert listed.json()["total"] == 2
