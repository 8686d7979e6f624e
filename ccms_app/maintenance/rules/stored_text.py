"""CCMS's own sentences that the database keeps in English (an alarm's timeline, its close
reason and detail, a work order's history), worded in the reader's language where a page
shows them.

The rows stay English: every reader, the CSV exports and the REST API read the same row. Each
sentence CCMS writes is read back here from its English wording and worded again with `tr`
(the reader's language, set by the event gate). What a person typed (a comment, a reason, a
note) and what a charger said (statuses, codes, its info) stay as they are; a text no pattern
reads is shown as stored. English comes out exactly as stored.

Pure: no database here; the sentences' writers are maintenance.alarms (raising, recovery,
sweep, actions), maintenance.notifications.digest ("notified") and
maintenance.work_orders (creation, lifecycle, records, photos, verification, alarm_hook).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ccms_app.core.i18n import gettext, reader_language, tr
from ccms_app.maintenance.rules.alarm_admin import EXCLUSION_REASONS, exclusion_label
from ccms_app.maintenance.rules.alarm_causes import (
    CAUSE_LABELS,
    DIAGNOSTICS_FAILED,
    FAILED_STARTS,
    FIRMWARE_FAILED,
    OFFLINE,
)

Rewording = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]


def _label(text: str) -> str:
    """A label marked with N_ elsewhere (a cause, an exclusion reason) in the reader's words."""
    return gettext(reader_language(), text)


def _first(rewordings: tuple[Rewording, ...], text: str) -> str | None:
    for pattern, reworded in rewordings:
        found = pattern.fullmatch(text)
        if found is not None:
            return reworded(found)
    return None


# --- how an alarm recovered ("what" of maintenance.alarms.recovery.recover) --------------------

_RECOVERIES: tuple[Rewording, ...] = (
    (re.compile(r"back online"), lambda m: tr("back online")),
    (re.compile(r"data issues resolved"), lambda m: tr("data issues resolved")),
    (
        re.compile(r"a transaction started and charged"),
        lambda m: tr("a transaction started and charged"),
    ),
    (
        re.compile(r"transaction (\S+) charged (\S+) Wh"),
        lambda m: tr("transaction {id} charged {energy} Wh", id=m[1], energy=m[2]),
    ),
    (
        re.compile(r"firmware status (.+)", re.DOTALL),
        lambda m: tr("firmware status {status}", status=m[1]),
    ),
    (
        re.compile(r"diagnostics status (.+)", re.DOTALL),
        lambda m: tr("diagnostics status {status}", status=m[1]),
    ),
    (re.compile(r"status (.+)", re.DOTALL), lambda m: tr("status {status}", status=m[1])),
)


def recovery_text(what: str) -> str:
    """ "status Available", "back online", ... in the reader's words."""
    found = _first(_RECOVERIES, what)
    return what if found is None else found


_RECOVERED = re.compile(r"recovered: (.*)", re.DOTALL)


def close_reason_text(reason: str) -> str:
    """An alarm's close reason: CCMS's "recovered: ..." reworded, a person's reason as typed."""
    found = _RECOVERED.fullmatch(reason)
    if found is None:
        return reason
    return tr("recovered: {what}", what=recovery_text(found[1]))


# --- an alarm's detail (what the engine says about it) -----------------------------------------

_MORE_UNRESOLVED = re.compile(r"(.*) \(\+(\d+) more unresolved\)", re.DOTALL)
_DETAILS: dict[str, tuple[Rewording, ...]] = {
    OFFLINE: (
        (
            re.compile(r"no connection for more than (\d+) s"),
            lambda m: tr("no connection for more than {seconds} s", seconds=m[1]),
        ),
    ),
    FAILED_STARTS: (
        (
            re.compile(r"(\d+) failed transaction starts in a row"),
            lambda m: tr("{count} failed transaction starts in a row", count=m[1]),
        ),
    ),
    FIRMWARE_FAILED: _RECOVERIES,
    DIAGNOSTICS_FAILED: _RECOVERIES,
}


def detail_text(cause: str, detail: str) -> str:
    """An alarm's detail: the engine's sentences reworded; a charger's or a data issue's own
    text stays as it came."""
    found = _first(_DETAILS.get(cause, ()), detail)
    if found is not None:
        return found
    more = _MORE_UNRESOLVED.fullmatch(detail)
    if more is not None:
        return tr("{detail} (+{count} more unresolved)", detail=more[1], count=more[2])
    return detail


# --- the alarm's timeline (AlarmActivity.text) -------------------------------------------------

_CAUSE_OF_LABEL = {label: cause for cause, label in CAUSE_LABELS.items()}
_RAISED_PARTS: tuple[Rewording, ...] = (
    (
        re.compile(r"vendor error code (.+)", re.DOTALL),
        lambda m: tr("vendor error code {code}", code=m[1]),
    ),
    (re.compile(r"error code (.+)", re.DOTALL), lambda m: tr("error code {code}", code=m[1])),
    (re.compile(r"info: (.*)", re.DOTALL), lambda m: tr("info: {info}", info=m[1])),
)


def _raised(text: str, cause: str) -> str:
    """ "Connector faulted; error code GroundFailure; info: ..." part by part."""
    parts = text.split("; ")
    shown = []
    for part in parts:
        if part in _CAUSE_OF_LABEL:
            shown.append(_label(part))
            continue
        found = _first(_RAISED_PARTS, part)
        shown.append(found if found is not None else detail_text(cause, part))
    return "; ".join(shown)


_ACTIVITY: dict[str, tuple[Rewording, ...]] = {
    "repeated": (
        (
            re.compile(r"repeated \((\d+) occurrences\)"),
            lambda m: tr("repeated ({count} occurrences)", count=m[1]),
        ),
    ),
    "closed": (
        (
            re.compile(r"recovered: (.*); down (\S+) s", re.DOTALL),
            lambda m: tr(
                "recovered: {what}; down {seconds} s", what=recovery_text(m[1]), seconds=m[2]
            ),
        ),
    ),
    "assigned": (
        (re.compile(r"Assigned to (.*)", re.DOTALL), lambda m: tr("Assigned to {who}", who=m[1])),
    ),
    "notified": (
        (
            re.compile(r"E-mailed to (.*)", re.DOTALL),
            lambda m: tr("E-mailed to {recipients}", recipients=m[1]),
        ),
    ),
}
_EXCLUSION_LABELS = frozenset({*EXCLUSION_REASONS.values(), exclusion_label("")})


def activity_text(kind: str, text: str, cause: str = "") -> str:
    """One line of an alarm's timeline (`kind` as stored: raised, repeated, closed, ...) in
    the reader's words; `cause` is the alarm's (its detail reads by it)."""
    if not text:
        return text
    if kind == "raised":
        return _raised(text, cause)
    if kind in ("excluded", "exclusion_removed") and text in _EXCLUSION_LABELS:
        return _label(text)
    found = _first(_ACTIVITY.get(kind, ()), text)
    return text if found is None else found


# --- a work order's history (WorkOrderEvent.text) ----------------------------------------------

_STAMP = r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)"
_WHY: tuple[Rewording, ...] = (
    (
        re.compile(rf"connector (\d+) reported Faulted( \((.+)\))? again at {_STAMP} UTC"),
        lambda m: (
            tr(
                "connector {connector} reported Faulted ({code}) again at {at} UTC",
                connector=m[1],
                code=m[3],
                at=m[4],
            )
            if m[2]
            else tr(
                "connector {connector} reported Faulted again at {at} UTC", connector=m[1], at=m[4]
            )
        ),
    ),
    (
        re.compile(rf"the charge point reported Faulted( \((.+)\))? again at {_STAMP} UTC"),
        lambda m: (
            tr("the charge point reported Faulted ({code}) again at {at} UTC", code=m[2], at=m[3])
            if m[1]
            else tr("the charge point reported Faulted again at {at} UTC", at=m[3])
        ),
    ),
    (
        re.compile(rf"alarm #(\d+) was reopened at {_STAMP} UTC"),
        lambda m: tr("alarm #{id} was reopened at {at} UTC", id=m[1], at=m[2]),
    ),
    (
        re.compile(rf"alarm #(\d+) \((\w+)\) raised again at {_STAMP} UTC"),
        lambda m: tr(
            "alarm #{id} ({cause}) raised again at {at} UTC",
            id=m[1],
            cause=_label(CAUSE_LABELS.get(m[2], m[2])),
            at=m[3],
        ),
    ),
)


def _verification_failed(why: str) -> str:
    found = _first(_WHY, why)
    return tr("verification failed: {why}", why=why if found is None else found)


_HISTORY: dict[str, tuple[Rewording, ...]] = {
    "status": (
        (
            re.compile(r"created \((\w+)\)"),
            lambda m: tr("created ({source})", source=_source(m[1])),
        ),
        (re.compile(r"verified by CCMS"), lambda m: tr("verified by CCMS")),
        (
            re.compile(r"verification failed: (.*)", re.DOTALL),
            lambda m: _verification_failed(m[1]),
        ),
    ),
    "assigned": (
        (re.compile(r"assigned to nobody"), lambda m: tr("assigned to nobody")),
        (re.compile(r"assigned to (.*)", re.DOTALL), lambda m: tr("assigned to {who}", who=m[1])),
    ),
    "note": (
        (
            re.compile(r"alarm closed: charger recovered"),
            lambda m: tr("alarm closed: charger recovered"),
        ),
    ),
    "photo": (
        (
            re.compile(r"photo (.*) \(#(\d+)\)", re.DOTALL),
            lambda m: tr("photo {name} (#{id})", name=m[1], id=m[2]),
        ),
    ),
    "part": (
        (
            re.compile(r"(\d+) x (.*)", re.DOTALL),
            lambda m: tr("{count} x {part}", count=m[1], part=m[2]),
        ),
    ),
    "time": (
        (
            re.compile(r"(\d+) min: (.*)", re.DOTALL),
            lambda m: tr("{minutes} min: {note}", minutes=m[1], note=m[2]),
        ),
        (re.compile(r"(\d+) min"), lambda m: tr("{minutes} min", minutes=m[1])),
    ),
}


def _source(source: str) -> str:
    """A WorkOrderSource value as the history's "created (...)" names it."""
    words = {
        "manual": tr("manual"),
        "alarm": tr("alarm"),
        "rule": tr("rule"),
        "plan": tr("plan"),
    }
    return words.get(source, source)


def history_text(kind: str, text: str) -> str:
    """One entry of a work order's history (`kind` as stored) in the reader's words."""
    if not text:
        return text
    found = _first(_HISTORY.get(kind, ()), text)
    return text if found is None else found


# --- a charger event's detail (the event history: network.charge_points, charger_security) ----

_SECURITY_DETAILS: dict[str, Callable[[], str]] = {
    "second connection replaced the live one (network policy: replace)": lambda: tr(
        "second connection replaced the live one (network policy: replace)"
    ),
    "second connection while the first is alive, without a password to prove it": lambda: tr(
        "second connection while the first is alive, without a password to prove it"
    ),
    "no Authorization header; this charge point has a password": lambda: tr(
        "no Authorization header; this charge point has a password"
    ),
    "identity not registered; the network refuses unknown charge points": lambda: tr(
        "identity not registered; the network refuses unknown charge points"
    ),
    "the network requires every charge point to authenticate; this one has no password set": (
        lambda: tr(
            "the network requires every charge point to authenticate; this one has no password set"
        )
    ),
    "wrong password": lambda: tr("wrong password"),
}
_LOOKALIKE = re.compile(r"identity differs only in letter case from charge point (.+)", re.DOTALL)
_NOT_LOGGED = re.compile(
    r"(.*) \(\+(\d+) similar attempts from this address not logged\)", re.DOTALL
)
_FROM = re.compile(r"(.*) from (\S*)", re.DOTALL)


def _security_detail(detail: str) -> str:
    not_logged = _NOT_LOGGED.fullmatch(detail)
    if not_logged is not None:
        return tr(
            "{detail} (+{count} similar attempts from this address not logged)",
            detail=_security_detail(not_logged[1]),
            count=not_logged[2],
        )
    known = _SECURITY_DETAILS.get(detail)
    if known is not None:
        return known()
    lookalike = _LOOKALIKE.fullmatch(detail)
    if lookalike is not None:
        return tr(
            "identity differs only in letter case from charge point {identity}",
            identity=lookalike[1],
        )
    return detail


def event_detail_text(kind: str, detail: str) -> str:
    """A charger event's detail (`kind` of maintenance.events.KINDS): CCMS's sentences (a
    refused connection's reason, "connection closed") reworded, the charger's own as sent."""
    if kind == "disconnected" and detail == "connection closed":
        return tr("connection closed")
    if kind != "security" or not detail:
        return detail
    where = _FROM.fullmatch(detail)
    if where is None:
        return _security_detail(detail)
    return tr("{detail} from {address}", detail=_security_detail(where[1]), address=where[2])


# --- a work order's title and description, when CCMS wrote them (alarm rules, plans) ----------

_TITLE = re.compile(r"(.+?)(?: on connector (\d+))?(?:: (.*))?", re.DOTALL)
_PLAN_TITLE = re.compile(r"Preventive maintenance: (.*)", re.DOTALL)


def title_text(title: str) -> str:
    """A work order's title: "Connector faulted on connector 2: GroundFailure" (an alarm
    rule's, maintenance.work_orders.alarm_hook) and "Preventive maintenance: <plan>" (a
    plan's) reworded; a title a person wrote stays as written."""
    plan = _PLAN_TITLE.fullmatch(title)
    if plan is not None:
        return tr("Preventive maintenance: {plan}", plan=plan[1])
    found = _TITLE.fullmatch(title)
    if found is None or found[1] not in _CAUSE_OF_LABEL:
        return title
    cause, connector, told = _label(found[1]), found[2], found[3]
    if connector and told is not None:
        return tr(
            "{cause} on connector {connector}: {told}", cause=cause, connector=connector, told=told
        )
    if connector:
        return tr("{cause} on connector {connector}", cause=cause, connector=connector)
    if told is not None:
        return tr("{cause}: {told}", cause=cause, told=told)
    return cause


_RAISED_LINE = re.compile(r"Alarm #(\d+) \((\w+)\), raised (\S+ \S+) UTC\.")
_SAID_LINE = re.compile(r"The charger said (.*)\.", re.DOTALL)


def _any_detail(line: str) -> str:
    for cause in _DETAILS:
        shown = detail_text(cause, line)
        if shown != line:
            return shown
    return detail_text("", line)


def description_text(description: str) -> str:
    """A work order's description as an alarm rule wrote it (alarm_hook.alarm_description),
    line by line; a description a person wrote stays as written."""
    lines = description.split("\n")
    first = _RAISED_LINE.fullmatch(lines[0])
    if first is None:
        return description
    shown = [
        tr(
            "Alarm #{id} ({severity}), raised {at} UTC.",
            id=first[1],
            severity=_label(first[2]),
            at=first[3],
        )
    ]
    for line in lines[1:]:
        said = _SAID_LINE.fullmatch(line)
        shown.append(tr("The charger said {what}.", what=said[1]) if said else _any_detail(line))
    return "\n".join(shown)
