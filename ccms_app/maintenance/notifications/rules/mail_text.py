"""The text of alarm e-mails: one alarm in full, or a digest grouped by station.

A single alarm's mail says everything the charger said (OCPP error code, info, vendor id and
vendor error code) and the operator's readable cause; a digest lists each alarm on a few
lines under its station, most severe first, so a site-wide outage reads as one mail.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ccms_app.maintenance.rules.alarm_causes import cause_label
from ccms_app.maintenance.rules.alarm_rules import severity_rank

NO_STATION = "No station"


@dataclass(frozen=True)
class MailAlarm:
    """One alarm as a mail shows it (times already in the station's zone)."""

    alarm_id: int
    station: str  # "" = the charge point belongs to no station
    charge_point: str  # its OCPP identity
    connector_id: int
    cause: str
    severity: str
    status: str
    raised_at: str
    error_code: str = ""
    info: str = ""
    vendor_id: str = ""
    vendor_error_code: str = ""
    readable_cause: str = ""
    detail: str = ""


@dataclass(frozen=True)
class MailText:
    subject: str
    body: str


def alarm_link(base_url: str, alarm_id: int) -> str:
    return f"{base_url.rstrip('/')}/maintenance/alarms/{alarm_id}"


def _where(alarm: MailAlarm) -> str:
    connector = "charge point" if alarm.connector_id == 0 else f"connector {alarm.connector_id}"
    return f"{alarm.charge_point} {connector}"


def _codes(alarm: MailAlarm) -> str:
    """What the charger said, as sent ("" when it said nothing beyond the cause)."""
    parts = []
    if alarm.error_code and alarm.error_code != "NoError":
        parts.append(f"error code {alarm.error_code}")
    if alarm.vendor_error_code:
        vendor = f" ({alarm.vendor_id})" if alarm.vendor_id else ""
        parts.append(f"vendor code {alarm.vendor_error_code}{vendor}")
    if alarm.info:
        parts.append(f"info {alarm.info!r}")
    return ", ".join(parts)


def single_mail(alarm: MailAlarm, base_url: str, product: str = "CCMS") -> MailText:
    """The mail of one alarm, with every code the charger sent; the subject starts with the
    product name (the brand's)."""
    cause = cause_label(alarm.cause)
    subject = f"{product}: {cause} at {_where(alarm)} ({alarm.severity})"
    lines = [
        f"{cause} ({alarm.severity}) at {_where(alarm)}, {alarm.station or NO_STATION}.",
        "",
        f"Raised:            {alarm.raised_at}",
        f"Status:            {alarm.status}",
        f"OCPP error code:   {alarm.error_code or '-'}",
        f"Info:              {alarm.info or '-'}",
        f"Vendor:            {alarm.vendor_id or '-'}",
        f"Vendor error code: {alarm.vendor_error_code or '-'}",
        f"Readable cause:    {alarm.readable_cause or '-'}",
    ]
    if alarm.detail:
        lines.append(f"Detail:            {alarm.detail}")
    lines += ["", f"Open the alarm: {alarm_link(base_url, alarm.alarm_id)}", ""]
    return MailText(subject, "\n".join(lines))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def digest_mail(alarms: Sequence[MailAlarm], base_url: str, product: str = "CCMS") -> MailText:
    """One mail for many alarms: a count in the subject, the alarms grouped by station."""
    if len(alarms) == 1:
        return single_mail(alarms[0], base_url, product)
    by_station: dict[str, list[MailAlarm]] = {}
    for alarm in alarms:
        by_station.setdefault(alarm.station or NO_STATION, []).append(alarm)
    subject = f"{product}: {_plural(len(alarms), 'alarm')} at {_plural(len(by_station), 'station')}"
    severities = sorted({a.severity for a in alarms}, key=severity_rank)
    counts = ", ".join(f"{sum(1 for a in alarms if a.severity == s)} {s}" for s in severities)
    lines = [f"{_plural(len(alarms), 'alarm')} were raised ({counts}).", ""]
    for station in sorted(by_station, key=lambda name: (name == NO_STATION, name.lower())):
        rows = sorted(
            by_station[station],
            key=lambda a: (severity_rank(a.severity), a.charge_point, a.connector_id),
        )
        lines += [f"{station} ({_plural(len(rows), 'alarm')})", "-" * min(len(station) + 12, 72)]
        for alarm in rows:
            codes = _codes(alarm)
            lines.append(
                f"- {_where(alarm)}: {cause_label(alarm.cause)}, {alarm.severity}, "
                f"{alarm.raised_at}" + (f", {codes}" if codes else "")
            )
            if alarm.readable_cause:
                lines.append(f"  {alarm.readable_cause}")
            lines.append(f"  {alarm_link(base_url, alarm.alarm_id)}")
        lines.append("")
    return MailText(subject, "\n".join(lines))
