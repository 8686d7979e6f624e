"""The alarm bell beside the brand on every page, and the toast for new alarms.

Both show only to roles that may view maintenance (the gate decides what they receive: the
bell joins only for those). The toast is a fixed callout at the bottom right (full width on a
360 px phone), listing the newest alarms the tab has not dismissed, each a link to its alarm.
It hides itself after about 10 s (a CSS animation: it fades, then is hidden and lets clicks
through, so it never covers a page's buttons for good; a newer alarm remounts it, which
restarts the timer). The animation's end is told to the server (`hid_itself`): every page
mounts the shell again, and without it the toast came back for 10 s on each page the operator
opened. The dismiss button marks its alarms seen at once. The bell keeps counting either way.
`install()` puts them into the app shell (ui/ imports no feature module): the composition
root calls it before the pages are added.
"""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx
from reflex.vars import ObjectVar, Var

from ccms_app.accounts.rules.permissions import Module
from ccms_app.maintenance.notifications.bell import ALARMS_ROUTE
from ccms_app.maintenance.notifications.rules.bell_view import BellAlarm, BellCounts, Toast
from ccms_app.maintenance.notifications.state import TOAST_HIDE_ANIMATION, AlarmToastState
from ccms_app.ui.i18n import t, t_with
from ccms_app.ui.layout import register_shell_overlay
from ccms_app.ui.nav import register_header_widget
from ccms_app.ui.permissions import can

TOAST_SHOWN_S = 10
# Shown, then faded out and hidden: `visibility: hidden` takes it out of hit testing too.
TOAST_KEYFRAMES = (
    f"@keyframes {TOAST_HIDE_ANIMATION} {{"
    " 0%, 92% { opacity: 1; visibility: visible; }"
    " 100% { opacity: 0; visibility: hidden; pointer-events: none; } }"
)


@dataclass(frozen=True)
class _AnimationEvent:
    """What the toast reads of a browser AnimationEvent."""

    animationName: str = ""  # the DOM's name


def _animation_name(event: ObjectVar[_AnimationEvent]) -> tuple[Var[str]]:
    return (event.animationName.to(str),)


class _AnimatedBox(rx.el.Div):
    """A div that reports when a CSS animation on it (or on a child) ends."""

    # Reflex reads the event spec from the annotation (as its own components declare them).
    on_animation_end: rx.EventHandler[_animation_name]  # type: ignore[type-arg, valid-type]


SEVERITY_COLOURS: dict[str, str] = {
    "critical": "red",
    "major": "orange",
    "minor": "amber",
    "warning": "gray",
}


def _severity_colour(severity: rx.Var) -> rx.Var:
    return rx.match(severity, *SEVERITY_COLOURS.items(), "gray")


def bell_button() -> rx.Component:
    """The live counter: open alarms that reach this tab's role, coloured by the worst."""
    counts = AlarmToastState.counts.to(ObjectVar, BellCounts)
    colour = rx.cond(
        counts.critical.to(int) > 0, "red", rx.cond(counts.major.to(int) > 0, "orange", "amber")
    )
    return rx.cond(
        can(Module.MAINTENANCE),
        rx.link(
            rx.box(
                rx.icon("bell", size=20),
                rx.cond(
                    counts.total.to(int) > 0,
                    rx.badge(
                        counts.label,
                        color_scheme=colour,
                        variant="solid",
                        radius="full",
                        size="1",
                        position="absolute",
                        top="-8px",
                        right="-12px",
                        custom_attrs={"data-testid": "alarm-bell-count"},
                    ),
                ),
                position="relative",
                padding="4px",
                line_height="0",
            ),
            href=ALARMS_ROUTE,
            color=rx.color("gray", 12),
            aria_label=t("Open alarms"),
            title=rx.cond(
                counts.total.to(int) > 0,
                t_with("{count} open alarms", count=counts.label),
                t("No open alarms"),
            ),
            # "true" once this tab watches the alarms (news from then on is toasted).
            custom_attrs={"data-testid": "alarm-bell", "data-watching": AlarmToastState.watching},
        ),
    )


def _toast_line(row_var: rx.Var) -> rx.Component:
    alarm = row_var.to(ObjectVar, BellAlarm)
    return rx.link(
        rx.hstack(
            rx.badge(alarm.severity, color_scheme=_severity_colour(alarm.severity), size="1"),
            rx.vstack(
                rx.text(alarm.title, size="2", weight="medium"),
                rx.text(alarm.where, size="1", color=rx.color("gray", 11)),
                spacing="0",
                min_width="0",
            ),
            align="start",
            spacing="2",
        ),
        href=alarm.href,
        underline="none",
        color=rx.color("gray", 12),
        on_click=AlarmToastState.dismiss,
        custom_attrs={"data-testid": "alarm-toast-item"},
    )


def alarm_toast() -> rx.Component:
    """New alarms for this tab, until dismissed; the box also joins the bell on mount."""
    toast = AlarmToastState.toast.to(ObjectVar, Toast)
    card = rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon("bell-ring", size=18, color=rx.color("red", 11)),
                rx.text(t("New alarms"), weight="bold", size="2"),
                rx.spacer(),
                rx.icon_button(
                    rx.icon("x", size=16),
                    variant="ghost",
                    color_scheme="gray",
                    size="1",
                    aria_label=t("Dismiss"),
                    on_click=AlarmToastState.dismiss,
                    custom_attrs={"data-testid": "alarm-toast-dismiss"},
                ),
                width="100%",
                align="center",
            ),
            rx.foreach(toast.alarms, _toast_line),
            rx.cond(
                toast.more.to(int) > 0,
                rx.link(
                    rx.text(t_with("and {count} more", count=toast.more), size="1"),
                    href=ALARMS_ROUTE,
                    on_click=AlarmToastState.dismiss,
                ),
            ),
            spacing="2",
            width="100%",
        ),
        role="status",
        border_left=f"4px solid {rx.color('red', 9)}",
        box_shadow="0 8px 24px rgba(0,0,0,0.18)",
        width="100%",
        custom_attrs={"data-testid": "alarm-toast", "aria-live": "polite"},
    )
    callout = _AnimatedBox.create(
        card,
        pointer_events="auto",
        animation=f"{TOAST_HIDE_ANIMATION} {TOAST_SHOWN_S}s ease-in forwards",
        on_animation_end=lambda name: AlarmToastState.hid_itself(name, toast.latest_id),
        # A newer alarm gives the card a new key: React mounts it again, the timer restarts.
        key=toast.latest_id,
    )
    return rx.cond(
        can(Module.MAINTENANCE),
        rx.box(
            rx.el.style(TOAST_KEYFRAMES),
            rx.cond(AlarmToastState.toast_shown, callout),
            on_mount=AlarmToastState.join,
            # The area itself never takes a click; only the shown card does.
            pointer_events="none",
            position="fixed",
            bottom=["12px", "16px", "24px"],
            right=["12px", "16px", "24px"],
            left=["12px", "auto", "auto"],
            width=["auto", "360px", "380px"],
            z_index="60",
            custom_attrs={"data-testid": "alarm-toast-area"},
        ),
    )


def install() -> None:
    """Put the bell and the toast into the app shell (the composition root calls this)."""
    register_header_widget(bell_button)
    register_shell_overlay(alarm_toast)
