"""The text of alarm e-mails: one alarm in full, or a digest grouped by station.

A single alarm's mail says everything the charger said (OCPP error code, info, vendor id and
vendor error code) and the operator's readable cause; a digest lists each alarm on a few
lines under its station, most severe first, so a site-wide outage reads as one mail.

The words are the reader's (`core.i18n.tr`: the digest job writes each recipient's mail as
them); what the charger sent, names and links stay as they are.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from ccms_app.core.i18n import N_, gettext, reader_language, tr
from ccms_app.maintenance.rules.alarm_causes import cause_label
from ccms_app.maintenance.rules.alarm_rules import severity_rank

NO_STATION = N_("No station")


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


def _word(value: str) -> str:
    """A stored value the catalog words ("major", "open", a cause's label) in the reader's
    language."""
    return gettext(reader_language(), value)


def _cause(alarm: MailAlarm) -> str:
    return _word(cause_label(alarm.cause))


def _where(alarm: MailAlarm) -> str:
    if alarm.connector_id == 0:
        return tr("{charge_point} charge point", charge_point=alarm.charge_point)
    return tr(
        "{charge_point} connector {connector}",
        charge_point=alarm.charge_point,
        connector=alarm.connector_id,
    )


def _station(name: str) -> str:
    return name if name and name != NO_STATION else _word(NO_STATION)


def _codes(alarm: MailAlarm) -> list[str]:
    """What the charger said, as sent (none when it said nothing beyond the cause)."""
    parts = []
    if alarm.error_code and alarm.error_code != "NoError":
        parts.append(tr("error code {code}", code=alarm.error_code))
    if alarm.vendor_error_code:
        code = alarm.vendor_error_code
        if alarm.vendor_id:
            parts.append(tr("vendor code {code} ({vendor})", code=code, vendor=alarm.vendor_id))
        else:
            parts.append(tr("vendor code {code}", code=code))
    if alarm.info:
        parts.append(tr("info {info}", info=repr(alarm.info)))
    return parts


def _width(text: str) -> int:
    """Columns `text` takes in a fixed-width font (a Chinese character takes two)."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _facts(rows: Sequence[tuple[str, str]]) -> list[str]:
    """ "Label:  value" lines, the values in one column after the longest label."""
    column = max(_width(label) for label, _value in rows) + 1
    return [f"{label}{' ' * (column - _width(label))}{value}" for label, value in rows]


def single_mail(alarm: MailAlarm, base_url: str, product: str = "CCMS") -> MailText:
    """The mail of one alarm, with every code the charger sent; the subject starts with the
    product name (the brand's)."""
    cause, severity, where = _cause(alarm), _word(alarm.severity), _where(alarm)
    subject = tr(
        "{product}: {cause} at {where} ({severity})",
        product=product,
        cause=cause,
        where=where,
        severity=severity,
    )
    facts = [
        (tr("Raised:"), alarm.raised_at),
        (tr("Status:"), _word(alarm.status)),
        (tr("OCPP error code:"), alarm.error_code or "-"),
        (tr("Info:"), alarm.info or "-"),
        (tr("Vendor:"), alarm.vendor_id or "-"),
        (tr("Vendor error code:"), alarm.vendor_error_code or "-"),
        (tr("Readable cause:"), alarm.readable_cause or "-"),
    ]
    if alarm.detail:
        facts.append((tr("Detail:"), alarm.detail))
    lines = [
        tr(
            "{cause} ({severity}) at {where}, {station}.",
            cause=cause,
            severity=severity,
            where=where,
            station=_station(alarm.station),
        ),
        "",
        *_facts(facts),
        "",
        tr("Open the alarm: {link}", link=alarm_link(base_url, alarm.alarm_id)),
        "",
    ]
    return MailText(subject, "\n".join(lines))


def _station_heading(station: str, count: int) -> str:
    if count == 1:
        return tr("{station} (1 alarm)", station=_station(station))
    return tr("{station} ({count} alarms)", station=_station(station), count=count)


def digest_mail(alarms: Sequence[MailAlarm], base_url: str, product: str = "CCMS") -> MailText:
    """One mail for many alarms: a count in the subject, the alarms grouped by station."""
    if len(alarms) == 1:
        return single_mail(alarms[0], base_url, product)
    by_station: dict[str, list[MailAlarm]] = {}
    for alarm in alarms:
        by_station.setdefault(alarm.station or NO_STATION, []).append(alarm)
    if len(by_station) == 1:
        subject = tr("{product}: {count} alarms at 1 station", product=product, count=len(alarms))
    else:
        subject = tr(
            "{product}: {count} alarms at {stations} stations",
            product=product,
            count=len(alarms),
            stations=len(by_station),
        )
    severities = sorted({a.severity for a in alarms}, key=severity_rank)
    counts = ", ".join(
        tr(
            "{count} {severity}",
            count=sum(1 for a in alarms if a.severity == s),
            severity=_word(s),
        )
        for s in severities
    )
    lines = [tr("{count} alarms were raised ({counts}).", count=len(alarms), counts=counts), ""]
    for station in sorted(by_station, key=lambda name: (name == NO_STATION, name.lower())):
        rows = sorted(
            by_station[station],
            key=lambda a: (severity_rank(a.severity), a.charge_point, a.connector_id),
        )
        underline = "-" * min(_width(_station(station)) + 12, 72)
        lines += [_station_heading(station, len(rows)), underline]
        for alarm in rows:
            facts = [_cause(alarm), _word(alarm.severity), alarm.raised_at, *_codes(alarm)]
            lines.append(f"- {_where(alarm)}: {', '.join(facts)}")
            if alarm.readable_cause:
                lines.append(f"  {alarm.readable_cause}")
            lines.append(f"  {alarm_link(base_url, alarm.alarm_id)}")
        lines.append("")
    return MailText(subject, "\n".join(lines))
