"""Simulated OCPP 1.6J charge points (client side): the demo fleet, `ccms simulate` and tests.

Uses the mobilityhouse `ocpp` library's v16 ChargePoint over `websockets`; imports nothing from
the server or ccms_app, only the pure, stdlib-only ocpp_server.smart_charging (so charger
and CSMS read charging profiles with the same code).
"""

from ocpp_server.simulator.charge_point import NotConnectedError, SimulatedChargePoint
from ocpp_server.simulator.charging_curve import EvProfile
from ocpp_server.simulator.fleet import DEFAULT_ID_TAGS, run_fleet

__all__ = [
    "DEFAULT_ID_TAGS",
    "EvProfile",
    "NotConnectedError",
    "SimulatedChargePoint",
    "run_fleet",
]
