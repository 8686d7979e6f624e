"""API keys: list, get, create (the key is in the answer, once), revoke.

The same rules as System -> API keys (`accounts.api_keys`): the api_keys:edit permission,
never a role beyond the caller's own, only organisations in the caller's scope.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import Path, Response
from pydantic import Field

from ccms_app.accounts import api_keys
from ccms_app.accounts.rules.api_keys import MAX_NAME_CHARS
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.api.deps import ApiCaller, gate, router
from ccms_app.api.forms import read_back
from ccms_app.api.listing import add_list_routes
from ccms_app.api.resources import MAX_INT, ListResource, StrictModel

RESOURCE = ListResource(api_keys.API_KEY_LIST, Module.API_KEYS, "ApiKey", "api_keys")
api = router(RESOURCE.path, "API keys")
ApiKey = add_list_routes(api, RESOURCE)
Editor = Annotated[ApiCaller, gate(Module.API_KEYS, Action.EDIT)]


class NewApiKey(StrictModel):
    name: str = Field(max_length=MAX_NAME_CHARS, description="Who uses it, e.g. ERP export")
    role_id: int = Field(ge=1, le=MAX_INT, description="The role whose permissions it has")
    organisation_id: int | None = Field(
        None, ge=1, le=MAX_INT, description="Whose data it sees (default: the caller's)"
    )


class CreatedApiKey(StrictModel):
    key: str = Field(description="The key itself: shown this once, stored nowhere")
    api_key: ApiKey  # type: ignore[valid-type]


@api.post("", status_code=201, response_model=CreatedApiKey, operation_id="create_api_key")
async def create_api_key(body: NewApiKey, caller: Editor, response: Response) -> Any:
    made = await asyncio.to_thread(
        api_keys.create_api_key, caller.caller, body.name, body.role_id, body.organisation_id
    )
    row = await read_back(RESOURCE, made.view.id, caller, response)
    return {"key": made.key, "api_key": row}


@api.delete("/{id}", response_model=ApiKey, operation_id="revoke_api_key")
async def revoke_api_key(
    id: Annotated[int, Path(ge=1, le=MAX_INT)],
    caller: Editor,
) -> Any:
    """Revoke: the key stops working at its next request and stays listed as revoked."""
    await asyncio.to_thread(api_keys.revoke_api_key, caller.caller, id)
    return await read_back(RESOURCE, id, caller)
