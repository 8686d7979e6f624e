"""Charger data issues: list, get (with the stored payload and what the data policy says
about its kind), export (with payloads), and resolving: one, several, or every unresolved
issue a search matches, as the Maintenance page does.

The lists are the Maintenance page's (`charging.data_issue_admin`): filters `kind`,
`state` (unresolved | resolved) and `charge_point_id`; an issue of an identity without a
charge point belongs to the root operator. Resolving goes through
`charging.data_issues.resolve_issues`, which tells the live pages, and records who resolved
(the key's name). Guarded like the Maintenance page: view, export, and edit to resolve.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import Path
from pydantic import BaseModel, Field, create_model

from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.api.deps import ApiCaller, gate, router
from ccms_app.api.listing import add_list_routes
from ccms_app.api.problems import Problem
from ccms_app.api.resources import MAX_INT, ListResource, StrictModel
from ccms_app.charging import data_issue_admin, data_issues
from ccms_app.core import listing
from ccms_app.core.listing import ListQuery

RESOURCE = ListResource(
    data_issue_admin.DATA_ISSUE_LIST, Module.MAINTENANCE, "DataIssue", "data_issues", with_get=False
)
EXPORT = ListResource(
    data_issue_admin.DATA_ISSUE_EXPORT, Module.MAINTENANCE, "DataIssue", "data_issues"
)
MAX_IDS = 1000  # issues per resolve call

api = router(RESOURCE.path, "Data issues")
DataIssue = add_list_routes(api, RESOURCE, export=EXPORT)
IssueId = Annotated[int, Path(ge=1, le=MAX_INT)]
Viewer = Annotated[ApiCaller, gate(Module.MAINTENANCE, Action.VIEW)]
Editor = Annotated[ApiCaller, gate(Module.MAINTENANCE, Action.EDIT)]


class DataPolicy(BaseModel):
    """What an issue's kind means and what CCMS did (docs/data-policy.md)."""

    title: str
    section: str = Field(description="The section of docs/data-policy.md, if any")
    text: str


DataIssueDetail = create_model(
    "DataIssueDetail",
    __base__=DataIssue,
    payload=(str | None, Field(None, description="The message as the charger sent it")),
    policy=(DataPolicy, ...),
)


class IssueIds(StrictModel):
    ids: list[Annotated[int, Field(ge=1, le=MAX_INT)]] = Field(
        min_length=1, max_length=MAX_IDS, description="Data issue ids"
    )


class MatchingIssues(StrictModel):
    """The list's search and filters: every unresolved issue they match, on every page."""

    q: str = Field("", max_length=200, description="Search: charge point, detail")
    kind: str | None = Field(None, max_length=48)
    charge_point_id: int | None = Field(None, ge=1, le=MAX_INT)


class Resolved(BaseModel):
    resolved: int = Field(description="Issues this call resolved (resolved ones are skipped)")


def issue_detail(issue_id: int, caller: ApiCaller) -> dict[str, Any]:
    """The issue with its payload and kind policy; 404 outside the key's scope."""
    row = listing.fetch_one(data_issue_admin.DATA_ISSUE_EXPORT, issue_id, caller.scope)
    if row is None:
        raise Problem(404, f"No data issue {issue_id} in this key's scope.")
    policy = data_issue_admin.policy_for(str(row["kind"]))
    shown = DataPolicy(title=policy.title, section=policy.section, text=policy.text)
    return {**row, "policy": shown}


def resolve_one(issue_id: int, caller: ApiCaller) -> dict[str, Any]:
    issue_detail(issue_id, caller)  # 404 first: resolving skips what the key cannot see
    data_issues.resolve_issues([issue_id], caller.scope, resolved_by=caller.principal.email)
    return issue_detail(issue_id, caller)


@api.get(
    "/{id}",
    response_model=DataIssueDetail,
    summary="One data issue, with its payload and the data policy for its kind",
    operation_id="get_data_issue",
)
async def get_data_issue(id: IssueId, caller: Viewer) -> Any:
    return await asyncio.to_thread(issue_detail, id, caller)


@api.post(
    "/{id}/resolve",
    response_model=DataIssueDetail,
    summary="Resolve one data issue (an issue resolved already stays as it was)",
    operation_id="resolve_data_issue",
)
async def resolve_data_issue(id: IssueId, caller: Editor) -> Any:
    return await asyncio.to_thread(resolve_one, id, caller)


@api.post(
    "/resolve",
    response_model=Resolved,
    summary="Resolve the given data issues (unknown and resolved ones are skipped)",
    operation_id="resolve_data_issues",
)
async def resolve_data_issues(body: IssueIds, caller: Editor) -> Any:
    count = await asyncio.to_thread(
        data_issues.resolve_issues, body.ids, caller.scope, resolved_by=caller.principal.email
    )
    return Resolved(resolved=count)


@api.post(
    "/resolve-matching",
    response_model=Resolved,
    summary="Resolve every unresolved data issue the search and filters match (all pages)",
    operation_id="resolve_matching_data_issues",
)
async def resolve_matching_data_issues(body: MatchingIssues, caller: Editor) -> Any:
    filters = {"kind": body.kind, "charge_point_id": body.charge_point_id}
    query = ListQuery(search=body.q, filters={k: v for k, v in filters.items() if v is not None})
    count = await asyncio.to_thread(
        data_issue_admin.resolve_matching, query, caller.scope, caller.principal.email
    )
    return Resolved(resolved=count)
