"""The simulated charge point's configuration keys (OCPP 1.6 section 9), as a real charger has.

Read-only keys are refused (Rejected), unknown keys are NotSupported, values are checked by
kind, and a few keys only take effect after a reboot (RebootRequired), like on real hardware.
"""

from __future__ import annotations

from dataclasses import dataclass

PROFILES = "Core,FirmwareManagement,LocalAuthListManagement,Reservation,SmartCharging,RemoteTrigger"
MEASURANDS = "Energy.Active.Import.Register,Power.Active.Import,Current.Import,Voltage,SoC"
ENERGY = "Energy.Active.Import.Register"


@dataclass
class ConfigKey:
    value: str
    readonly: bool = False
    kind: str = "text"  # text | int | bool
    minimum: int = 0
    reboot: bool = False  # a change is stored but applied at the next boot


def default_keys(connectors: int) -> dict[str, ConfigKey]:
    """The keys a 1.6J charger with every feature profile typically reports."""
    rotation = ",".join(f"{cid}.RST" for cid in range(connectors + 1))
    return {
        "AllowOfflineTxForUnknownId": ConfigKey("false", kind="bool"),
        "AuthorizationCacheEnabled": ConfigKey("true", kind="bool"),
        "AuthorizeRemoteTxRequests": ConfigKey("false", readonly=True, kind="bool"),
        "ClockAlignedDataInterval": ConfigKey("0", kind="int"),
        "ConnectionTimeOut": ConfigKey("60", kind="int", minimum=1),
        "ConnectorPhaseRotation": ConfigKey(rotation, reboot=True),
        "GetConfigurationMaxKeys": ConfigKey("50", readonly=True, kind="int"),
        "HeartbeatInterval": ConfigKey("0", kind="int", minimum=1),
        "LocalAuthorizeOffline": ConfigKey("true", kind="bool"),
        "LocalPreAuthorize": ConfigKey("false", kind="bool"),
        "MeterValuesAlignedData": ConfigKey(ENERGY),
        "MeterValuesSampledData": ConfigKey(MEASURANDS, readonly=True),
        "MeterValueSampleInterval": ConfigKey("10", kind="int", minimum=1),
        "NumberOfConnectors": ConfigKey(str(connectors), readonly=True, kind="int"),
        "ResetRetries": ConfigKey("1", kind="int"),
        "StopTransactionOnEVSideDisconnect": ConfigKey("true", kind="bool"),
        "StopTransactionOnInvalidId": ConfigKey("true", kind="bool"),
        "StopTxnAlignedData": ConfigKey(ENERGY),
        "StopTxnSampledData": ConfigKey(ENERGY),
        "SupportedFeatureProfiles": ConfigKey(PROFILES, readonly=True),
        "TransactionMessageAttempts": ConfigKey("3", kind="int"),
        "TransactionMessageRetryInterval": ConfigKey("60", kind="int"),
        "UnlockConnectorOnEVSideDisconnect": ConfigKey("true", kind="bool"),
        "ReserveConnectorZeroSupported": ConfigKey("false", readonly=True, kind="bool"),
        "LocalAuthListEnabled": ConfigKey("true", kind="bool"),
        "LocalAuthListMaxLength": ConfigKey("1000", readonly=True, kind="int"),
        "SendLocalListMaxLength": ConfigKey("100", readonly=True, kind="int"),
        "ChargeProfileMaxStackLevel": ConfigKey("10", readonly=True, kind="int"),
        "ChargingScheduleAllowedChargingRateUnit": ConfigKey("Current,Power", readonly=True),
        "ChargingScheduleMaxPeriods": ConfigKey("24", readonly=True, kind="int"),
        "MaxChargingProfilesInstalled": ConfigKey("10", readonly=True, kind="int"),
    }


def _valid(spec: ConfigKey, value: str) -> bool:
    if spec.kind == "bool":
        return value.lower() in ("true", "false")
    if spec.kind == "int":
        try:
            return int(value) >= spec.minimum
        except ValueError:
            return False
    return len(value) <= 500


class SimConfiguration:
    """Key -> value store answering GetConfiguration and ChangeConfiguration."""

    def __init__(self, connectors: int) -> None:
        self._keys = default_keys(connectors)

    def value(self, key: str) -> str:
        return self._keys[key].value

    def set_live(self, key: str, value: str) -> None:
        """The charger's own state changed a value (e.g. the heartbeat interval at boot)."""
        self._keys[key].value = value

    def get(self, keys: list[str] | None) -> tuple[list[dict[str, object]], list[str]]:
        """(configurationKey entries, unknownKey list) for the asked-for keys (None: all)."""
        wanted = keys or list(self._keys)
        known = [
            {"key": k, "readonly": self._keys[k].readonly, "value": self._keys[k].value}
            for k in wanted
            if k in self._keys
        ]
        return known, [k for k in wanted if k not in self._keys]

    def change(self, key: str, value: str) -> str:
        """ChangeConfiguration status: Accepted | RebootRequired | Rejected | NotSupported."""
        spec = self._keys.get(key)
        if spec is None:
            return "NotSupported"
        if spec.readonly or not _valid(spec, value):
            return "Rejected"
        spec.value = value.lower() if spec.kind == "bool" else value
        return "RebootRequired" if spec.reboot else "Accepted"
