"""The CCMS operator web app: pages, and the network runtime as a lifespan task.

One Reflex backend process (one worker) hosts the pages, the OCPP server, the command port,
the demo fleet and the realtime publisher; see ARCHITECTURE.md. Importing this module starts
nothing: the runtime starts with the backend's lifespan, so `reflex export` / compile are safe.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

import reflex as rx

from ccms_app.accounts.pages import login
from ccms_app.accounts.state import AuthState, gate
from ccms_app.accounts.web_session import RawTokenScrubber
from ccms_app.analytics import pages as analytics_pages
from ccms_app.analytics.pages import home
from ccms_app.api import build_api
from ccms_app.branding import brands
from ccms_app.branding.pages import branding as branding_page
from ccms_app.charging.state.data_issues_tab import ChargePointTabState
from ccms_app.control.firmware import pages as firmware_page
from ccms_app.control.firmware.state import FirmwareState
from ccms_app.control.pages import charge_point as charge_point_detail
from ccms_app.control.state.charge_point import ChargePointDetailState
from ccms_app.core import i18n
from ccms_app.core.asset_cache import HashedAssetCache
from ccms_app.core.config import get_settings
from ccms_app.core.event_relay import event_relay
from ccms_app.core.events import get_event_bus
from ccms_app.core.logging import configure_logging
from ccms_app.core.operator_zone import register_operator_zone
from ccms_app.driver_app import pages as driver_app_pages
from ccms_app.driver_app.state.auth import driver_gate
from ccms_app.driver_app.state.live_feed import driver_live_feed
from ccms_app.drivers.local_lists import pages as local_lists_page
from ccms_app.drivers.pages import drivers as drivers_page
from ccms_app.drivers.pages import id_tags as id_tags_page
from ccms_app.drivers.pages import user_groups as user_groups_page
from ccms_app.drivers.pages import users
from ccms_app.drivers.pages import vehicles as vehicles_page
from ccms_app.finance.documents.listing import operator_zone
from ccms_app.finance.pages import billing_settings as billing_settings_page
from ccms_app.finance.pages import documents as documents_page
from ccms_app.finance.pages import history as history_page
from ccms_app.finance.pages import memberships as memberships_page
from ccms_app.finance.pages import overview as finance
from ccms_app.finance.pages import payments as payments_page
from ccms_app.finance.pages import reimbursements as reimbursements_page
from ccms_app.finance.pages import settlements as settlements_page
from ccms_app.finance.pages import tariffs as tariffs_pages
from ccms_app.finance.pages import top_ups as top_ups_page
from ccms_app.finance.pages import vouchers as vouchers_page
from ccms_app.finance.pages import wallets as wallets_page
from ccms_app.finance.state.overview import FinanceOverviewState
from ccms_app.load_balancing.pages import site as load_site_page
from ccms_app.load_balancing.pages import sites as load_balancing
from ccms_app.maintenance.notifications.components import bell as alarm_bell
from ccms_app.maintenance.pages import alarm_detail as maintenance_alarm
from ccms_app.maintenance.pages import alarm_rules as maintenance_alarm_rules
from ccms_app.maintenance.pages import alarms as maintenance_alarms
from ccms_app.maintenance.pages import events as maintenance_events
from ccms_app.maintenance.pages import overview as maintenance
from ccms_app.maintenance.pages import plans as maintenance_plans
from ccms_app.maintenance.pages import reports as maintenance_reports
from ccms_app.maintenance.pages import staff as maintenance_staff
from ccms_app.maintenance.pages import work_order_detail as maintenance_work_order
from ccms_app.maintenance.pages import work_orders as maintenance_work_orders
from ccms_app.monitoring.pages import live_monitoring
from ccms_app.monitoring.state.home import HomeState
from ccms_app.monitoring.state.publisher import live_publisher
from ccms_app.network.pages import assets, stations
from ccms_app.runtime import network_runtime, web_runtime
from ccms_app.system.pages import accounts as accounts_pages
from ccms_app.system.pages import api_keys as api_keys_pages
from ccms_app.system.pages import audit as audit_pages
from ccms_app.system.pages import roles as roles_pages
from ccms_app.system.pages import settings as system
from ccms_app.system.pages import sub_operators as sub_operators_pages
from ccms_app.ui.connection import connection_lost_banner
from ccms_app.webhooks import pages as webhooks_pages

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def ccms_network(app: rx.App) -> AsyncIterator[None]:
    """Lifespan task: live publisher first (so it sees the first boots), then the network.

    Reflex passes the rx.App to a parameter named `app` and enters an async context manager
    for the whole lifespan of the backend; shutdown runs in reverse order.
    """
    settings = get_settings()
    configure_logging(settings.log_level)
    async with (
        event_relay(get_event_bus(), settings.redis_url),  # scale-out: other processes' events
        live_publisher(app, settings),
        driver_live_feed(app, settings),
        web_runtime(settings) if settings.web_only else network_runtime(settings),
    ):
        log.info("ccms web app ready", extra={"web_port": settings.web_port})
        yield


def _register_pages(app: rx.App) -> None:
    guard = [AuthState.require_login]
    app.add_page(
        login.login_page,
        route=login.ROUTE,
        title=login.TITLE,
        on_load=AuthState.show_login,
    )
    app.add_page(home.page, route=home.ROUTE, title=home.TITLE, on_load=home.ON_LOAD)
    app.add_page(
        live_monitoring.live_monitoring_page,
        route=live_monitoring.ROUTE,
        title=live_monitoring.TITLE,
        on_load=live_monitoring.ON_LOAD,
    )
    app.add_page(
        charge_point_detail.charge_point_detail_page,
        route=charge_point_detail.ROUTE,
        title=charge_point_detail.TITLE,
        on_load=[*guard, ChargePointDetailState.load, ChargePointTabState.open_from_url],
    )
    app.add_page(
        firmware_page.page,
        route=firmware_page.ROUTE,
        title=firmware_page.TITLE,
        on_load=[*guard, HomeState.join, FirmwareState.load],
    )
    # assets: lists, forms, map; stations: one station; maintenance: data issues
    maintenance_pages = (
        maintenance,
        maintenance_alarms,
        maintenance_alarm,
        maintenance_events,
        maintenance_alarm_rules,
        maintenance_work_orders,
        maintenance_work_order,
        maintenance_reports,
        maintenance_plans,
        maintenance_staff,
    )
    for module in (assets, stations, *maintenance_pages, load_balancing):
        app.add_page(module.page, route=module.ROUTE, title=module.TITLE, on_load=module.ON_LOAD)
    app.add_page(
        load_site_page.page,
        route=load_site_page.ROUTE_PATTERN,
        title=load_site_page.TITLE,
        on_load=load_site_page.ON_LOAD,
    )
    page_guards = {
        finance: [*guard, FinanceOverviewState.load],
        users: guard,
        system: guard,
    }
    for module, on_load in page_guards.items():
        app.add_page(module.page, route=module.ROUTE, title=module.TITLE, on_load=on_load)
    users_modules = (
        tariffs_pages,
        history_page,
        documents_page,
        wallets_page,
        vouchers_page,
        memberships_page,
        payments_page,
        top_ups_page,
        settlements_page,
        reimbursements_page,
        billing_settings_page,
        drivers_page,
        id_tags_page,
        user_groups_page,
        vehicles_page,
        local_lists_page,
        accounts_pages,
        roles_pages,
        sub_operators_pages,
        api_keys_pages,
        webhooks_pages,
        audit_pages,
        branding_page,
    )
    for users_module in (analytics_pages, *users_modules, driver_app_pages):
        for page, route, title, on_load in users_module.PAGES:
            app.add_page(page, route=route, title=title, on_load=on_load)


app = rx.App(
    head_components=[rx.el.link(rel="icon", href="/brand/favicon")],
    # Top centre: page headers keep their actions on the right, and a toast there covered
    # them (hovering it pauses its timer, so it stayed over the button being aimed at). The
    # alarm toast has the bottom right.
    toaster=rx.toast.provider(position="top-center", close_button=True, rich_colors=True),
    # Login/logout, firmware downloads and diagnostics uploads, on the web port; then the
    # raw login token is taken out of what reaches Reflex's socket (accounts/web_session.py);
    # the build's content-named scripts are cached by browsers for good (core/asset_cache.py).
    api_transformer=[build_api(), RawTokenScrubber, HashedAssetCache],
)
# Reflex's technical connection toast, replaced by a plain banner (ui/connection.py).
app.app_wraps[(5, "Overlay")] = lambda stateful: connection_lost_banner() if stateful else None
gate.install(app)
gate.install_driver_gate(driver_gate)  # the driver app's sign-in, never an operator's
i18n.name_the_product_with(brands.product_name_of)  # messages name the brand, not CCMS
alarm_bell.install()  # alarm bell + toast in every page's shell (ui/ imports no feature module)
register_operator_zone(operator_zone)  # times and days off a station: the billing zone
_register_pages(app)
app.register_lifespan_task(ccms_network)
