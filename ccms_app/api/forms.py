"""From a JSON body to the web UI's form, and from a saved row back to JSON.

The modules' use cases validate what the web forms send (strings per field) and answer
with every field's error at once; the API hands them the same strings, so an integration
gets the messages an operator sees. After a change the API answers the row as its list
shows it (`core.listing.fetch_one`), so create, update and get return one shape.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import Response
from pydantic import BaseModel

from ccms_app.api.deps import ApiCaller
from ccms_app.api.listing import snake_name
from ccms_app.api.problems import Problem
from ccms_app.api.resources import ListResource
from ccms_app.core import listing


def form_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def as_form(body: BaseModel, exclude_unset: bool = False) -> dict[str, str]:
    """The body's fields as form strings (null becomes the empty field)."""
    values = body.model_dump(exclude_unset=exclude_unset)
    return {key: form_value(value) for key, value in values.items()}


async def read_back(
    resource: ListResource, row_id: int, caller: ApiCaller, response: Response | None = None
) -> dict[str, Any]:
    """The row as the list shows it; with `response`, a Location header for a new one."""
    row = await asyncio.to_thread(listing.fetch_one, resource.spec, row_id, caller.scope)
    if row is None:
        what = snake_name(resource.item).replace("_", " ")
        raise Problem(404, f"No {what} {row_id} in this key's scope.")
    if response is not None:
        response.headers["Location"] = f"/api/v1{resource.path}/{row_id}"
    return row
