"""A list resource of the REST API, request bodies, and the query a request asks for.

Shared by the list routes (`api/listing.py`) and the streamed exports (`api/streams.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict

from ccms_app.accounts.rules.permissions import Module
from ccms_app.api.deps import ApiCaller
from ccms_app.core import listing
from ccms_app.core.listing import ListQuery, ListSpec

MAX_INT = 2**63 - 1  # what every database column can hold: a larger id is simply not found


class StrictModel(BaseModel):
    """A request body: unknown fields are refused, not ignored."""

    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class ListResource:
    """A spec published under a path. `item` names the OpenAPI schema ("Station")."""

    spec: ListSpec
    module: Module
    item: str
    plural: str  # operation ids: list_stations, export_stations
    with_get: bool = True  # False when the resource's own route serves GET /{key}
    scope_filter: Callable[[ApiCaller], dict[str, Any]] | None = None

    @property
    def path(self) -> str:
        """Where the resource lives under /api/v1: "charge_points" -> "/charge-points"."""
        return "/" + self.plural.replace("_", "-")


def list_query(resource: ListResource, params: BaseModel, caller: ApiCaller) -> ListQuery:
    values = params.model_dump()
    filters = {c.key: values[c.key] for c in resource.spec.columns if c.filterable}
    if resource.scope_filter is not None:
        filters |= resource.scope_filter(caller)
    return ListQuery(
        search=values["q"],
        filters={k: v for k, v in filters.items() if v is not None},
        sort=values["sort"],
        descending=values["order"] == "desc",
        page=values.get("page", 1),
        page_size=values.get("page_size", listing.MAX_PAGE_SIZE),
    )
