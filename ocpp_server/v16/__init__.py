"""OCPP 1.6J on the version-neutral RPC layer (ocpp_server.rpc).

- `errors`: the CALLERROR codes of OCPP-J 1.6 with their historic spellings, and which code a
  failing JSON-schema rule gives;
- `payloads`: camelCase payloads <-> the ocpp library's snake_case dataclasses;
- `routes`: the routing table, one handler per charge-point-initiated action;
- `version`: V16, the ProtocolVersion (schemas from the ocpp library's v16/schemas).
"""
