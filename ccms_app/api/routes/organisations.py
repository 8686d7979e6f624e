"""Organisations: the key's own and its sub-operators, with their licence terms and usage;
create a sub-operator, change its licence.

The same rules as System -> Sub-operators (`accounts.sub_operators`, which checks them
against the key's principal and audits every change and refusal): the system:edit
permission, in an organisation at the top (a sub-operator manages none, and never changes
its own licence). A sub-operator is created with its first administrator, who must choose
a new password at first login; the initial password obeys the password rules. The licence
is the only thing the UI changes on an organisation, so it is all PATCH changes.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Annotated, Any

from fastapi import Path, Response
from pydantic import BaseModel, Field
from sqlmodel import select

from ccms_app.accounts import sub_operators
from ccms_app.accounts.licences import MAX_LICENCE_COUNT
from ccms_app.accounts.models import Organisation as OrganisationRow
from ccms_app.accounts.organisations import organisation_scope
from ccms_app.accounts.rules.passwords import MAX_PASSWORD_LENGTH
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.api import problems
from ccms_app.api.deps import ApiCaller, gate, router
from ccms_app.api.forms import as_form, read_back
from ccms_app.api.listing import add_list_routes
from ccms_app.api.resources import MAX_INT, ListResource, StrictModel
from ccms_app.api.times import IsoDay
from ccms_app.core.listing import ListColumn, ListSpec

problems.register(
    {
        sub_operators.SubOperatorError: 422,
        sub_operators.SubOperatorNotFound: 404,
        sub_operators.SubOperatorRefused: 403,
    }
)

_LICENCE = sub_operators.SUB_OPERATOR_LIST.column

# The sub-operators list's columns, scoped by the organisation itself rather than by its
# parent: the key's organisation and every sub-operator under it.
ORGANISATION_LIST = ListSpec(
    name="organisations",
    base=lambda: select(OrganisationRow),
    columns=(
        _LICENCE("id"),
        _LICENCE("name"),
        ListColumn("parent_id", "Operator id", OrganisationRow.parent_id, filterable=True),
        *(
            _LICENCE(key)
            for key in (
                "charge_points",
                "max_charge_points",
                "connectors",
                "max_connectors",
                "valid_from",
                "valid_to",
            )
        ),
    ),
    organisation_column=OrganisationRow.id,
    id_column=OrganisationRow.id,
    default_sort="name",
)

RESOURCE = ListResource(ORGANISATION_LIST, Module.SYSTEM, "Organisation", "organisations")
api = router(RESOURCE.path, "Organisations")
Organisation = add_list_routes(api, RESOURCE)
Editor = Annotated[ApiCaller, gate(Module.SYSTEM, Action.EDIT)]
Count = Annotated[int, Field(ge=0, le=MAX_LICENCE_COUNT, strict=True)]


class LicenceChanges(StrictModel):
    """A sub-operator's licence terms; null is no bound. In a PATCH, only those sent change."""

    max_charge_points: Count | None = Field(None, description="Charge points it may register")
    max_connectors: Count | None = Field(None, description="Connectors, all charge points")
    valid_from: IsoDay | None = Field(None, description="First day (UTC), inclusive")
    valid_to: IsoDay | None = Field(None, description="Last day (UTC), inclusive")


class NewSubOperator(LicenceChanges):
    name: str = Field(max_length=sub_operators.NAME_MAX_LENGTH)
    admin_name: str = Field(
        max_length=sub_operators.NAME_MAX_LENGTH, description="Its first administrator"
    )
    admin_email: str = Field(max_length=320, description="The administrator's login")
    admin_password: str = Field(
        max_length=MAX_PASSWORD_LENGTH,
        description="Initial password (password rules apply); changed at first login",
        json_schema_extra={"format": "password", "writeOnly": True},
    )


class CreatedSubOperator(BaseModel):
    organisation: Organisation  # type: ignore[valid-type]
    administrator_id: int
    administrator_email: str


@api.post(
    "",
    status_code=201,
    response_model=CreatedSubOperator,
    operation_id="create_organisation",
    summary="Create a sub-operator with its licence and first administrator",
)
async def create_sub_operator(body: NewSubOperator, caller: Editor, response: Response) -> Any:
    created = await asyncio.to_thread(
        sub_operators.create_sub_operator,
        caller.principal,
        as_form(body),
        caller.remote_address,
    )
    scope = await asyncio.to_thread(organisation_scope, caller.principal.organisation_id)
    widened = dataclasses.replace(caller, scope=scope)  # the new one is in it now
    row = await read_back(RESOURCE, created.organisation_id, widened, response)
    return {
        "organisation": row,
        "administrator_id": created.administrator_id,
        "administrator_email": created.administrator_email,
    }


@api.patch(
    "/{id}",
    response_model=Organisation,
    operation_id="update_organisation",
    summary="Change a sub-operator's licence terms",
)
async def update_licence(
    id: Annotated[int, Path(ge=1, le=MAX_INT)], body: LicenceChanges, caller: Editor
) -> Any:
    """Lowering a limit below what is registered keeps what is there and refuses the next
    registration."""
    current = await asyncio.to_thread(_current_terms, caller, id)
    terms = current | as_form(body, exclude_unset=True)
    await asyncio.to_thread(
        sub_operators.update_licence, caller.principal, id, terms, caller.remote_address
    )
    return await read_back(RESOURCE, id, caller)


def _current_terms(caller: ApiCaller, sub_operator_id: int) -> dict[str, str]:
    """The licence as the dialog opens it; none when it is not the key's sub-operator (the
    use case then refuses, or answers not found, and audits a refusal)."""
    try:
        view = sub_operators.get_sub_operator(caller.principal.organisation_id, sub_operator_id)
    except sub_operators.SubOperatorNotFound:
        return {}
    return view.licence_form()
