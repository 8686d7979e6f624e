"""A small maintained network for the notification tests: stations, charge points, alarm
rules, and alarms raised the way the engine raises them (the row, then the registered alarm
hooks in the same transaction)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ccms_app.core.db import session_scope
from ccms_app.maintenance.alarms.hooks import RAISED, run_alarm_hooks
from ccms_app.maintenance.alarms.models import Alarm, AlarmRule
from ccms_app.maintenance.notifications import email_hook
from ccms_app.network.models import ChargePoint, Station

RAISED_AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@dataclass
class World:
    organisation_id: int
    stations: dict[str, int] = field(default_factory=dict)
    charge_points: dict[str, int] = field(default_factory=dict)

    def station(self, name: str, zone: str = "Europe/Warsaw") -> int:
        with session_scope() as s:
            row = Station(organisation_id=self.organisation_id, name=name, timezone=zone)
            s.add(row)
            s.flush()
            self.stations[name] = int(row.id or 0)
        return self.stations[name]

    def charge_points_at(self, station: str | None, identities: list[str]) -> list[int]:
        """Registered charge points (one transaction for all)."""
        station_id = self.stations[station] if station else None
        with session_scope() as s:
            rows = [
                ChargePoint(
                    organisation_id=self.organisation_id,
                    station_id=station_id,
                    identity=identity,
                    registration_state="registered",
                    vendor="Acme",
                    model="AC22",
                )
                for identity in identities
            ]
            s.add_all(rows)
            s.flush()
            for row in rows:
                self.charge_points[row.identity] = int(row.id or 0)
        return [self.charge_points[i] for i in identities]

    def rule(
        self,
        recipients: str = "",
        *,
        cause: str = "connector_faulted",
        roles: str = "",
        browser: bool = True,
        severity: str = "major",
    ) -> AlarmRule:
        with session_scope() as s:
            rule = AlarmRule(
                organisation_id=self.organisation_id,
                name=f"Rule {recipients or roles or cause}",
                cause=cause,
                severity=severity,
                email_recipients=recipients,
                notify_role_ids=roles,
                notify_browser=browser,
            )
            s.add(rule)
            s.flush()
            s.refresh(rule)
            return rule

    def raise_alarms(
        self,
        identities: list[str],
        rule: AlarmRule | None,
        *,
        severity: str = "major",
        connector_id: int = 1,
        at: datetime = RAISED_AT,
        **said: Any,
    ) -> list[int]:
        """One connector_faulted alarm per charge point, with its hooks, in one transaction
        (as a batch of StatusNotifications of a site-wide outage is)."""
        email_hook.install()
        ids = []
        with session_scope() as s:
            for identity in identities:
                cp_id = self.charge_points[identity]
                alarm = Alarm(
                    organisation_id=self.organisation_id,
                    charge_point_id=cp_id,
                    connector_id=connector_id,
                    cause=rule.cause if rule else "connector_faulted",
                    severity=severity,
                    open_key=f"{cp_id}:{connector_id}:connector_faulted",
                    rule_id=rule.id if rule else None,
                    fault_started_at=at,
                    first_raised_at=at,
                    last_raised_at=at,
                    **said,
                )
                s.add(alarm)
                s.flush()
                run_alarm_hooks(s, alarm, rule, RAISED)
                ids.append(int(alarm.id or 0))
        return ids
