"""How the simulated charge point handles Smart Charging (OCPP 1.6 3.13, 5.5, 5.7, 5.16).

Profiles are kept as the spec says: a new one replaces an installed one with the same
chargingProfileId, or with the same stackLevel and purpose on the same connector; a TxProfile
needs a running transaction and goes when it ends. Running sessions are capped to the
composite limit (checked at every meter sample and whenever the profiles change, when a
MeterValues goes out at once so the CSMS sees the new power).

The profile rules and the composite schedule come from ocpp_server.smart_charging:
a pure, stdlib-only module, so the simulator and the CSMS read profiles the same way.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ocpp.v16 import call_result

from ocpp_server.simulator.charging_curve import charging_power_w, session_power_limit_w
from ocpp_server.simulator.link import Decision
from ocpp_server.smart_charging.composite import composite_schedule, limit_at
from ocpp_server.smart_charging.parsing import profile_from_ocpp
from ocpp_server.smart_charging.profiles import (
    ChargingProfile,
    InstalledProfile,
    ProfileError,
    Purpose,
    RateUnit,
    convert_limit,
)
from ocpp_server.smart_charging.to_ocpp import ocpp_time
from ocpp_server.smart_charging.validation import read_profile, validate_profile

if TYPE_CHECKING:
    from ocpp_server.simulator.connector import ConnectorState

log = logging.getLogger(__name__)

MAX_STACK_LEVEL = 8  # ChargeProfileMaxStackLevel
MAX_SCHEDULE_PERIODS = 24  # ChargingScheduleMaxPeriods


def _now() -> datetime:
    return datetime.now(UTC)


class SmartChargingMixin:
    """SetChargingProfile / ClearChargingProfile / GetCompositeSchedule and the power cap."""

    if TYPE_CHECKING:
        identity: str
        max_power_w: int
        _phases: int
        _connectors: dict[int, ConnectorState]

        async def _send_status(self, connector_id: int) -> None: ...
        async def send_meter_values(
            self, connector_id: int, context: str = "Sample.Periodic"
        ) -> None: ...

    @functools.cached_property
    def _installed_profiles(self) -> list[InstalledProfile]:
        return []

    @functools.cached_property
    def _held_tx_profiles(self) -> dict[int, ChargingProfile]:
        """RemoteStartTransaction profiles waiting for their transaction, per connector."""
        return {}

    @property
    def charging_profiles(self) -> list[InstalledProfile]:
        """The installed profiles (for tests and the CLI)."""
        return list(self._installed_profiles)

    # ---- SetChargingProfile ----------------------------------------------------------------

    def decide_set_charging_profile(
        self, connector_id: int, cs_charging_profiles: dict[str, Any]
    ) -> Decision:
        try:
            profile = self._acceptable_profile(connector_id, cs_charging_profiles)
        except ProfileError as exc:
            log.info(
                "charge point rejected a charging profile",
                extra={"identity": self.identity, "connector_id": connector_id, "why": str(exc)},
            )
            return Decision(call_result.SetChargingProfile(status="Rejected"))
        self._install(InstalledProfile(connector_id, profile))
        return Decision(call_result.SetChargingProfile(status="Accepted"), self._limits_changed)

    def _acceptable_profile(self, connector_id: int, raw: dict[str, Any]) -> ChargingProfile:
        """The profile if this charger can take it on `connector_id`, else ProfileError."""
        if connector_id != 0 and connector_id not in self._connectors:
            raise ProfileError(f"no connector {connector_id}")
        profile = profile_from_ocpp(raw)
        if profile.purpose == Purpose.TX:
            session = self._connectors[connector_id].session if connector_id else None
            if session is None:
                raise ProfileError("a TxProfile needs a running transaction")
            if profile.transaction_id not in (None, session.transaction_id):
                raise ProfileError(f"transaction {profile.transaction_id} is not running here")
            profile = dataclasses.replace(profile, transaction_id=session.transaction_id)
        validate_profile(profile, connector_id)
        if profile.stack_level > MAX_STACK_LEVEL:
            raise ProfileError(f"stackLevel above {MAX_STACK_LEVEL}")
        if len(profile.schedule.periods) > MAX_SCHEDULE_PERIODS:
            raise ProfileError(f"more than {MAX_SCHEDULE_PERIODS} periods")
        return profile

    def _install(self, new: InstalledProfile) -> None:
        """Replace a profile with the same id, or the same stack level + purpose here."""
        profile = new.profile

        def replaced(old: InstalledProfile) -> bool:
            return old.profile.charging_profile_id == profile.charging_profile_id or (
                old.connector_id == new.connector_id
                and old.profile.stack_level == profile.stack_level
                and old.profile.purpose == profile.purpose
            )

        kept = [old for old in self._installed_profiles if not replaced(old)]
        self._installed_profiles[:] = [*kept, new]
        log.info(
            "charge point installed a charging profile",
            extra={
                "identity": self.identity,
                "connector_id": new.connector_id,
                "charging_profile_id": profile.charging_profile_id,
                "purpose": profile.purpose.value,
                "stack_level": profile.stack_level,
            },
        )

    # ---- ClearChargingProfile ----------------------------------------------------------------

    def decide_clear_charging_profile(
        self,
        id: int | None = None,
        connector_id: int | None = None,
        charging_profile_purpose: str | None = None,
        stack_level: int | None = None,
    ) -> Decision:
        """By id, else by every criterion given (none: all). Unknown if nothing matched."""

        def matches(ip: InstalledProfile) -> bool:
            if id is not None:
                return ip.profile.charging_profile_id == id
            return (
                (connector_id is None or ip.connector_id == connector_id)
                and (
                    charging_profile_purpose is None
                    or ip.profile.purpose.value == charging_profile_purpose
                )
                and (stack_level is None or ip.profile.stack_level == stack_level)
            )

        kept = [ip for ip in self._installed_profiles if not matches(ip)]
        if len(kept) == len(self._installed_profiles):
            return Decision(call_result.ClearChargingProfile(status="Unknown"))
        self._installed_profiles[:] = kept
        return Decision(call_result.ClearChargingProfile(status="Accepted"), self._limits_changed)

    # ---- GetCompositeSchedule ----------------------------------------------------------------

    def decide_get_composite_schedule(
        self, connector_id: int, duration: int, charging_rate_unit: str | None = None
    ) -> Decision:
        if connector_id != 0 and connector_id not in self._connectors:
            return Decision(call_result.GetCompositeSchedule(status="Rejected"))
        unit = RateUnit(charging_rate_unit or RateUnit.W)
        session = self._connectors[connector_id].session if connector_id else None
        schedule = composite_schedule(
            self._installed_profiles,
            connector_id,
            _now(),
            duration,
            unit,
            transaction_id=session.transaction_id if session else None,
            transaction_start=session.started_at if session else None,
            default_limit=convert_limit(Decimal(self.max_power_w), RateUnit.W, unit, self._phases),
            phases=self._phases,
        )
        return Decision(
            call_result.GetCompositeSchedule(
                status="Accepted",
                connector_id=connector_id,
                schedule_start=ocpp_time(schedule.start),
                charging_schedule=schedule.to_ocpp(),
            )
        )

    # ---- RemoteStartTransaction with a chargingProfile ---------------------------------------

    def hold_tx_profile(self, connector_id: int, raw: dict[str, Any]) -> bool:
        """Keep a RemoteStartTransaction's TxProfile for the transaction it starts; False if
        the profile is not acceptable (the remote start is then rejected)."""
        try:
            profile = read_profile(raw, connector_id, remote_start=True)
        except ProfileError as exc:
            log.info(
                "charge point rejected a remote start profile",
                extra={"identity": self.identity, "why": str(exc)},
            )
            return False
        self._held_tx_profiles[connector_id] = profile
        return True

    def forget_held_tx_profile(self, connector_id: int) -> None:
        self._held_tx_profiles.pop(connector_id, None)

    # ---- sessions and the power cap ----------------------------------------------------------

    def on_session_started(self, conn: ConnectorState) -> None:
        """A transaction began here: install its held TxProfile, then cap its power."""
        held = self._held_tx_profiles.pop(conn.connector_id, None)
        if held is not None and conn.session is not None:
            profile = dataclasses.replace(held, transaction_id=conn.session.transaction_id)
            self._install(InstalledProfile(conn.connector_id, profile))
        self.apply_charging_limit(conn)

    def on_session_ended(self, connector_id: int, transaction_id: int) -> None:
        """TxProfiles end with their transaction (OCPP 1.6 3.13.2)."""
        self._installed_profiles[:] = [
            ip
            for ip in self._installed_profiles
            if not (
                ip.connector_id == connector_id
                and ip.profile.purpose == Purpose.TX
                and ip.profile.transaction_id in (None, transaction_id)
            )
        ]

    def charging_limit_w(self, conn: ConnectorState) -> float | None:
        """The composite limit on this connector's session now, in W (None: no profile)."""
        session = conn.session
        if session is None:
            return None
        limit = limit_at(
            self._installed_profiles,
            conn.connector_id,
            _now(),
            RateUnit.W,
            transaction_id=session.transaction_id,
            transaction_start=session.started_at,
            phases=self._phases,
        )
        return None if limit is None else float(limit)

    def apply_charging_limit(self, conn: ConnectorState) -> bool:
        """Cap the session's power to the lower of charger, car and profiles; True if changed.
        Call after `conn.charge_until_now()`, so energy so far counts at the old power."""
        session = conn.session
        if session is None:
            return False
        cap = self.charging_limit_w(conn)
        base = session_power_limit_w(self.max_power_w, session.ev)
        limit = base if cap is None else min(base, cap)
        if limit == session.power_limit_w:
            return False
        session.power_limit_w = limit
        session.power_w = charging_power_w(session.soc, limit)
        return True

    async def _limits_changed(self) -> None:
        """After a profile change: re-cap every session, report at once where it changed."""
        for conn in self._connectors.values():
            if conn.session is None:
                continue
            conn.charge_until_now()
            if not self.apply_charging_limit(conn):
                continue
            await self._suspend_if_zero(conn)
            await self.send_meter_values(conn.connector_id)

    async def _suspend_if_zero(self, conn: ConnectorState) -> None:
        """A 0 W limit suspends charging (SuspendedEVSE); a positive one resumes it."""
        session = conn.session
        if session is None:
            return
        if session.power_limit_w <= 0 and conn.status == "Charging":
            conn.status = "SuspendedEVSE"
        elif session.power_limit_w > 0 and conn.status == "SuspendedEVSE":
            conn.status = "Charging"
        else:
            return
        await self._send_status(conn.connector_id)
