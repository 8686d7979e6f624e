"""A load site as the controller last decided it: the same read model as the live page
(`load_balancing.live_view`), what CCMS decided and sent, not a recomputation.

- `GET /load-sites/{id}/live`: the limit in force (plan, margin), building load, allocated
  and measured current per phase; each connector's share, what was sent and why it is capped.
- `GET /load-sites/{id}/history?hours=24`: the decisions of the last hours (at most a week),
  oldest first: planned (allocated) against measured, per phase.
- `GET /load-sites/{id}/decisions?limit=50&before_id=`: the decision log, newest first, with
  each decision's inputs and results (`detail`); `before_id` pages back.
load_balancing:view.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import Path, Query

from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.api.deps import ApiCaller, gate, router
from ccms_app.api.resources import MAX_INT
from ccms_app.api.routes.load_sites import NOT_IN_SCOPE
from ccms_app.load_balancing import live_view
from ccms_app.load_balancing.live_view import DecisionView, HistoryPoint, SiteLive

api = router("/load-sites", "Load balancing")
Id = Annotated[int, Path(ge=1, le=MAX_INT)]
Viewer = Annotated[ApiCaller, gate(Module.LOAD_BALANCING, Action.VIEW)]


@api.get(
    "/{id}/live",
    response_model=SiteLive,
    summary="A load site now: limits, loads and each connector's share",
    operation_id="get_load_site_live",
    responses=NOT_IN_SCOPE,
)
async def get_load_site_live(id: Id, caller: Viewer) -> Any:
    return await asyncio.to_thread(live_view.site_live, caller.caller, id)


@api.get(
    "/{id}/history",
    response_model=list[HistoryPoint],
    summary="Planned against measured current, per phase",
    operation_id="get_load_site_history",
    responses=NOT_IN_SCOPE,
)
async def get_load_site_history(
    id: Id,
    caller: Viewer,
    hours: Annotated[int, Query(ge=1, le=live_view.MAX_HISTORY_HOURS)] = 24,
) -> Any:
    return await asyncio.to_thread(live_view.history, caller.caller, id, hours)


@api.get(
    "/{id}/decisions",
    response_model=list[DecisionView],
    summary="The load site's decision log, newest first",
    operation_id="list_load_site_decisions",
    responses=NOT_IN_SCOPE,
)
async def list_load_site_decisions(
    id: Id,
    caller: Viewer,
    limit: Annotated[int, Query(ge=1, le=live_view.MAX_DECISIONS)] = 50,
    before_id: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None,
) -> Any:
    return await asyncio.to_thread(live_view.decisions, caller.caller, id, limit, before_id)
