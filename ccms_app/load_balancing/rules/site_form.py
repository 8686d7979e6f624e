"""A load site, a node of its tree, a member charge point, a time plan or a priority rule as
the operator types it: every field checked, every error at once.

Pure. Values arrive as the web form's strings or as the REST API's JSON values (numbers,
booleans, null); "" and None both mean "not given". What needs the database (does the
station exist, is the charge point in scope, is the parent in the same site) is the use
case's question: here ids only have to be ids. Each check raises `FormError` whose `errors`
maps each wrong field to what is wrong with it, in the words the operator reads (in the
reader's language: `core.i18n.tr`; English for the REST API).

Bounds are those of real installations: a grid connection up to 10,000 A per phase or
10,000 kW; a car's minimum current 0..63 A (IEC 61851 AC); a charger's connector up to 500 A
(high-power DC).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ccms_app.core.i18n import N_, tr
from ccms_app.load_balancing.rules import plans, wiring
from ccms_app.load_balancing.rules.limits import amps, kw_to_phase_da

MAX_NAME = 200
MAX_LABEL = 200
MAX_ID = 2**63 - 1
MAX_LIMIT_A = 10_000.0
MAX_LIMIT_KW = 10_000.0
MAX_MIN_CURRENT_A = 63.0
MIN_THRESHOLD_A, MAX_THRESHOLD_A = 0.1, 32.0
MIN_VALIDITY_S, MAX_VALIDITY_S = 60, 86_400
MIN_MAX_AGE_S, MAX_MAX_AGE_S = 10, 86_400
MAX_CONNECTOR_A = 500.0
MAX_PRIORITY = 1_000
MAX_ID_TAG = 20

STRATEGY_LABELS = {
    "static": N_("Static (a fixed total)"),
    "dynamic": N_("Dynamic (less the building)"),
}
NODE_KIND_LABELS = {"grid": N_("Grid connection"), "panel": N_("Panel"), "circuit": N_("Circuit")}
CURRENT_TYPES = ("AC", "DC")
PRIORITY_KIND_LABELS = {
    "user_group": N_("User group"),
    "membership_plan": N_("Membership plan"),
    "id_tag": N_("Id tag"),
    "charge_point": N_("Charge point"),
}
SECONDS = "seconds"  # an integer field's unit
TRUE_WORDS = ("true", "yes", "1", "on")
FALSE_WORDS = ("false", "no", "0", "off")


class FormError(ValueError):
    """`errors` maps each wrong field to what is wrong with it."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = dict(errors)


class _Reader:
    """Reads a form's fields, collecting every error instead of stopping at the first."""

    def __init__(self, form: Mapping[str, Any]) -> None:
        self.form = form
        self.errors: dict[str, str] = {}

    def raw(self, name: str) -> Any:
        """The value given (stripped text), or None when the field is missing or empty."""
        value = self.form.get(name)
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def text(self, name: str, limit: int, missing: str = "") -> str:
        value = self.raw(name)
        text = "" if value is None else str(value)
        if len(text) > limit:
            self.fail(
                name,
                tr("At most {limit} characters ({given} given).", limit=limit, given=len(text)),
            )
        elif not text and missing:
            self.fail(name, missing)
        return text

    def number(
        self, name: str, low: float, high: float, unit: str, *, above: bool = False
    ) -> float | None:
        """A number within [low, high] (with `above`: more than low); None when not given."""
        value = self.raw(name)
        if value is None:
            return None
        try:
            if isinstance(value, bool):
                raise ValueError
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            self.fail(
                name,
                tr(
                    "Give a number of {unit} ({given} given).",
                    unit=unit,
                    given=repr(str(value)[:40]),
                ),
            )
            return None
        if number != number or (number <= low if above else number < low) or number > high:
            bounds = {"low": _fmt(low), "high": _fmt(high), "unit": unit, "given": _fmt(number)}
            if above:
                message = tr(
                    "Give more than {low} and at most {high} {unit} ({given} given).", **bounds
                )
            else:
                message = tr(
                    "Give at least {low} and at most {high} {unit} ({given} given).", **bounds
                )
            self.fail(name, message)
            return None
        return number

    def integer(self, name: str, low: int, high: int, unit: str = "") -> int | None:
        value = self.raw(name)
        if value is None:
            return None
        text = str(value)
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            number = None
        else:
            try:
                number = int(value) if isinstance(value, (int, float)) else int(text, 10)
            except ValueError:
                number = None
        if number is None:
            self.fail(name, tr("Give a whole number ({given} given).", given=repr(text[:40])))
            return None
        if not low <= number <= high:
            bounds = {"low": low, "high": high, "given": number}
            if unit == SECONDS:
                message = tr("Give {low} to {high} seconds ({given} given).", **bounds)
            else:
                message = tr("Give {low} to {high} ({given} given).", **bounds)
            self.fail(name, message)
            return None
        return number

    def ident(self, name: str, missing: str = "") -> int | None:
        found = self.integer(name, 1, MAX_ID)
        if found is None and missing and name not in self.errors:
            self.fail(name, missing)
        return found

    def flag(self, name: str, default: bool) -> bool:
        value = self.raw(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        word = str(value).lower()
        if word in TRUE_WORDS or word in FALSE_WORDS:
            return word in TRUE_WORDS
        self.fail(name, tr("Yes or no."))
        return default

    def choice(self, name: str, choices: tuple[str, ...], default: str = "") -> str:
        value = self.raw(name)
        text = default if value is None else str(value)
        if text not in choices:
            if text:
                message = tr(
                    "Choose one of {choices} ({given} given).",
                    choices=", ".join(choices),
                    given=repr(text[:40]),
                )
            else:
                message = tr("Choose one of {choices} (nothing given).", choices=", ".join(choices))
            self.fail(name, message)
        return text

    def checked(self, name: str, check: Any, default: str) -> str:
        """A text field checked by one of helper rules' `check_*` (ValueError names it)."""
        value = self.raw(name)
        text = default if value is None else str(value)
        try:
            return str(check(text))
        except ValueError as exc:
            message = str(exc)
            self.fail(name, message[:1].upper() + message[1:].rstrip(".") + ".")
            return text

    def done(self) -> None:
        if self.errors:
            raise FormError(self.errors)


def valid_id(form: Mapping[str, Any], name: str) -> int | None:
    """The field's id if it is one (the use case checks it exists even when other fields of
    the form are wrong, so every error is named at once)."""
    read = _Reader(form)
    return read.ident(name)


def _fmt(number: float) -> str:
    return f"{number:g}" if abs(number) < 1e15 else f"{number:.3g}"


@dataclass(frozen=True)
class Limits:
    limit_a: float | None  # per phase
    limit_kw: float | None  # three-phase
    margin_a: float


def _limits(read: _Reader, required: bool) -> Limits:
    """A node's limits: each one positive and sane, the margin below both."""
    limit_a = read.number("limit_a", 0, MAX_LIMIT_A, "A", above=True)
    limit_kw = read.number("limit_kw", 0, MAX_LIMIT_KW, "kW", above=True)
    margin = read.number("margin_a", 0, MAX_LIMIT_A, "A")
    margin_a = 0.0 if margin is None else margin
    given = read.raw("limit_a") is not None or read.raw("limit_kw") is not None
    if required and not given:
        read.fail(
            "limit_a", tr("Give the grid connection a current limit (A) or a power limit (kW).")
        )
    if limit_a is not None and margin_a >= limit_a:
        read.fail(
            "margin_a",
            tr("The margin must stay below the limit of {limit} A.", limit=_fmt(limit_a)),
        )
    if limit_kw is not None:
        kw_a = amps(kw_to_phase_da(limit_kw))
        if margin_a >= kw_a:
            read.fail(
                "margin_a",
                tr(
                    "The margin must stay below the {limit} kW limit ({amps} A per phase).",
                    limit=_fmt(limit_kw),
                    amps=_fmt(kw_a),
                ),
            )
    return Limits(limit_a, limit_kw, margin_a)


@dataclass(frozen=True)
class SiteValues:
    station_id: int
    name: str
    strategy: str
    enabled: bool
    min_current_a: float
    change_threshold_a: float
    profile_validity_s: int
    meter_charge_point_id: int | None
    meter_connector_id: int
    building_load_max_age_s: int
    limits: Limits


SITE_FIELDS = (
    "station_id", "name", "strategy", "enabled", "min_current_a", "change_threshold_a",
    "profile_validity_s", "meter_charge_point_id", "meter_connector_id",
    "building_load_max_age_s", "limit_a", "limit_kw", "margin_a",
)  # fmt: skip


def check_site(form: Mapping[str, Any]) -> SiteValues:
    """The site the form describes (missing settings take their defaults)."""
    read = _Reader(form)
    station_id = read.ident("station_id", tr("Choose the station whose grid connection this is."))
    name = read.text("name", MAX_NAME, tr("Give the site a name."))
    strategy = read.choice("strategy", tuple(STRATEGY_LABELS), "static")
    enabled = read.flag("enabled", True)
    min_current = read.number("min_current_a", 0, MAX_MIN_CURRENT_A, "A")
    threshold = read.number("change_threshold_a", MIN_THRESHOLD_A, MAX_THRESHOLD_A, "A")
    validity = read.integer("profile_validity_s", MIN_VALIDITY_S, MAX_VALIDITY_S, SECONDS)
    meter = read.ident("meter_charge_point_id")
    meter_connector = read.integer("meter_connector_id", 0, 100)
    max_age = read.integer("building_load_max_age_s", MIN_MAX_AGE_S, MAX_MAX_AGE_S, SECONDS)
    limits = _limits(read, required=True)
    read.done()
    return SiteValues(
        station_id=station_id or 0,
        name=name,
        strategy=strategy,
        enabled=enabled,
        min_current_a=6.0 if min_current is None else min_current,
        change_threshold_a=1.0 if threshold is None else threshold,
        profile_validity_s=600 if validity is None else validity,
        meter_charge_point_id=meter,
        meter_connector_id=meter_connector or 0,
        building_load_max_age_s=300 if max_age is None else max_age,
        limits=limits,
    )


@dataclass(frozen=True)
class NodeValues:
    name: str
    kind: str
    parent_id: int | None
    limits: Limits
    position: int | None


NODE_FIELDS = ("name", "kind", "parent_id", "limit_a", "limit_kw", "margin_a", "position")


def check_node(form: Mapping[str, Any], root: bool) -> NodeValues:
    """A node of the tree: the root is the grid connection (no parent, a limit required);
    every other node is a panel or circuit below a parent. A child's limit may exceed its
    parent's: the parent's still counts for everything below it."""
    read = _Reader(form)
    name = read.text("name", MAX_NAME, tr("Give the node a name (e.g. Panel A)."))
    if root:
        kind = read.choice("kind", ("grid",), "grid")
        parent_id = None
        if read.raw("parent_id") is not None:
            read.fail(
                "parent_id", tr("The grid connection is the root of the tree: it has no parent.")
            )
    else:
        kind = read.choice("kind", ("panel", "circuit"), "circuit")
        parent_id = read.ident("parent_id", tr("Choose the node this one hangs under."))
    limits = _limits(read, required=root)
    position = read.integer("position", 0, 10_000)
    read.done()
    return NodeValues(name, kind, parent_id, limits, position)


@dataclass(frozen=True)
class MemberValues:
    node_id: int
    charge_point_id: int
    phase_rotation: str
    current_type: str
    min_current_a: float | None
    max_current_a: float
    fallback_current_a: float
    priority: int


MEMBER_FIELDS = (
    "node_id", "charge_point_id", "phase_rotation", "current_type", "min_current_a",
    "max_current_a", "fallback_current_a", "priority",
)  # fmt: skip


def check_member(form: Mapping[str, Any]) -> MemberValues:
    """A charge point in the tree: its wiring and what each connector may draw per phase
    (0 <= min <= max <= 500 A; the fallback, sent for when CCMS is away, at most the max)."""
    read = _Reader(form)
    node_id = read.ident("node_id", tr("Choose the node the charge point hangs under."))
    charge_point_id = read.ident("charge_point_id", tr("Choose the charge point."))
    rotation = read.checked("phase_rotation", wiring.check_rotation, "L1L2L3")
    current_type = read.choice("current_type", CURRENT_TYPES, "AC")
    min_a = read.number("min_current_a", 0, MAX_CONNECTOR_A, "A")
    max_given = read.number("max_current_a", 0, MAX_CONNECTOR_A, "A", above=True)
    fallback_given = read.number("fallback_current_a", 0, MAX_CONNECTOR_A, "A")
    max_a = 32.0 if max_given is None else max_given
    fallback_a = min(6.0, max_a) if fallback_given is None else fallback_given
    if min_a is not None and min_a > max_a and "max_current_a" not in read.errors:
        read.fail(
            "min_current_a",
            tr("The minimum may not exceed the maximum ({maximum} A).", maximum=_fmt(max_a)),
        )
    if fallback_a > max_a and "max_current_a" not in read.errors:
        read.fail(
            "fallback_current_a",
            tr("The fallback may not exceed the maximum ({maximum} A).", maximum=_fmt(max_a)),
        )
    priority = read.integer("priority", -MAX_PRIORITY, MAX_PRIORITY)
    read.done()
    return MemberValues(
        node_id=node_id or 0,
        charge_point_id=charge_point_id or 0,
        phase_rotation=rotation,
        current_type=current_type,
        min_current_a=min_a,
        max_current_a=max_a,
        fallback_current_a=fallback_a,
        priority=priority or 0,
    )


@dataclass(frozen=True)
class PlanValues:
    name: str
    priority: int
    weekdays: str
    start_time: str
    end_time: str
    limit_a: float | None
    limit_kw: float | None
    enabled: bool


PLAN_FIELDS = (
    "name", "priority", "weekdays", "start_time", "end_time", "limit_a", "limit_kw", "enabled",
)  # fmt: skip


def check_plan(form: Mapping[str, Any]) -> PlanValues:
    """A time plan: a site limit on some weekdays between two local times (end before
    start: over midnight; start == end: all day)."""
    read = _Reader(form)
    name = read.text("name", MAX_NAME, tr("Give the plan a name (e.g. Office hours)."))
    priority = read.integer("priority", -MAX_PRIORITY, MAX_PRIORITY)
    weekdays = read.checked("weekdays", plans.check_weekdays, "1234567")
    start = read.checked("start_time", plans.check_time, "00:00")
    end = read.checked("end_time", plans.check_time, "00:00")
    limit_a = read.number("limit_a", 0, MAX_LIMIT_A, "A", above=True)
    limit_kw = read.number("limit_kw", 0, MAX_LIMIT_KW, "kW", above=True)
    if read.raw("limit_a") is None and read.raw("limit_kw") is None:
        read.fail("limit_a", tr("Give the plan's limit: a current (A) or a power (kW)."))
    enabled = read.flag("enabled", True)
    read.done()
    return PlanValues(name, priority or 0, weekdays, start, end, limit_a, limit_kw, enabled)


@dataclass(frozen=True)
class PriorityValues:
    kind: str
    ref: str  # a group, plan or charge point id as digits, or the id tag itself
    priority: int
    label: str


PRIORITY_FIELDS = ("kind", "ref", "priority", "label")


def check_priority(form: Mapping[str, Any]) -> PriorityValues:
    """A priority rule: sessions matching `kind` / `ref` are served first (higher first)."""
    read = _Reader(form)
    kind = read.choice("kind", tuple(PRIORITY_KIND_LABELS))
    if kind == "id_tag":
        ref = read.text("ref", MAX_ID_TAG, tr("Give the id tag (1 to 20 characters)."))
    else:
        found = read.ident("ref", tr("Give the id of what the rule matches."))
        ref = "" if found is None else str(found)
    priority = read.integer("priority", -MAX_PRIORITY, MAX_PRIORITY)
    label = read.text("label", MAX_LABEL)
    read.done()
    return PriorityValues(kind, ref, 1 if priority is None else priority, label)
