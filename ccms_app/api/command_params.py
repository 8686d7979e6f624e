"""The parameters of every command an operator sends to one charge point, as the REST API
takes them, and the use case each one goes through.

One model per action, so the OpenAPI schema documents each command's parameters and a body
with fields the action does not know is refused. The schema states the bounds the command
rules enforce (`control.rules.commands`: lengths, connector numbers, choices); everything
else (a blank id tag, a read-only key, a reservation already ended, the OCPP 1.6 profile
rules) is checked by the same use case the charge point page calls, with its message.

Actions whose outcome the page stores go through their service, as `control.state.
charge_point.run_command` does: ReserveNow records a reservation, ChangeConfiguration and
GetConfiguration update the stored configuration, SetChargingProfile records the profile,
GetCompositeSchedule the answer, GetLocalListVersion the reported version, GetDiagnostics
names CCMS as the upload target. The rest go through `control.commands.send_command`.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal

from ocpp.v16.enums import AvailabilityType, ResetType
from pydantic import (
    AwareDatetime,
    BeforeValidator,
    Field,
    Strict,
    create_model,
    model_validator,
)

from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.api.resources import StrictModel
from ccms_app.charging import reservations
from ccms_app.control import commands, configuration
from ccms_app.control.firmware import diagnostics
from ccms_app.control.rules.commands import (
    CONFIG_KEY_MAX,
    CONFIG_VALUE_MAX,
    ID_TAG_MAX,
    MESSAGE_ID_MAX,
    VENDOR_ID_MAX,
    CommandInputError,
)
from ccms_app.control.smart_charging import composite_schedules, profile_commands
from ccms_app.core.types import utc_now
from ccms_app.drivers.local_lists.sync import fetch_list_version
from ccms_app.network.rules.asset_validation import MAX_CONNECTOR_ID
from ocpp_server.smart_charging.profiles import MAX_PERIODS, Kind, Purpose, RateUnit, Recurrency

OCPP_INT_MAX = 2**31 - 1  # OCPP 1.6 says "integer"; charge points parse 32 bits
LIMIT_MAX = Decimal(1_000_000)  # W or A: far above any charger, still a number they can parse
DATA_MAX = 1_000_000  # a DataTransfer's data, as the command rules allow
KEYS_MAX = 100  # keys one GetConfiguration asks for
MINUTES_MAX = 7 * 24 * 60  # a reservation held a week at most


def _iso_text(value: Any) -> Any:
    """A date and time is ISO 8601 text, as the schema says: not a number of seconds."""
    if not isinstance(value, str | datetime):
        raise ValueError("Input should be an ISO 8601 date and time with a time zone")
    return value


Int = Annotated[int, Strict()]  # JSON's true is not connector 1
Moment = Annotated[AwareDatetime, BeforeValidator(_iso_text)]
Connector = Annotated[Int, Field(ge=1, le=MAX_CONNECTOR_ID, description="OCPP connectorId")]
WholeOrConnector = Annotated[
    Int, Field(ge=0, le=MAX_CONNECTOR_ID, description="0 = the whole charge point")
]
OcppInt = Annotated[Int, Field(ge=0, le=OCPP_INT_MAX)]
IdTag = Annotated[str, Field(max_length=ID_TAG_MAX, description="RFID card or app id tag")]
TriggerableMessage = Literal[
    "BootNotification",
    "DiagnosticsStatusNotification",
    "FirmwareStatusNotification",
    "Heartbeat",
    "MeterValues",
    "StatusNotification",
]


@dataclass(frozen=True)
class Recipient:
    """The charge point a command goes to (resolved in the key's scope) and who sends it."""

    charge_point_id: int
    requested_by: str
    scope: frozenset[int]


class CommandParams(StrictModel):
    """One action's parameters. `send` runs the action's use case and returns the id of the
    command record it made; the use case's errors (CommandInputError) come before any record."""

    ACTION: ClassVar[str] = ""
    PERMISSION: ClassVar[tuple[Module, Action]] = (Module.LIVE_MONITORING, Action.CONTROL)
    # First words of the use case's messages that name a field differently ("expiry ...").
    MESSAGE_FIELDS: ClassVar[dict[str, str]] = {}

    async def send(self, to: Recipient) -> int:
        params = self.model_dump(mode="json", exclude_none=True)
        view = await commands.send_command(to.charge_point_id, self.ACTION, params, to.requested_by)
        return view.id

    @classmethod
    def error_field(cls, message: str) -> str:
        """The body field a use case's message is about: "type must be ..." -> params.type."""
        first = message.split(" ", 1)[0].rstrip(":")
        if first in cls.MESSAGE_FIELDS:
            return f"params.{cls.MESSAGE_FIELDS[first]}"
        return f"params.{first}" if first in cls.model_fields else "params"


class RemoteStartTransactionParams(CommandParams):
    ACTION = "RemoteStartTransaction"
    connector_id: Connector | None = Field(None, description="None: the charge point chooses")
    id_tag: IdTag


class RemoteStopTransactionParams(CommandParams):
    ACTION = "RemoteStopTransaction"
    transaction_id: OcppInt = Field(description="The running session's transactionId")


class ResetParams(CommandParams):
    ACTION = "Reset"
    type: ResetType = ResetType.soft


class UnlockConnectorParams(CommandParams):
    ACTION = "UnlockConnector"
    connector_id: Connector


class ChangeAvailabilityParams(CommandParams):
    ACTION = "ChangeAvailability"
    connector_id: WholeOrConnector = 0
    type: AvailabilityType = AvailabilityType.operative


class ChangeConfigurationParams(CommandParams):
    ACTION = "ChangeConfiguration"
    key: str = Field(max_length=CONFIG_KEY_MAX, description="e.g. HeartbeatInterval")
    value: str = Field("", max_length=CONFIG_VALUE_MAX)

    async def send(self, to: Recipient) -> int:
        view = await configuration.change_configuration(
            to.charge_point_id, self.key, self.value, to.requested_by
        )
        return view.id


class GetConfigurationParams(CommandParams):
    ACTION = "GetConfiguration"
    keys: list[Annotated[str, Field(max_length=CONFIG_KEY_MAX)]] | None = Field(
        None, max_length=KEYS_MAX, description="None or empty: every key"
    )

    async def send(self, to: Recipient) -> int:
        view = await configuration.fetch_configuration(
            to.charge_point_id, to.requested_by, self.keys or None
        )
        return view.id


class ClearCacheParams(CommandParams):
    ACTION = "ClearCache"


class DataTransferParams(CommandParams):
    ACTION = "DataTransfer"
    vendor_id: str = Field(max_length=VENDOR_ID_MAX)
    message_id: str | None = Field(None, max_length=MESSAGE_ID_MAX)
    data: str | None = Field(None, max_length=DATA_MAX)


class TriggerMessageParams(CommandParams):
    ACTION = "TriggerMessage"
    requested_message: TriggerableMessage = "StatusNotification"
    connector_id: Connector | None = Field(None, description="None: any connector")


class ReserveNowParams(CommandParams):
    ACTION = "ReserveNow"
    MESSAGE_FIELDS = {"expiry": "expiry_date", "id": "id_tag", "connector": "connector_id"}
    connector_id: WholeOrConnector = 0
    id_tag: IdTag
    expiry_date: Moment | None = Field(None, description="Instead of expires_in_minutes")
    expires_in_minutes: Int | None = Field(
        None, ge=1, le=MINUTES_MAX, description="From now; 60 when neither is given"
    )
    parent_id_tag: IdTag | None = None

    @model_validator(mode="after")
    def _one_expiry(self) -> ReserveNowParams:
        if self.expiry_date is not None and self.expires_in_minutes is not None:
            raise ValueError("Give expiry_date or expires_in_minutes, not both")
        return self

    async def send(self, to: Recipient) -> int:
        expiry = self.expiry_date or utc_now() + timedelta(minutes=self.expires_in_minutes or 60)
        view = await reservations.reserve(
            to.charge_point_id,
            self.connector_id,
            self.id_tag,
            expiry,
            to.requested_by,
            parent_id_tag=self.parent_id_tag or None,
        )
        return view.command.id if view.command else 0


class CancelReservationParams(CommandParams):
    ACTION = "CancelReservation"
    MESSAGE_FIELDS = {"reservation": "reservation_id"}
    reservation_id: Int = Field(ge=1, le=OCPP_INT_MAX, description="One of this charge point's")

    async def send(self, to: Recipient) -> int:
        mine = await asyncio.to_thread(reservations.list_reservations, to.charge_point_id)
        if self.reservation_id not in {r.id for r in mine}:
            raise CommandInputError(
                f"reservation {self.reservation_id} is not one of this charge point's"
            )
        view = await reservations.cancel(self.reservation_id, to.requested_by)
        return view.command.id if view.command else 0


# --- Smart Charging: the OCPP 1.6 ChargingProfile, snake_case --------------------------------


class OcppSchedulePeriod(StrictModel):
    start_period: OcppInt = Field(description="Seconds from the schedule's start")
    limit: Decimal = Field(ge=0, le=LIMIT_MAX, description="W or A, at most one decimal")
    number_phases: Int | None = Field(None, ge=1, le=3)


class OcppChargingSchedule(StrictModel):
    charging_rate_unit: RateUnit
    charging_schedule_period: list[OcppSchedulePeriod] = Field(max_length=MAX_PERIODS)
    duration: OcppInt | None = Field(None, description="Seconds; None: the last period lasts")
    start_schedule: Moment | None = None
    min_charging_rate: Decimal | None = Field(None, ge=0, le=LIMIT_MAX)


class OcppChargingProfile(StrictModel):
    charging_profile_id: Int | None = Field(
        None, ge=1, le=OCPP_INT_MAX, description="None: CCMS assigns the next free one"
    )
    stack_level: OcppInt
    charging_profile_purpose: Purpose
    charging_profile_kind: Kind
    recurrency_kind: Recurrency | None = None
    valid_from: Moment | None = None
    valid_to: Moment | None = None
    transaction_id: OcppInt | None = Field(None, description="TxProfile only")
    charging_schedule: OcppChargingSchedule


_PROFILE = "cs_charging_profiles"
_SCHEDULE = f"{_PROFILE}.charging_schedule"
# The OCPP names the profile rules' messages start with -> the body's snake_case fields.
_PROFILE_FIELDS = {
    "connectorId": "connector_id",
    "chargingProfileId": f"{_PROFILE}.charging_profile_id",
    "stackLevel": f"{_PROFILE}.stack_level",
    "chargingProfilePurpose": f"{_PROFILE}.charging_profile_purpose",
    "chargingProfileKind": f"{_PROFILE}.charging_profile_kind",
    "recurrencyKind": f"{_PROFILE}.recurrency_kind",
    "validFrom": f"{_PROFILE}.valid_from",
    "validTo": f"{_PROFILE}.valid_to",
    "transactionId": f"{_PROFILE}.transaction_id",
    "chargingSchedule": _SCHEDULE,
    "chargingRateUnit": f"{_SCHEDULE}.charging_rate_unit",
    "chargingSchedulePeriod": f"{_SCHEDULE}.charging_schedule_period",
    "duration": f"{_SCHEDULE}.duration",
    "startSchedule": f"{_SCHEDULE}.start_schedule",
    "minChargingRate": f"{_SCHEDULE}.min_charging_rate",
}
_PERIOD_MESSAGE = re.compile(r"period (\d+) (startPeriod|limit|numberPhases)\b")
_PERIOD_FIELDS = {"startPeriod": "start_period", "limit": "limit", "numberPhases": "number_phases"}


class SetChargingProfileParams(CommandParams):
    ACTION = "SetChargingProfile"
    MESSAGE_FIELDS = _PROFILE_FIELDS
    connector_id: WholeOrConnector
    cs_charging_profiles: OcppChargingProfile

    @classmethod
    def error_field(cls, message: str) -> str:
        period = _PERIOD_MESSAGE.match(message)
        if period is None:
            return super().error_field(message)
        index, name = int(period.group(1)) - 1, _PERIOD_FIELDS[period.group(2)]
        return f"params.{_SCHEDULE}.charging_schedule_period.{index}.{name}"

    async def send(self, to: Recipient) -> int:
        spec = self.cs_charging_profiles.model_dump(exclude_none=True)
        view = await profile_commands.set_profile(
            to.charge_point_id, self.connector_id, spec, to.requested_by
        )
        return view.command.id if view.command else 0


class ClearChargingProfileParams(CommandParams):
    """By `id`, or by any of connector / purpose / stack level; nothing given clears all."""

    ACTION = "ClearChargingProfile"
    id: OcppInt | None = Field(None, description="The chargingProfileId")
    connector_id: WholeOrConnector | None = None
    charging_profile_purpose: Purpose | None = None
    stack_level: OcppInt | None = None

    async def send(self, to: Recipient) -> int:
        result = await profile_commands.clear_profiles(
            to.charge_point_id,
            requested_by=to.requested_by,
            charging_profile_id=self.id,
            connector_id=self.connector_id,
            purpose=self.charging_profile_purpose,
            stack_level=self.stack_level,
        )
        return result.command.id


class GetCompositeScheduleParams(CommandParams):
    ACTION = "GetCompositeSchedule"
    connector_id: WholeOrConnector = 0
    duration: Int = Field(ge=1, le=OCPP_INT_MAX, description="Seconds from now")
    charging_rate_unit: RateUnit | None = Field(None, description="None: the charge point's")

    async def send(self, to: Recipient) -> int:
        unit = self.charging_rate_unit.value if self.charging_rate_unit else None
        view = await composite_schedules.get_composite_schedule(
            to.charge_point_id, self.connector_id, self.duration, unit, to.requested_by
        )
        return view.command.id if view.command else 0


class GetLocalListVersionParams(CommandParams):
    ACTION = "GetLocalListVersion"

    async def send(self, to: Recipient) -> int:
        return (await fetch_list_version(to.charge_point_id, to.requested_by)).id


class GetDiagnosticsParams(CommandParams):
    """The charge point uploads to CCMS itself; the file appears under Firmware."""

    ACTION = "GetDiagnostics"
    PERMISSION = (Module.FIRMWARE, Action.CONTROL)
    start_time: Moment | None = None
    stop_time: Moment | None = None
    retries: OcppInt | None = None
    retry_interval: OcppInt | None = Field(None, description="Seconds")

    async def send(self, to: Recipient) -> int:
        view = await diagnostics.request_diagnostics(
            to.charge_point_id,
            to.requested_by,
            scope=to.scope,
            start_time=self.start_time,
            stop_time=self.stop_time,
            retries=self.retries,
            retry_interval=self.retry_interval,
        )
        return view.id


PARAMS: tuple[type[CommandParams], ...] = (
    RemoteStartTransactionParams,
    RemoteStopTransactionParams,
    ResetParams,
    UnlockConnectorParams,
    ChangeAvailabilityParams,
    ChangeConfigurationParams,
    GetConfigurationParams,
    ClearCacheParams,
    DataTransferParams,
    TriggerMessageParams,
    ReserveNowParams,
    CancelReservationParams,
    SetChargingProfileParams,
    ClearChargingProfileParams,
    GetCompositeScheduleParams,
    GetLocalListVersionParams,
    GetDiagnosticsParams,
)
ACTIONS: tuple[str, ...] = tuple(p.ACTION for p in PARAMS)


class CommandRequest(StrictModel):
    """What every action's body has; `COMMAND_MODELS` narrow both fields per action."""

    action: str
    params: CommandParams


def _command_model(params: type[CommandParams]) -> type[CommandRequest]:
    """`{"action": "<ACTION>", "params": {...}}`; params may be left out when all are optional."""
    optional = not any(f.is_required() for f in params.model_fields.values())
    default: Any = Field(default_factory=params) if optional else ...
    action: Any = Literal[params.ACTION]
    return create_model(
        params.ACTION + "Command",
        __base__=CommandRequest,
        __doc__=params.__doc__,
        action=(action, ...),
        params=(params, default),
    )


COMMAND_MODELS: tuple[type[CommandRequest], ...] = tuple(_command_model(p) for p in PARAMS)
