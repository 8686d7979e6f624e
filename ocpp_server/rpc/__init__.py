"""OCPP-J RPC, version-neutral: the framing and call tracking every OCPP version shares.

OCPP 1.6J and 2.0.1 use the same envelope ([2, id, action, {}] / [3, id, {}] /
[4, id, code, description, {}]) over one websocket; what differs per version is the routing
table (which actions a charge point may send and what the central system does with them), the
JSON schemas and the spelling of a few error codes. Those come in as a `ProtocolVersion`
(ocpp_server.rpc.protocol); ocpp_server.v16 is the 1.6 one.

- `codec`: JSON text <-> Python (orjson, with the standard json module deciding every case
  orjson refuses, so malformed input behaves exactly as with json alone).
- `frames`: parsing and serialising frames; FrameError for frames that cannot be routed.
- `schemas`: payload validation with validators compiled once per action (fastjsonschema);
  the full jsonschema validator runs only on a failure, to pick the CALLERROR code.
- `pending`: our CALLs waiting for their reply, one future per unique id.
- `connection`: RpcConnection, one websocket: CALL dispatch, replies, our CALLs.
"""
