"""One status for a whole charge point, as an operator reads a list of them.

OCPP 1.6 reports connector 0 as "the charge point as a whole", and most chargers keep it at
Available while their connectors charge or fail. A list showing connector 0 said "Available"
for a charger with both connectors charging, or one faulted. The charge point's status is
connector 0's only where connector 0 speaks for the whole (Faulted, Unavailable: nothing
works); otherwise the most telling status among its connectors: a fault first, then use,
then readiness.
"""

from __future__ import annotations

from collections.abc import Collection

from ccms_app.network.models import ConnectorStatus

WHOLE_CHARGE_POINT = (ConnectorStatus.FAULTED, ConnectorStatus.UNAVAILABLE)
MOST_TELLING_FIRST = (
    ConnectorStatus.FAULTED,
    ConnectorStatus.CHARGING,
    ConnectorStatus.SUSPENDED_EV,
    ConnectorStatus.SUSPENDED_EVSE,
    ConnectorStatus.FINISHING,
    ConnectorStatus.PREPARING,
    ConnectorStatus.RESERVED,
    ConnectorStatus.AVAILABLE,
    ConnectorStatus.UNAVAILABLE,
)


def charge_point_status(connector_zero: str, connectors: Collection[str]) -> str:
    """The status to show for a charge point whose connector 0 reports `connector_zero` and
    whose connectors 1..n report `connectors`."""
    if connector_zero in WHOLE_CHARGE_POINT or not connectors:
        return connector_zero
    for status in MOST_TELLING_FIRST:
        if status in connectors:
            return status
    return connector_zero
