"""What an OCPP version brings to the version-neutral RPC connection.

A `ProtocolVersion` holds the version's JSON schemas, its action names, how it spells
CALLERROR codes and how typed requests/replies of the CommandPort map to CALL payloads. The
routing table (action -> `CallHandler`) is built per connection from the application's sink
(ocpp_server.v16.routes for 1.6); a 2.0.1 version and table can sit beside the 1.6 ones.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ocpp_server.rpc.schemas import SchemaSet

# (charge point identity, CALL payload) -> CALLRESULT payload; raising ocpp.exceptions.OCPPError
# answers that CALLERROR, any other exception InternalError.
CallHandler = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]
Routes = Mapping[str, CallHandler]


@dataclass(frozen=True)
class ProtocolVersion:
    name: str  # "1.6"
    subprotocol: str  # "ocpp1.6"
    actions: frozenset[str]  # every action the version defines (known, handled or not)
    schemas: SchemaSet
    spell: Callable[[str], str]  # an error code in this version's spelling
    # CommandPort: typed request -> (action, CALL payload); (action, CALLRESULT payload) -> reply
    request_to_call: Callable[[Any], tuple[str, dict[str, Any]]]
    typed_result: Callable[[str, dict[str, Any]], Any]

    def unhandled(self, action: str) -> tuple[str, str]:
        """The CALLERROR for a CALL no route handles (OCPP-J 1.6 section 4.2.3, Table 7):
        NotImplemented = the action is not known, NotSupported = known but not handled."""
        if action in self.actions:
            return "NotSupported", f"{action} is not supported by this central system"
        return "NotImplemented", f"{action} is not a known OCPP {self.name} action"
