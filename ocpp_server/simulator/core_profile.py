"""The rest of the Core profile on the simulated charge point: ClearCache and DataTransfer.

DataTransfer works both ways: the CSMS's is answered here (only our own vendor id is known,
its data is echoed back), and `send_data_transfer` sends one to the CSMS.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from ocpp.v16 import call, call_result

from ocpp_server.simulator.link import Decision

if TYPE_CHECKING:
    from ocpp_server.simulator.connection import CsmsConnection

log = logging.getLogger(__name__)

SIM_VENDOR_ID = "CCMS-Sim"


class CoreProfileMixin:
    """ClearCache and DataTransfer decisions, plus a charger-initiated DataTransfer."""

    if TYPE_CHECKING:
        identity: str
        _conn: CsmsConnection

    cache_clears = 0  # how many ClearCache requests were accepted (for tests and the CLI)

    def decide_clear_cache(self) -> Decision:
        self.cache_clears += 1
        return Decision(call_result.ClearCache(status="Accepted"))

    def decide_data_transfer(
        self, vendor_id: str, message_id: str | None = None, data: str | None = None
    ) -> Decision:
        """Accepted with the data echoed for vendor CCMS-Sim, UnknownVendorId otherwise."""
        if vendor_id != SIM_VENDOR_ID:
            return Decision(call_result.DataTransfer(status="UnknownVendorId"))
        return Decision(call_result.DataTransfer(status="Accepted", data=data))

    async def send_data_transfer(
        self, vendor_id: str, message_id: str | None = None, data: str | None = None
    ) -> Any:
        """A DataTransfer to the CSMS; returns its reply (status, data)."""
        request = call.DataTransfer(vendor_id=vendor_id, message_id=message_id, data=data)
        return await self._conn.call(request)
