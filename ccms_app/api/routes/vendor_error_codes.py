"""Vendor error codes: a vendor's codes in words an operator understands (Maintenance ->
Alarm rules, `maintenance.alarms.vendor_codes`).

- `GET /vendor-error-codes` (+ `/{id}`): the table; `/export` streams it with the import's
  column names (vendor, model, vendor_error_code, readable_cause, severity; the id,
  organisation and creation time beside them are ignored by an import), so an exported
  file edited in a spreadsheet imports again.
- `POST /vendor-error-codes` -> 201, `PATCH /{id}`, `DELETE /{id}` -> 204.
- `POST /vendor-error-codes/import` with a `text/csv` body (UTF-8, at most 2 MB): known codes
  are updated, new ones added. All or nothing: a bad row is a 422 naming its line
  (`errors[].field` = "line <n>") and nothing is written.
maintenance:view to read, maintenance:edit to change.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Annotated, Any, Literal

from fastapi import Path, Query, Request, Response
from pydantic import BaseModel, Field

from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.api.deps import ApiCaller, gate, router
from ccms_app.api.forms import read_back
from ccms_app.api.listing import add_list_routes, filters_checked
from ccms_app.api.problems import Problem
from ccms_app.api.resources import MAX_INT, ListResource, StrictModel
from ccms_app.maintenance.alarms import vendor_codes
from ccms_app.maintenance.rules import vendor_codes_csv as csv_rules
from ccms_app.maintenance.rules.vendor_codes_csv import CsvImportError

SPEC = vendor_codes.VENDOR_CODE_LIST
RESOURCE = ListResource(SPEC, Module.MAINTENANCE, "VendorErrorCode", "vendor_error_codes")
api = router(RESOURCE.path, "Vendor error codes")
Id = Annotated[int, Path(ge=1, le=MAX_INT)]
Editor = Annotated[ApiCaller, gate(Module.MAINTENANCE, Action.EDIT)]
NOT_IN_SCOPE: dict[int | str, dict[str, Any]] = {404: {"description": "Not in this key's scope"}}
Severity = Literal["", "critical", "major", "minor", "warning"]
CSV_MEDIA = "text/csv"


class ImportedOut(BaseModel):
    added: int
    updated: int
    unchanged: int


@api.post(
    "/import",
    response_model=ImportedOut,
    summary="Import codes from CSV (all or nothing)",
    operation_id="import_vendor_error_codes",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                CSV_MEDIA: {
                    "schema": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": csv_rules.MAX_BYTES,
                        "description": "vendor,model,vendor_error_code,readable_cause,severity",
                    }
                }
            },
        }
    },
)
async def import_vendor_error_codes(
    request: Request,
    caller: Editor,
    organisation_id: Annotated[
        int | None, Query(ge=1, le=MAX_INT, description="Whose table (default: the key's)")
    ] = None,
) -> Any:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != CSV_MEDIA:
        detail = f"Send the file as {CSV_MEDIA} (got {media or 'no content type'})."
        raise Problem(
            422, detail, [{"location": "header", "field": "content-type", "detail": detail}]
        )
    data = await _body(request)
    try:
        found = await asyncio.to_thread(
            vendor_codes.import_codes, caller.caller, data, organisation_id
        )
    except CsvImportError as exc:
        entries = [
            {
                "location": "body",
                "field": f"line {e.line}" if e.line else "file",
                "detail": e.message,
            }
            for e in exc.errors
        ]
        raise Problem(422, str(exc), entries) from exc
    return dataclasses.asdict(found)


async def _body(request: Request) -> bytes:
    """The body, refused as soon as it passes the size limit (never read whole first)."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > csv_rules.MAX_BYTES:
            detail = f"The file is larger than {csv_rules.MAX_BYTES:,} bytes."
            raise Problem(422, detail, [{"location": "body", "field": "", "detail": detail}])
        chunks.append(chunk)
    return b"".join(chunks)


VendorErrorCodeItem = add_list_routes(api, RESOURCE, narrow=filters_checked(SPEC))


class VendorErrorCodeChanges(StrictModel):
    vendor: str | None = Field(None, min_length=1, max_length=50)
    model: str | None = Field(None, max_length=50, description='"" = every model of the vendor')
    vendor_error_code: str | None = Field(None, min_length=1, max_length=50)
    readable_cause: str | None = Field(None, min_length=1, max_length=200)
    severity: Severity | None = Field(None, description='"" = as the alarm rule says')


class NewVendorErrorCode(VendorErrorCodeChanges):
    vendor: str = Field(min_length=1, max_length=50)
    vendor_error_code: str = Field(min_length=1, max_length=50)
    readable_cause: str = Field(min_length=1, max_length=200)
    organisation_id: int | None = Field(
        None, ge=1, le=MAX_INT, strict=True, description="Whose table (default: the key's)"
    )


def _form(body: VendorErrorCodeChanges, exclude_unset: bool) -> dict[str, str]:
    values = body.model_dump(exclude_unset=exclude_unset, exclude={"organisation_id"})
    return {k: str(v) for k, v in values.items() if v is not None}


@api.post(
    "",
    status_code=201,
    response_model=VendorErrorCodeItem,
    summary="Add a vendor error code",
    operation_id="create_vendor_error_code",
)
async def create_vendor_error_code(
    body: NewVendorErrorCode, caller: Editor, response: Response
) -> Any:
    code_id = await asyncio.to_thread(
        vendor_codes.create_code, caller.caller, _form(body, False), body.organisation_id
    )
    return await read_back(RESOURCE, code_id, caller, response)


@api.patch(
    "/{id}",
    response_model=VendorErrorCodeItem,
    summary="Change a vendor error code (only the fields sent)",
    operation_id="update_vendor_error_code",
    responses=NOT_IN_SCOPE,
)
async def update_vendor_error_code(id: Id, body: VendorErrorCodeChanges, caller: Editor) -> Any:
    await asyncio.to_thread(vendor_codes.update_code, caller.caller, id, _form(body, True))
    return await read_back(RESOURCE, id, caller)


@api.delete(
    "/{id}",
    status_code=204,
    summary="Delete a vendor error code",
    operation_id="delete_vendor_error_code",
    responses=NOT_IN_SCOPE,
)
async def delete_vendor_error_code(id: Id, caller: Editor) -> Response:
    await asyncio.to_thread(vendor_codes.delete_code, caller.caller, id)
    return Response(status_code=204)
