"""The ocpp library's v16 ChargePoint bound to one websocket, routing CSMS calls to the simulator.

The library answers a CALL with what the `@on` handler returns and only then runs the `@after`
hook. A handler must not await a CALL of its own (the receive loop is busy with this message),
so every command is split in two: a synchronous decision that produces the CALLRESULT, and an
optional follow-up coroutine (start the session, reboot, ...) that runs once the reply is out.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Protocol

from ocpp.routing import after, on
from ocpp.v16 import ChargePoint
from ocpp.v16.enums import Action

FollowUp = Callable[[], Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class Decision:
    """The reply to a CSMS command and what to do after it was sent."""

    result: Any
    follow_up: FollowUp | None = None


class CommandHandler(Protocol):
    """What the simulated charge point decides for each CSMS command it supports."""

    def decide_remote_start(
        self, id_tag: str, connector_id: int | None, charging_profile: dict[str, Any] | None = None
    ) -> Decision: ...

    def decide_remote_stop(self, transaction_id: int) -> Decision: ...

    def decide_reset(self, reset_type: str) -> Decision: ...

    def decide_unlock(self, connector_id: int) -> Decision: ...

    def decide_change_availability(self, connector_id: int, availability: str) -> Decision: ...

    def decide_get_configuration(self, keys: list[str] | None) -> Decision: ...

    def decide_change_configuration(self, key: str, value: str) -> Decision: ...

    def decide_trigger_message(self, message: str, connector_id: int | None) -> Decision: ...

    def decide_reserve_now(
        self,
        connector_id: int,
        expiry_date: str,
        id_tag: str,
        reservation_id: int,
        parent_id_tag: str | None = None,
    ) -> Decision: ...

    def decide_cancel_reservation(self, reservation_id: int) -> Decision: ...

    def decide_clear_cache(self) -> Decision: ...

    def decide_data_transfer(
        self, vendor_id: str, message_id: str | None = None, data: str | None = None
    ) -> Decision: ...

    def decide_update_firmware(
        self, location: str, retrieve_date: str, retries: int | None, retry_interval: int | None
    ) -> Decision: ...

    def decide_get_diagnostics(
        self,
        location: str,
        retries: int | None = None,
        retry_interval: int | None = None,
        start_time: str | None = None,
        stop_time: str | None = None,
    ) -> Decision: ...

    def decide_send_local_list(
        self, list_version: int, update_type: str, local_authorization_list: list[dict[str, Any]]
    ) -> Decision: ...

    def decide_get_local_list_version(self) -> Decision: ...

    def decide_set_charging_profile(
        self, connector_id: int, cs_charging_profiles: dict[str, Any]
    ) -> Decision: ...

    def decide_clear_charging_profile(
        self,
        id: int | None = None,
        connector_id: int | None = None,
        charging_profile_purpose: str | None = None,
        stack_level: int | None = None,
    ) -> Decision: ...

    def decide_get_composite_schedule(
        self, connector_id: int, duration: int, charging_rate_unit: str | None = None
    ) -> Decision: ...

    def run_follow_up(self, follow_up: FollowUp) -> None: ...


class OcppLink(ChargePoint):
    """One websocket connection's OCPP-J session (client side)."""

    def __init__(
        self, identity: str, connection: Any, handler: CommandHandler, response_timeout: float
    ) -> None:
        super().__init__(identity, connection, response_timeout=response_timeout)
        self._handler = handler
        self._follow_ups: dict[str, FollowUp] = {}

    def _reply(self, decision: Decision, call_unique_id: str) -> Any:
        if decision.follow_up is not None:
            self._follow_ups[call_unique_id] = decision.follow_up
        return decision.result

    def _follow(self, call_unique_id: str) -> None:
        follow_up = self._follow_ups.pop(call_unique_id, None)
        if follow_up is not None:
            self._handler.run_follow_up(follow_up)

    @on(Action.remote_start_transaction)
    def _sim_on_remote_start(
        self,
        id_tag: str,
        call_unique_id: str,
        connector_id: int | None = None,
        charging_profile: dict[str, Any] | None = None,
        **_: Any,
    ) -> Any:
        decision = self._handler.decide_remote_start(id_tag, connector_id, charging_profile)
        return self._reply(decision, call_unique_id)

    @after(Action.remote_start_transaction)
    def _sim_after_remote_start(self, call_unique_id: str, **_: Any) -> None:
        self._follow(call_unique_id)

    @on(Action.remote_stop_transaction)
    def _sim_on_remote_stop(self, transaction_id: int, call_unique_id: str, **_: Any) -> Any:
        return self._reply(self._handler.decide_remote_stop(transaction_id), call_unique_id)

    @after(Action.remote_stop_transaction)
    def _sim_after_remote_stop(self, call_unique_id: str, **_: Any) -> None:
        self._follow(call_unique_id)

    @on(Action.reset)
    def _sim_on_reset(self, type: str, call_unique_id: str, **_: Any) -> Any:
        return self._reply(self._handler.decide_reset(type), call_unique_id)

    @after(Action.reset)
    def _sim_after_reset(self, call_unique_id: str, **_: Any) -> None:
        self._follow(call_unique_id)

    @on(Action.unlock_connector)
    def _sim_on_unlock(self, connector_id: int, call_unique_id: str, **_: Any) -> Any:
        return self._reply(self._handler.decide_unlock(connector_id), call_unique_id)

    @after(Action.unlock_connector)
    def _sim_after_unlock(self, call_unique_id: str, **_: Any) -> None:
        self._follow(call_unique_id)

    @on(Action.change_availability)
    def _sim_on_change_availability(
        self, connector_id: int, type: str, call_unique_id: str, **_: Any
    ) -> Any:
        decision = self._handler.decide_change_availability(connector_id, type)
        return self._reply(decision, call_unique_id)

    @after(Action.change_availability)
    def _sim_after_change_availability(self, call_unique_id: str, **_: Any) -> None:
        self._follow(call_unique_id)

    @on(Action.get_configuration)
    def _sim_on_get_configuration(
        self, call_unique_id: str, key: list[str] | None = None, **_: Any
    ) -> Any:
        return self._reply(self._handler.decide_get_configuration(key), call_unique_id)

    @on(Action.change_configuration)
    def _sim_on_change_configuration(
        self, key: str, value: str, call_unique_id: str, **_: Any
    ) -> Any:
        return self._reply(self._handler.decide_change_configuration(key, value), call_unique_id)

    @after(Action.change_configuration)
    def _sim_after_change_configuration(self, call_unique_id: str, **_: Any) -> None:
        self._follow(call_unique_id)

    @on(Action.trigger_message)
    def _sim_on_trigger_message(
        self, requested_message: str, call_unique_id: str, connector_id: int | None = None, **_: Any
    ) -> Any:
        decision = self._handler.decide_trigger_message(requested_message, connector_id)
        return self._reply(decision, call_unique_id)

    @after(Action.trigger_message)
    def _sim_after_trigger_message(self, call_unique_id: str, **_: Any) -> None:
        self._follow(call_unique_id)

    @on(Action.reserve_now)
    def _sim_on_reserve_now(
        self,
        connector_id: int,
        expiry_date: str,
        id_tag: str,
        reservation_id: int,
        call_unique_id: str,
        parent_id_tag: str | None = None,
        **_: Any,
    ) -> Any:
        decision = self._handler.decide_reserve_now(
            connector_id, expiry_date, id_tag, reservation_id, parent_id_tag
        )
        return self._reply(decision, call_unique_id)

    @after(Action.reserve_now)
    def _sim_after_reserve_now(self, call_unique_id: str, **_: Any) -> None:
        self._follow(call_unique_id)

    @on(Action.cancel_reservation)
    def _sim_on_cancel_reservation(self, reservation_id: int, call_unique_id: str, **_: Any) -> Any:
        decision = self._handler.decide_cancel_reservation(reservation_id)
        return self._reply(decision, call_unique_id)

    @after(Action.cancel_reservation)
    def _sim_after_cancel_reservation(self, call_unique_id: str, **_: Any) -> None:
        self._follow(call_unique_id)

    @on(Action.clear_cache)
    def _sim_on_clear_cache(self, call_unique_id: str, **_: Any) -> Any:
        return self._reply(self._handler.decide_clear_cache(), call_unique_id)

    @on(Action.data_transfer)
    def _sim_on_data_transfer(
        self,
        vendor_id: str,
        call_unique_id: str,
        message_id: str | None = None,
        data: str | None = None,
        **_: Any,
    ) -> Any:
        decision = self._handler.decide_data_transfer(vendor_id, message_id, data)
        return self._reply(decision, call_unique_id)

    @on(Action.update_firmware)
    def _sim_on_update_firmware(
        self,
        location: str,
        retrieve_date: str,
        call_unique_id: str,
        retries: int | None = None,
        retry_interval: int | None = None,
        **_: Any,
    ) -> Any:
        decision = self._handler.decide_update_firmware(
            location, retrieve_date, retries, retry_interval
        )
        return self._reply(decision, call_unique_id)

    @after(Action.update_firmware)
    def _sim_after_update_firmware(self, call_unique_id: str, **_: Any) -> None:
        self._follow(call_unique_id)

    @on(Action.get_diagnostics)
    def _sim_on_get_diagnostics(
        self,
        location: str,
        call_unique_id: str,
        retries: int | None = None,
        retry_interval: int | None = None,
        start_time: str | None = None,
        stop_time: str | None = None,
        **_: Any,
    ) -> Any:
        decision = self._handler.decide_get_diagnostics(
            location, retries, retry_interval, start_time, stop_time
        )
        return self._reply(decision, call_unique_id)

    @after(Action.get_diagnostics)
    def _sim_after_get_diagnostics(self, call_unique_id: str, **_: Any) -> None:
        self._follow(call_unique_id)

    @on(Action.send_local_list)
    def _sim_on_send_local_list(
        self,
        list_version: int,
        update_type: str,
        call_unique_id: str,
        local_authorization_list: list[dict[str, Any]] | None = None,
        **_: Any,
    ) -> Any:
        decision = self._handler.decide_send_local_list(
            list_version, update_type, local_authorization_list or []
        )
        return self._reply(decision, call_unique_id)

    @on(Action.get_local_list_version)
    def _sim_on_get_local_list_version(self, call_unique_id: str, **_: Any) -> Any:
        return self._reply(self._handler.decide_get_local_list_version(), call_unique_id)

    @on(Action.set_charging_profile)
    def _sim_on_set_charging_profile(
        self, connector_id: int, cs_charging_profiles: dict[str, Any], call_unique_id: str, **_: Any
    ) -> Any:
        decision = self._handler.decide_set_charging_profile(connector_id, cs_charging_profiles)
        return self._reply(decision, call_unique_id)

    @after(Action.set_charging_profile)
    def _sim_after_set_charging_profile(self, call_unique_id: str, **_: Any) -> None:
        self._follow(call_unique_id)

    @on(Action.clear_charging_profile)
    def _sim_on_clear_charging_profile(
        self,
        call_unique_id: str,
        id: int | None = None,
        connector_id: int | None = None,
        charging_profile_purpose: str | None = None,
        stack_level: int | None = None,
        **_: Any,
    ) -> Any:
        decision = self._handler.decide_clear_charging_profile(
            id, connector_id, charging_profile_purpose, stack_level
        )
        return self._reply(decision, call_unique_id)

    @after(Action.clear_charging_profile)
    def _sim_after_clear_charging_profile(self, call_unique_id: str, **_: Any) -> None:
        self._follow(call_unique_id)

    @on(Action.get_composite_schedule)
    def _sim_on_get_composite_schedule(
        self,
        connector_id: int,
        duration: int,
        call_unique_id: str,
        charging_rate_unit: str | None = None,
        **_: Any,
    ) -> Any:
        decision = self._handler.decide_get_composite_schedule(
            connector_id, duration, charging_rate_unit
        )
        return self._reply(decision, call_unique_id)
