"""System > Settings (/system): one page for the settings an operator looks for, each section
saved on its own, and the trail of the last changes.

Sections: the organisation (name, address, VAT id, contact e-mail), currency and time zone,
charging and payments (default tariff, recharge amounts, membership plans); for the network
operator also the charge point connections (heartbeat interval and the connection policies,
which apply as soon as they are chosen), data retention, e-mail (the SMTP test) and the
security events of refused charger connections. Every value is stored where it already lives
(`system.settings_admin` says where); the environment's value shows as the placeholder of
the settings that override one.

Test ids: `settings-<field>`, `settings-<field>-error`, `settings-save-<section>`,
`settings-smtp-test`, `settings-smtp-result`, `settings-changes`, `settings-change-<id>`;
the policies keep theirs (`policy-<value>`, `auth-required`, `security-events`, ...).
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import ObjectVar

from ccms_app.branding.components.brand import page_title
from ccms_app.core.i18n import LANGUAGES
from ccms_app.system.components.section_links import section_links
from ccms_app.system.state.settings import SecurityEventRow, SystemState
from ccms_app.system.state.system_settings import NO_TARIFF, ChangeRowView, SettingsState
from ccms_app.ui.form_fields import field_error
from ccms_app.ui.i18n import Text, has_text, t, t_with
from ccms_app.ui.inputs import text_input
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import page_header
from ccms_app.ui.table import cell, data_table

ROUTE = "/system"
TITLE = page_title("Settings · System")
S = SettingsState
TESTID = "settings"

KIND_COLOURS = {
    "auth_missing": "orange",
    "auth_invalid": "orange",
    "auth_failed": "red",
    "unknown_identity_refused": "gray",
    "auth_required": "orange",
    "duplicate_refused": "red",
    "duplicate_replaced": "amber",
    "invalid_identity": "gray",
    "lookalike_identity": "red",
}


# --- building blocks ---------------------------------------------------------------------


def _muted(*children: Text | rx.Component, **props: Any) -> rx.Component:
    shown = {"size": "1", **props}
    return rx.text(*children, color=rx.color("gray", 11), **shown)


def _card(title: Text, about: Text, *children: rx.Component, testid: str) -> rx.Component:
    """A section: its title, what it is for, its fields."""
    return rx.card(
        rx.vstack(
            rx.heading(title, size="4"),
            _muted(about, size="2"),
            *children,
            spacing="3",
            width="100%",
            min_width="0",
        ),
        width="100%",
        custom_attrs={"data-testid": f"{TESTID}-section-{testid}"},
    )


def _grid(*children: rx.Component) -> rx.Component:
    return rx.grid(
        *children, columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%"
    )


def _field(
    name: str, label: Text, editable: rx.Var[bool], hint: Text = "", **props: Any
) -> rx.Component:
    """A labelled input bound to `values[name]`, its hint and its error under it."""
    return rx.vstack(
        rx.el.label(
            rx.text(label, size="2", weight="medium"),
            text_input(
                value=S.values[name],
                on_change=lambda value: S.set_value(name, value),
                width="100%",
                color_scheme=rx.cond(S.errors.contains(name), "red", "gray"),
                read_only=~editable,
                custom_attrs={"data-testid": f"{TESTID}-{name}"},
                **props,
            ),
            display="flex",
            flex_direction="column",
            gap="4px",
            width="100%",
        ),
        _muted(hint) if has_text(hint) else rx.fragment(),
        field_error(S, name, TESTID),
        spacing="1",
        width="100%",
        min_width="0",
    )


def _save(section: str, editable: rx.Var[bool]) -> rx.Component:
    return rx.cond(
        editable,
        rx.button(
            rx.icon("save", size=14),
            t("Save"),
            on_click=S.save(section),
            loading=S.busy == section,
            align_self="end",
            custom_attrs={"data-testid": f"{TESTID}-save-{section}"},
        ),
    )


def _read_only_note(editable: rx.Var[bool], why: Text) -> rx.Component:
    return rx.cond(~editable, _muted(why))


# --- the organisation's sections ----------------------------------------------------------

BILLING = S.may_edit_billing
BILLING_ONLY = t("Changing these needs the System and Finance edit permissions.")


def _operator() -> rx.Component:
    return _card(
        t("Operator"),
        t("Your organisation as drivers see it on receipts and invoices."),
        rx.text(
            t("Organisation"),
            ": ",
            rx.text.strong(S.organisation_name),
            size="2",
            custom_attrs={"data-testid": f"{TESTID}-organisation"},
        ),
        _grid(
            _field("seller_name", t("Name"), BILLING),
            _field("seller_vat_id", t("VAT id"), BILLING, t("e.g. DE123456789")),
            _field("seller_email", t("Contact e-mail"), BILLING, type="email"),
            _field("seller_address", t("Address"), BILLING),
        ),
        _read_only_note(BILLING, BILLING_ONLY),
        _save("operator", BILLING),
        testid="operator",
    )


def _document_language() -> rx.Component:
    """The language receipts, invoices and e-mails to drivers are written in (each operator
    account reads the pages in its own)."""
    return rx.vstack(
        rx.text(
            t("Language of receipts, invoices and e-mails to drivers"), size="2", weight="medium"
        ),
        rx.select.root(
            rx.select.trigger(width="100%", custom_attrs={"data-testid": f"{TESTID}-language"}),
            rx.select.content(
                *[rx.select.item(language.name, value=language.code) for language in LANGUAGES]
            ),
            value=S.values["language"],
            on_change=lambda value: S.set_value("language", value),
            disabled=~BILLING,
        ),
        field_error(S, "language", TESTID),
        spacing="1",
        width="100%",
        min_width="0",
    )


def _region() -> rx.Component:
    return _card(
        t("Currency, time zone and language"),
        t("Prices, wallets and documents are in this currency; days and months in this zone."),
        _grid(
            _field("currency", t("Currency"), BILLING, t("ISO 4217, e.g. EUR"), max_length=3),
            _field("time_zone", t("Time zone"), BILLING, t("IANA, e.g. Europe/Berlin")),
            _document_language(),
        ),
        _read_only_note(BILLING, BILLING_ONLY),
        _save("region", BILLING),
        testid="region",
    )


def _tariff_select() -> rx.Component:
    chosen = S.values["default_tariff"]
    return rx.vstack(
        rx.text(t("Default tariff"), size="2", weight="medium"),
        rx.select.root(
            rx.select.trigger(
                width="100%", custom_attrs={"data-testid": f"{TESTID}-default_tariff"}
            ),
            rx.select.content(
                rx.select.item(t("None (charging is free unless assigned)"), value=NO_TARIFF),
                rx.foreach(S.tariff_choices, lambda c: rx.select.item(c[1], value=c[0])),
            ),
            value=rx.cond(chosen == "", NO_TARIFF, chosen),
            on_change=S.set_default_tariff,
            disabled=~BILLING,
        ),
        _muted(t("Applies to your network's charge points when nothing more specific does.")),
        field_error(S, "default_tariff", TESTID),
        spacing="1",
        width="100%",
        min_width="0",
    )


def _memberships() -> rx.Component:
    return rx.vstack(
        rx.text(t("Membership plans"), size="2", weight="medium"),
        rx.hstack(
            rx.switch(
                checked=S.values["memberships_enabled"] == "true",
                on_change=S.set_memberships,
                disabled=~BILLING,
                custom_attrs={"data-testid": f"{TESTID}-memberships_enabled"},
            ),
            rx.text(t("Offer membership plans"), size="2"),
            align="center",
            spacing="2",
        ),
        _muted(
            t_with("Plans offered: {count}.", count=S.plans_offered),
            " ",
            rx.link(t("Manage plans"), href="/finance/memberships"),
        ),
        spacing="1",
        width="100%",
    )


def _charging() -> rx.Component:
    return _card(
        t("Charging and payments"),
        t("What a session costs by default, and what drivers may top up and subscribe to."),
        _grid(
            _tariff_select(),
            _field(
                "recharge_amounts",
                t("Recharge amounts"),
                BILLING,
                t_with("In {currency}, e.g. 10, 20, 50: the top-ups offered", currency=S.currency),
                inputmode="decimal",
            ),
            _memberships(),
        ),
        _muted(
            rx.link(t("Tariffs"), href="/finance/tariffs"),
            " · ",
            rx.link(t("More payment settings"), href="/finance/settings"),
        ),
        _read_only_note(BILLING, BILLING_ONLY),
        _save("charging", BILLING),
        testid="charging",
    )


# --- the network's sections (root operator) -----------------------------------------------

NETWORK = S.may_edit & S.network_wide


def _default_hint(name: str, unit: Text, variable: str) -> rx.Var[str]:
    return t_with(
        "Empty: {value} {unit}, from {variable}.",
        value=S.defaults[name],
        unit=unit,
        variable=variable,
    )


def _explained(control: rx.Component, title: Text, explanation: Text) -> rx.Component:
    """A control with its title and what choosing it does, all one label."""
    return rx.text(
        rx.flex(
            control,
            rx.vstack(
                rx.text(title, size="2", weight="medium"),
                _muted(explanation),
                spacing="0",
                min_width="0",
            ),
            spacing="2",
            align="start",
        ),
        as_="label",
    )


def _policy(
    options: list[tuple[str, rx.Var[str], rx.Var[str]]],
    value: Any,
    on_change: Any,
    disabled: Any,
    testid: str,
) -> rx.Component:
    """One network policy: a radio group of (value, title, explanation) options."""
    return rx.radio_group.root(
        rx.vstack(
            *[
                _explained(
                    rx.radio_group.item(value=v, custom_attrs={"data-testid": f"policy-{v}"}),
                    title,
                    explanation,
                )
                for v, title, explanation in options
            ],
            spacing="3",
        ),
        value=value,
        on_change=on_change,
        disabled=disabled,
        custom_attrs={"data-testid": testid},
    )


def _unknown_options() -> list[tuple[str, rx.Var[str], rx.Var[str]]]:
    return [
        (
            "pending",
            t("Keep them Pending for registration (default)"),
            t(
                "The charge point is recorded as unregistered and answered Pending until an "
                "operator registers it."
            ),
        ),
        (
            "reject",
            t("Refuse them"),
            t(
                "The connection is refused with HTTP 404 before the websocket opens, and the "
                "attempt is listed under security events."
            ),
        ),
    ]


def _duplicate_options() -> list[tuple[str, rx.Var[str], rx.Var[str]]]:
    return [
        (
            "refuse",
            t("Refuse it (default)"),
            t(
                "While a charge point's connection is alive, a second one with its identity "
                "and no password to prove it is refused (HTTP 409) and listed under security "
                "events: it may be an impostor taking the real charger's place."
            ),
        ),
        (
            "replace",
            t("Let it replace the live connection"),
            t(
                "For chargers that reconnect before their old connection has timed out. The "
                "replacement is listed under security events."
            ),
        ),
    ]


def _policies() -> rx.Component:
    switch = rx.switch(
        checked=SystemState.auth_required,
        on_change=SystemState.set_auth_required,
        disabled=~SystemState.can_edit,
        custom_attrs={"data-testid": "auth-required"},
    )
    return rx.vstack(
        rx.divider(),
        _muted(t("The choices below apply as soon as you make them.")),
        rx.text(t("Charge points with an unknown identity"), size="3", weight="bold"),
        _policy(
            _unknown_options(),
            SystemState.unknown_policy,
            SystemState.set_unknown_policy,
            ~SystemState.can_edit | SystemState.saving,
            "unknown-policy",
        ),
        rx.cond(
            SystemState.error != "",
            rx.callout(SystemState.error, icon="triangle-alert", color_scheme="red"),
        ),
        rx.text(t("A second connection for a connected charge point"), size="3", weight="bold"),
        _policy(
            _duplicate_options(),
            SystemState.duplicate_policy,
            SystemState.set_duplicate_policy,
            ~SystemState.can_edit,
            "duplicate-policy",
        ),
        rx.text(t("Charge point passwords"), size="3", weight="bold"),
        _explained(
            switch,
            t("Every charge point must authenticate"),
            t(
                "A registered charge point without a password is refused (HTTP 401) until you "
                "set one. Unknown identities follow the choice above."
            ),
        ),
        _muted(
            t(
                "Set, rotate or clear a charge point's password with the Password button in "
                "Live Monitoring, or with"
            ),
            " ",
            rx.code("ccms chargepoint set-password"),
            ".",
        ),
        rx.text(
            t("OCPP transport"),
            ": ",
            rx.cond(
                SystemState.ocpp_tls,
                rx.text.strong(t("TLS (wss://), Security Profile 2")),
                rx.text.strong(t("plain ws:// (set CCMS_OCPP_TLS_CERT and _KEY for TLS)")),
            ),
            size="2",
            custom_attrs={"data-testid": "ocpp-transport"},
        ),
        spacing="3",
        width="100%",
    )


def _connections() -> rx.Component:
    return _card(
        t("Charge point connections"),
        t("How often chargers report, and which connections the network accepts."),
        _grid(
            _field(
                "heartbeat_interval",
                t("Heartbeat interval (seconds)"),
                NETWORK,
                _default_hint("heartbeat_interval", t("seconds"), "CCMS_HEARTBEAT_INTERVAL"),
                inputmode="numeric",
                placeholder=S.defaults["heartbeat_interval"],
            ),
            _muted(
                t(
                    "10 to 86400. Sent to each charge point in its BootNotification reply: it "
                    "applies from the charger's next boot."
                )
            ),
        ),
        _save("connections", NETWORK),
        _policies(),
        testid="connections",
    )


def _retention_field(name: str, label: Text, variable: str) -> rx.Component:
    return _field(
        name,
        label,
        NETWORK,
        _default_hint(name, t("days"), variable),
        inputmode="numeric",
        placeholder=S.defaults[name],
    )


def _retention() -> rx.Component:
    return _card(
        t("Data retention"),
        t("0 keeps for ever; otherwise 1 to 3650 days. The hourly purge uses the new value."),
        _grid(
            _retention_field(
                "message_log_retention_days",
                t("OCPP message log (days)"),
                "CCMS_MESSAGE_LOG_RETENTION_DAYS",
            ),
            _retention_field(
                "meter_sample_retention_days",
                t("Meter samples (days)"),
                "CCMS_METER_SAMPLE_RETENTION_DAYS",
            ),
        ),
        _save("retention", NETWORK),
        testid="retention",
    )


def _smtp_state() -> rx.Component:
    return rx.cond(
        S.smtp_configured,
        rx.text(
            t("SMTP server"),
            ": ",
            rx.text.strong(S.smtp_server),
            rx.cond(S.smtp_sender != "", rx.text.span(" · ", t("Sender"), ": ", S.smtp_sender)),
            size="2",
            overflow_wrap="anywhere",
        ),
        rx.callout(
            t(
                "E-mail is off. Set CCMS_SMTP_HOST, CCMS_SMTP_PORT and CCMS_SMTP_FROM (and "
                "CCMS_SMTP_USERNAME, CCMS_SMTP_PASSWORD, CCMS_SMTP_STARTTLS if your server needs "
                "them), then restart the service."
            ),
            icon="mail-x",
            color_scheme="amber",
            size="1",
            custom_attrs={"data-testid": f"{TESTID}-smtp-off"},
        ),
    )


def _email() -> rx.Component:
    return _card(
        t("E-mail"),
        t(
            "Receipts, invoices and alarms are e-mailed through the SMTP server this "
            "installation is set up with."
        ),
        _smtp_state(),
        rx.cond(
            S.may_edit,
            rx.button(
                rx.icon("send", size=14),
                t("Send a test e-mail to me"),
                variant="soft",
                on_click=S.send_test_mail,
                loading=S.smtp_testing,
                align_self="start",
                custom_attrs={"data-testid": f"{TESTID}-smtp-test"},
            ),
        ),
        rx.cond(
            S.smtp_result != "",
            rx.callout(
                S.smtp_result,
                icon=rx.cond(S.smtp_ok, "check", "triangle-alert"),
                color_scheme=rx.cond(S.smtp_ok, "green", "red"),
                size="1",
                width="100%",
                overflow_wrap="anywhere",
                custom_attrs={"data-testid": f"{TESTID}-smtp-result"},
            ),
        ),
        testid="email",
    )


# --- the trail and the security events ------------------------------------------------------


def _change(row: ObjectVar[ChangeRowView]) -> rx.Component:
    return rx.box(
        rx.text(row.setting, size="2", weight="medium"),
        rx.text(row.detail, size="2", overflow_wrap="anywhere", white_space="pre-wrap"),
        _muted(row.at, " · ", row.actor, overflow_wrap="anywhere"),
        padding_y="6px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        width="100%",
        custom_attrs={"data-testid": f"{TESTID}-change-{row.id}"},
    )


def _changes() -> rx.Component:
    return _card(
        t("Recent changes"),
        t_with("The last changes of these settings; times in {zone}.", zone=S.zone),
        rx.cond(
            S.changes.length() > 0,
            rx.vstack(rx.foreach(S.changes, _change), spacing="0", width="100%"),
            _muted(t("No setting changed yet."), size="2"),
        ),
        rx.link(t("Full audit log"), href="/system/audit", size="2"),
        testid="changes",
    )


def _event_row(e: ObjectVar[SecurityEventRow]) -> rx.Component:
    return rx.table.row(
        cell(e.at),
        cell(rx.text(e.identity, weight="medium", size="2")),
        cell(e.remote),
        cell(
            rx.badge(
                e.label,
                color_scheme=rx.match(e.kind, *KIND_COLOURS.items(), "gray"),
                variant="soft",
            )
        ),
        rx.table.cell(e.detail, vertical_align="middle"),
        custom_attrs={"data-testid": f"security-event-{e.id}"},
    )


def _security_events() -> rx.Component:
    headers = [t("Time"), t("Charge point"), t("Remote address"), t("Event"), t("Detail")]
    return _card(
        t("Security events"),
        t("Refused or replaced charge point connections, newest first."),
        rx.button(
            rx.icon("refresh-cw", size=14),
            t("Refresh"),
            size="1",
            variant="soft",
            align_self="start",
            on_click=SystemState.refresh_events,
            custom_attrs={"data-testid": "security-events-refresh"},
        ),
        rx.cond(
            SystemState.events.length() > 0,
            data_table(headers, SystemState.events, _event_row, testid="security-events"),
            _muted(t("No refused charge point connection."), size="2"),
        ),
        testid="security",
    )


def _network(*sections: rx.Component) -> rx.Component:
    """The root operator's sections; a sub-operator reads who manages them."""
    return rx.cond(
        S.network_wide & SystemState.can_view,
        rx.vstack(*sections, spacing="4", width="100%", min_width="0"),
        rx.callout(
            t("Network settings and security events are managed by the network operator."),
            icon="lock",
            color_scheme="gray",
            size="1",
            custom_attrs={"data-testid": "system-not-allowed"},
        ),
    )


def _content() -> rx.Component:
    return rx.vstack(
        _operator(),
        _region(),
        _charging(),
        _network(_connections(), _retention(), _email()),
        _changes(),
        rx.cond(S.network_wide & SystemState.can_view, _security_events()),
        spacing="4",
        width="100%",
        min_width="0",
    )


def page() -> rx.Component:
    return app_shell(
        ROUTE,
        page_header(t("System"), t("Settings of your organisation and of the charging network.")),
        section_links(ROUTE),
        rx.box(
            rx.cond(
                S.loaded & SystemState.loaded,
                _content(),
                rx.center(rx.spinner(size="3"), padding="48px", width="100%"),
            ),
            width="100%",
            min_width="0",
            on_mount=[SystemState.load, SettingsState.load],
        ),
    )
