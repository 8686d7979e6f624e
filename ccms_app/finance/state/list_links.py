"""Filters named in a list page's address (`/finance/payments?kind=refund`): how the Finance
overview links a figure to the list that explains it.

Only keys that are filterable columns of the list count; anything else in the address is
left alone (`?view=` and the like). A value the column refuses surfaces as the list's own
error, as if the operator had picked it.
"""

from __future__ import annotations

from collections.abc import Mapping

from ccms_app.core.listing import ListSpec


def url_filters(params: Mapping[str, str], spec: ListSpec) -> dict[str, str]:
    """The address's filters of the list `spec` describes, {column key: value}."""
    keys = {column.key for column in spec.columns if column.filterable}
    return {key: value for key, value in params.items() if key in keys and value}
