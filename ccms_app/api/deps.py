"""What every REST route depends on: the API key gate, and the router every module uses.

`gate(Module, Action)` is the REST API's side of the one gate: the Bearer key is looked up
in the database on every request (`accounts.api_keys.principal_for_api_key`: revoked keys,
changed roles and ended licences count at once), its role must hold the permission, and the
route gets an `ApiCaller` with the key's organisation scope. Edits, commands and exports are
written to the audit log, refused ones too, like the web UI's. Every route declares its gate
(`tests/api/test_api_gate.py` finds one that does not and fails).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.params import Depends as DependsParam
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ccms_app.accounts import audit
from ccms_app.accounts.api_keys import principal_for_api_key
from ccms_app.accounts.http_gate import client_address
from ccms_app.accounts.organisations import organisation_scope
from ccms_app.accounts.principals import Principal
from ccms_app.accounts.roles import Caller
from ccms_app.accounts.rules.permissions import Action, Module, permission
from ccms_app.api.problems import Problem, ProblemRoute

GATE_MARK = "__ccms_api_gate__"
AUDITED_ACTIONS = frozenset({Action.EDIT, Action.CONTROL, Action.EXPORT})

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key from System -> API keys or `ccms apikey create`.",
)
_WWW_AUTHENTICATE = {"WWW-Authenticate": 'Bearer realm="ccms"'}


@dataclass(frozen=True)
class ApiCaller:
    """The key behind this request as the gate confirmed it: permissions and scope."""

    principal: Principal
    scope: frozenset[int]
    remote_address: str

    @property
    def caller(self) -> Caller:
        """What the accounts use cases take (they check permissions again themselves)."""
        return Caller.of(self.principal, self.remote_address)

    @property
    def api_key_id(self) -> int:
        return self.principal.api_key_id or 0


def router(prefix: str, tag: str) -> APIRouter:
    """A module's router: every route answers errors as problem+json."""
    return APIRouter(prefix=prefix, tags=[tag], route_class=ProblemRoute)


def gate(module: Module, action: Action = Action.VIEW) -> Any:
    """`Depends` on a valid key whose role holds `module:action`; gives the ApiCaller."""
    needed = permission(module, action)

    async def api_caller(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> ApiCaller:
        address = client_address(request)
        if credentials is None:
            raise Problem(
                401, "Send an API key: Authorization: Bearer <key>.", headers=_WWW_AUTHENTICATE
            )
        principal = await asyncio.to_thread(principal_for_api_key, credentials.credentials, address)
        if principal is None:
            raise Problem(401, "Unknown or revoked API key.", headers=_WWW_AUTHENTICATE)
        request.state.api_key_id = principal.api_key_id
        if needed not in principal.permissions:
            why = (
                principal.read_only_reason
                or f"The key's role ({principal.role_name}) does not allow {needed}."
            )
            await _audit(request, principal, address, action, "refused", why)
            raise Problem(403, why)
        scope = await asyncio.to_thread(organisation_scope, principal.organisation_id)
        if action in AUDITED_ACTIONS:
            await _audit(request, principal, address, action, "ok", "")
        return ApiCaller(principal, scope, address)

    setattr(api_caller, GATE_MARK, needed)
    return Depends(api_caller)


async def _audit(
    request: Request, principal: Principal, address: str, action: Action, outcome: str, why: str
) -> None:
    """One audit entry per edit, command or export through the API, as the web UI keeps."""
    if action not in AUDITED_ACTIONS:
        return
    route = request.scope.get("route")
    path = getattr(route, "path", request.url.path)
    ids = ",".join(str(v) for v in request.path_params.values())
    await asyncio.to_thread(
        audit.record,
        audit.Actor(None, principal.organisation_id, principal.email, address),
        f"api {request.method} {path}",
        object_type="api",
        object_id=ids,
        detail=why,
        outcome=outcome,
    )


def gate_of(dependency: DependsParam) -> str | None:
    """The permission a route's dependency checks, if it is the gate (for the enumeration)."""
    return getattr(dependency.dependency, GATE_MARK, None)
