"""OCPP-J protocol layer. Imports no reflex and no database code: it talks to the app only
through the two ports in `ocpp_server.ports`."""
