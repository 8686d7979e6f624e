"""The Load Balancing pages' strings: currents with their unit, per-phase figures, times in
the station's zone (core.display), each list row as a dict of text. Formatted once on the
server, in the reader's language (the event's: `core.i18n.tr`), so the page only places them;
words a row keeps as N_ message ids the page translates itself (`t_var`)."""

from __future__ import annotations

import json
from datetime import datetime

from ccms_app.core.display import MISSING, format_time
from ccms_app.core.i18n import N_, tr
from ccms_app.load_balancing.live_view import ConnectorLive, DecisionView, PhaseFigures, SiteLive
from ccms_app.load_balancing.plan_admin import PlanView, PriorityView
from ccms_app.load_balancing.rules.allocation import reason_text
from ccms_app.load_balancing.rules.site_form import CURRENT_TYPES as CURRENT_TYPE_NAMES
from ccms_app.load_balancing.rules.site_form import (
    NODE_KIND_LABELS,
    PRIORITY_KIND_LABELS,
    STRATEGY_LABELS,
)
from ccms_app.load_balancing.site_admin import SiteView
from ccms_app.load_balancing.tree_admin import MemberView, NodeView

STRATEGIES = list(STRATEGY_LABELS.items())
NODE_KINDS = [(k, v) for k, v in NODE_KIND_LABELS.items() if k != "grid"]
CURRENT_TYPES = [(t, t) for t in CURRENT_TYPE_NAMES]
ROTATIONS = [
    ("L1L2L3", N_("L1L2L3 (three-phase, straight)")),
    ("L2L3L1", N_("L2L3L1 (rotated once)")),
    ("L3L1L2", N_("L3L1L2 (rotated twice)")),
    ("L1", N_("L1 (single-phase)")),
    ("L2", N_("L2 (single-phase)")),
    ("L3", N_("L3 (single-phase)")),
]
PRIORITY_KINDS = list(PRIORITY_KIND_LABELS.items())
WEEKDAY_NAMES = [N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun")]
# The charger's answer to a charging profile (a command's status), where English reads as
# stored; another (timed_out) is shown as stored.
PROFILE_ANSWERS = {
    "requested": N_("requested"),
    "sent": N_("sent"),
    "accepted": N_("accepted"),
    "rejected": N_("rejected"),
    "failed": N_("failed"),
    "offline": N_("offline"),
}
# The controller's triggers (LoadDecision.trigger, stored in English; the pages show them
# with t_var). Marked here for the catalogs: the worker and controller name them.
TRIGGERS = (
    # i18n: a load balancing decision's trigger: the controller started
    N_("start"),
    N_("periodic"),
    N_("meter values"),
    N_("transaction started"),
    N_("transaction ended"),
    N_("charger booted"),
    N_("charger online"),
    N_("charger offline"),
    N_("building load"),
    N_("configuration"),
    N_("plan switch"),
)


def amps(value: float | None) -> str:
    return MISSING if value is None else f"{value:.1f} A"


def number(value: float | int | None) -> str:
    """A form field's text: empty for none, no trailing ".0"."""
    if value is None:
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value)


def limit_text(limit_a: float | None, limit_kw: float | None, margin_a: float = 0.0) -> str:
    """ "63 A / 40 kW, margin 2 A" (what is set; "no limit" when nothing is)."""
    parts = [
        f"{limit_a:g} A" if limit_a is not None else "",
        f"{limit_kw:g} kW" if limit_kw is not None else "",
    ]
    text = " / ".join(p for p in parts if p) or tr("no limit")
    if not margin_a:
        return text
    margin = f"{margin_a:g}"
    return tr("{limit}, margin {margin} A", limit=text, margin=margin)


def phases(figures: PhaseFigures) -> dict[str, str]:
    """L1..L3 of a PhaseFigures, and the highest (what a fuse sees)."""
    values = (figures.l1, figures.l2, figures.l3)
    return {
        "l1": amps(values[0]),
        "l2": amps(values[1]),
        "l3": amps(values[2]),
        "max": amps(max(values)),
    }


def phases_line(figures: PhaseFigures) -> str:
    return f"{figures.l1:.1f} / {figures.l2:.1f} / {figures.l3:.1f} A"


def when(value: datetime | None, zone: str, now: datetime) -> str:
    return format_time(value, zone, now) if value is not None else ""


def weekdays_text(digits: str) -> str:
    """ "12345" -> "Mon-Fri"; "1234567" -> "every day"; else the names."""
    days = sorted({int(d) for d in digits if d.isdigit() and 1 <= int(d) <= 7})
    if days == list(range(1, 8)):
        return tr("every day")
    names = [tr(WEEKDAY_NAMES[d - 1]) for d in days]
    if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        return f"{names[0]}-{names[-1]}"
    return ", ".join(names) or tr("no day")


def site_row(site: SiteView, live: SiteLive | None) -> dict[str, str]:
    """One site of the list; the live figures when the controller has decided once."""
    row = {
        "id": str(site.id),
        "name": site.name,
        "station": site.station_name,
        "strategy": site.strategy,
        "limit": limit_text(site.limit_a, site.limit_kw, site.margin_a),
        "enabled": N_("enabled") if site.enabled else N_("disabled"),
        "building": MISSING,
        "allocated": MISSING,
        "cars": MISSING,
    }
    if live is not None:
        row["building"] = (
            phases(live.building)["max"] if site.strategy == "dynamic" else N_("not used")
        )
        row["allocated"] = phases_line(live.allocated)
        row["cars"] = f"{live.cars} / {live.capped}"
    return row


def _session_text(transaction_id: int | None, id_tag: str) -> str:
    """ "#12 · FLEET-0001"; a dash without a running transaction."""
    if transaction_id is None:
        return MISSING
    return f"#{transaction_id} · {id_tag}" if id_tag else f"#{transaction_id}"


def connector_row(c: ConnectorLive, zone: str, now: datetime) -> dict[str, str]:
    return {
        "id": f"{c.charge_point_id}-{c.connector_id}",
        "charge_point": c.identity,
        "connector": str(c.connector_id),
        "session": _session_text(c.transaction_id, c.id_tag),
        "priority": str(c.priority),
        "allocated": amps(c.allocated_a),
        "measured": amps(c.measured_a),
        "sent": amps(c.sent_a),
        "profile": tr(PROFILE_ANSWERS[c.profile_status])
        if c.profile_status in PROFILE_ANSWERS
        else c.profile_status or MISSING,
        "valid_until": when(c.valid_until, zone, now),
        "reason": reason_text(c.reason),
        "capped": "yes" if c.reason else "",
        "online": "online" if c.online else "offline",
    }


def node_row(n: NodeView) -> dict[str, str]:
    return {
        "id": str(n.id),
        "parent_id": str(n.parent_id) if n.parent_id is not None else "",
        "kind": n.kind,
        "name": n.name,
        "depth": str(n.depth),
        "indent": f"{min(n.depth, 6) * 20}px",
        "limit": limit_text(n.limit_a, n.limit_kw, n.margin_a),
        "root": "yes" if n.parent_id is None else "",
    }


def node_values(n: NodeView) -> dict[str, str]:
    return {
        "parent_id": str(n.parent_id) if n.parent_id is not None else "",
        "kind": n.kind,
        "name": n.name,
        "limit_a": number(n.limit_a),
        "limit_kw": number(n.limit_kw),
        "margin_a": number(n.margin_a),
    }


def member_row(m: MemberView) -> dict[str, str]:
    low = tr("site minimum") if m.min_current_a is None else amps(m.min_current_a)
    return {
        "id": str(m.id),
        "identity": m.identity,
        "node": m.node_name,
        "rotation": m.phase_rotation,
        "type": m.current_type,
        "currents": f"{low} - {amps(m.max_current_a)}",
        "fallback": amps(m.fallback_current_a),
        "priority": str(m.priority),
    }


def member_values(m: MemberView) -> dict[str, str]:
    return {
        "node_id": str(m.node_id),
        "charge_point_id": str(m.charge_point_id),
        "phase_rotation": m.phase_rotation,
        "current_type": m.current_type,
        "min_current_a": number(m.min_current_a),
        "max_current_a": number(m.max_current_a),
        "fallback_current_a": number(m.fallback_current_a),
        "priority": number(m.priority),
    }


def plan_row(p: PlanView) -> dict[str, str]:
    return {
        "id": str(p.id),
        "name": p.name,
        "days": weekdays_text(p.weekdays),
        "hours": N_("all day") if p.start_time == p.end_time else f"{p.start_time}-{p.end_time}",
        "limit": limit_text(p.limit_a, p.limit_kw),
        "priority": str(p.priority),
        "enabled": N_("enabled") if p.enabled else N_("disabled"),
    }


def plan_values(p: PlanView) -> dict[str, str]:
    return {
        "name": p.name,
        "weekdays": p.weekdays,
        "start_time": p.start_time,
        "end_time": p.end_time,
        "limit_a": number(p.limit_a),
        "limit_kw": number(p.limit_kw),
        "priority": number(p.priority),
        "enabled": "true" if p.enabled else "false",
    }


def priority_row(p: PriorityView) -> dict[str, str]:
    return {
        "id": str(p.id),
        "kind": PRIORITY_KIND_LABELS.get(p.kind, p.kind),
        "ref": p.ref_name or p.ref,
        "priority": str(p.priority),
        "label": p.label or MISSING,
    }


def priority_values(p: PriorityView) -> dict[str, str]:
    return {"kind": p.kind, "ref": p.ref, "priority": number(p.priority), "label": p.label}


def decision_row(d: DecisionView, zone: str, now: datetime) -> dict[str, str]:
    return {
        "id": str(d.id),
        "at": when(d.decided_at, zone, now),
        "trigger": d.trigger,
        "limit": phases_line(d.limit),
        "building": phases_line(d.building),
        "allocated": phases_line(d.allocated),
        "cars": str(d.cars),
        "capped": str(d.capped),
        "took": f"{d.duration_ms:.1f} ms",
        "detail": json.dumps(d.detail, indent=2, sort_keys=True, default=str),
    }


def site_values(s: SiteView) -> dict[str, str]:
    """The settings form, as the site is now."""
    return {
        "name": s.name,
        "strategy": s.strategy,
        "enabled": "true" if s.enabled else "false",
        "limit_a": number(s.limit_a),
        "limit_kw": number(s.limit_kw),
        "margin_a": number(s.margin_a),
        "min_current_a": number(s.min_current_a),
        "change_threshold_a": number(s.change_threshold_a),
        "profile_validity_s": number(s.profile_validity_s),
        "meter_charge_point_id": str(s.meter_charge_point_id or ""),
        "meter_connector_id": number(s.meter_connector_id),
        "building_load_max_age_s": number(s.building_load_max_age_s),
    }
