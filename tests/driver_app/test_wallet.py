"""The driver app's wallet through a real driver tab (every event through the real gate), the
fake Stripe server and signed webhooks posted to the real webhook route: the exact balance in
the reader's language, top-ups by package and by typed amount credited once Stripe says paid,
an expired or abandoned checkout crediting nothing, a voucher, a card saved on Stripe's page
and chosen, joining and leaving a membership, the receipts list and their PDF route, and the
wall around each driver's own data."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
from reflex.event import EventSpec

from ccms_app.accounts import auth
from ccms_app.accounts.models import LoginSession, OperatorAccount, Organisation
from ccms_app.accounts.rules.permissions import ADMINISTRATOR
from ccms_app.accounts.web_session import DRIVER_SESSION_COOKIE, SESSION_COOKIE
from ccms_app.api import build_api
from ccms_app.charging.models import ChargingSession
from ccms_app.core.db import session_scope
from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now
from ccms_app.driver_app import driver_accounts
from ccms_app.driver_app.state.wallet import WalletState
from ccms_app.finance.documents.receipts import issue_receipt
from ccms_app.finance.memberships import plans
from ccms_app.finance.models import BillingProfile, CostState, SessionCost
from ccms_app.finance.payments import packages
from ccms_app.finance.wallets.ledger import credit_wallet
from ccms_app.finance.wallets.models import LedgerKind
from ccms_app.finance.wallets.voucher_admin import create_voucher
from ccms_app.network.models import ChargePoint, Station
from tests.driver_app.support import (
    DriverTab,
    SignedInDriver,
    driver_tab,
    refused,
    signed_in_driver,
)
from tests.finance.payments.support import deliver, stripe_posts
from tests.fixtures.fake_stripe import FakeStripe, fake_stripe

__all__ = ["fake_stripe", "stripe_posts"]

OPS = "ops@example.com"


@dataclass(frozen=True)
class Net:
    org: int
    scope: frozenset[int]
    charge_point: int


@pytest.fixture
def net(organisation: Organisation) -> Net:
    org = stored_id(organisation.id)
    with session_scope() as s:
        s.add(BillingProfile(organisation_id=org, currency="EUR", time_zone="Europe/Berlin"))
        station = Station(organisation_id=org, name="Depot", timezone="Europe/Berlin")
        s.add(station)
        s.flush()
        cp = ChargePoint(organisation_id=org, station_id=station.id, identity="CP-WALLET")
        s.add(cp)
        s.flush()
        return Net(org, frozenset({org}), stored_id(cp.id))


@pytest.fixture
def dana(net: Net) -> SignedInDriver:
    return signed_in_driver("dana@example.com", "Dana Driver")


@pytest.fixture
def eve(net: Net) -> SignedInDriver:
    return signed_in_driver("eve@example.com", "Eve Other")


def _fill(net: Net, driver: SignedInDriver, paid: int, bonus: int = 0) -> None:
    with session_scope() as s:
        credit_wallet(
            s,
            organisation_id=net.org,
            holder_kind="driver",
            holder_id=driver.driver_id,
            currency="EUR",
            paid_minor=paid,
            bonus_minor=bonus,
            kind=LedgerKind.ADJUSTMENT,
            reference=f"test:{driver.driver_id}:{paid}:{bonus}",
        )


async def _wallet(driver: SignedInDriver, query: str = "") -> tuple[DriverTab, WalletState]:
    tab = driver_tab(driver).at("/app/wallet", query)
    assert not refused(await tab.send(WalletState, "load"))
    return tab, await tab.state(WalletState)


def _redirect(spec: object) -> str:
    assert isinstance(spec, EventSpec), spec
    return next(str(getattr(v, "_var_value", "")) for n, v in spec.args if str(n) == "path")


async def _top_up(tab: DriverTab, key: str = "", amount: str = "") -> str:
    """Choose, press Top up: the Stripe page the browser is sent to."""
    if amount:
        await tab.send(WalletState, "set_amount", value=amount)
    else:
        await tab.send(WalletState, "choose", key=key)
    return _redirect(await tab.send(WalletState, "start_top_up"))


def _session(fake: FakeStripe, url: str) -> dict:
    return fake.objects[url.rsplit("/", 1)[-1]]


async def test_the_balance_is_exact_and_in_the_readers_language(
    net: Net, dana: SignedInDriver
) -> None:
    plus = packages.create(net.org, {"name": "Plus", "pay": "50", "credit": "55"}, OPS, net.scope)
    _fill(net, dana, 1234, 100)
    _, page = await _wallet(dana)
    assert (page.balance, page.bonus, page.minimum) == ("€13.34", "€1.00", "€5.00")
    assert page.method == "wallet" and page.card_label == ""
    assert [c["key"] for c in page.choices] == [
        f"package:{plus.id}",
        "amount:1000",
        "amount:2000",
        "amount:5000",
    ]
    assert page.choices[0]["label"] == "Plus: pay €50.00"
    assert page.choices[0]["detail"] == "you get €55.00 (€5.00 bonus)"
    assert page.choices[0]["testid"] == f"top-up-choice-package-{plus.id}"
    assert page.limits == "Or type an amount from €5.00 to €500.00."
    assert [m["amount"] for m in page.movements] == ["+€13.34"]

    driver_accounts.set_language(dana.account_id, "de")
    _, german = await _wallet(dana)
    assert (german.balance, german.bonus) == ("13,34\xa0€", "1,00\xa0€")


async def test_a_package_top_up_is_credited_when_stripe_says_paid(
    net: Net,
    dana: SignedInDriver,
    fake_stripe: FakeStripe,
    stripe_posts: httpx.AsyncClient,
) -> None:
    plus = packages.create(net.org, {"name": "Plus", "pay": "50", "credit": "55"}, OPS, net.scope)
    tab, page = await _wallet(dana)
    url = await _top_up(tab, f"package:{plus.id}")
    checkout = _session(fake_stripe, url)
    assert url == f"{fake_stripe.base_url}/checkout/{checkout['id']}"
    top_up_id = int(checkout["metadata"]["top_up_id"])
    assert checkout["amount_total"] == 5000
    assert checkout["success_url"] == f"http://ccms.test/app/wallet?top_up={top_up_id}"
    assert checkout["cancel_url"] == f"http://ccms.test/app/wallet?top_up={top_up_id}&cancelled=1"

    # back before the webhook: waiting, nothing credited, a way to look again
    _, waiting = await _wallet(dana, f"top_up={top_up_id}")
    assert waiting.result == "open" and waiting.balance == "€0.00"
    assert waiting.result_text == "Waiting for Stripe to confirm your payment of €55.00."

    paid = await deliver(
        stripe_posts,
        fake_stripe,
        "checkout.session.completed",
        fake_stripe.complete(checkout["id"]),
    )
    assert paid.status_code == 200
    await tab.at("/app/wallet", f"top_up={top_up_id}").send(WalletState, "refresh")
    assert (page.result, page.result_text) == ("paid", "Paid: €55.00 is in your wallet.")
    assert (page.balance, page.bonus) == ("€55.00", "€5.00")
    assert [(r["paid"], r["bonus"], r["state_key"]) for r in page.top_ups] == [
        ("€50.00", "€5.00", "paid")
    ]
    assert [(m["kind"], m["amount"], m["balance_after"]) for m in page.movements] == [
        ("top-up", "+€55.00", "€55.00")
    ]
    assert page.movements[0]["what"] == f"Top-up {top_up_id} paid through Stripe Checkout"


async def test_a_typed_amount_within_the_limits(
    net: Net,
    dana: SignedInDriver,
    fake_stripe: FakeStripe,
    stripe_posts: httpx.AsyncClient,
) -> None:
    tab, page = await _wallet(dana)
    assert await tab.send(WalletState, "start_top_up") is None
    assert page.top_up_error == "Choose an amount or a package, or type an amount."
    await tab.send(WalletState, "set_amount", value="3")
    assert page.top_up_error.startswith("Choose an amount")  # until the next top-up
    assert await tab.send(WalletState, "start_top_up") is None
    assert page.top_up_error == "Top-ups are between 5.00 EUR and 500.00 EUR."
    await tab.send(WalletState, "choose", key="amount:777")  # not one of the amounts
    assert await tab.send(WalletState, "start_top_up") is None
    assert page.top_up_error.startswith("Not one of the recharge amounts")
    assert fake_stripe.calls("POST", "/v1/checkout/sessions") == []

    url = await _top_up(tab, amount="25,50")
    assert page.top_up_error == ""
    checkout = _session(fake_stripe, url)
    assert checkout["amount_total"] == 2550
    await deliver(
        stripe_posts,
        fake_stripe,
        "checkout.session.completed",
        fake_stripe.complete(checkout["id"]),
    )
    _, after = await _wallet(dana)
    assert after.balance == "€25.50" and after.bonus == ""


async def test_an_expired_or_abandoned_checkout_credits_nothing(
    net: Net,
    dana: SignedInDriver,
    fake_stripe: FakeStripe,
    stripe_posts: httpx.AsyncClient,
) -> None:
    tab, _ = await _wallet(dana)
    url = await _top_up(tab, "amount:2000")
    checkout = _session(fake_stripe, url)
    top_up_id = checkout["metadata"]["top_up_id"]
    _, left = await _wallet(dana, f"top_up={top_up_id}&cancelled=1")
    assert (left.result, left.result_url) == ("cancelled", url)
    assert left.result_text == "You left the payment page. Nothing was charged."

    expired = await deliver(
        stripe_posts, fake_stripe, "checkout.session.expired", fake_stripe.expire(checkout["id"])
    )
    assert expired.status_code == 200
    _, page = await _wallet(dana, f"top_up={top_up_id}")
    assert (page.result, page.result_url) == ("expired", "")
    assert page.result_text == "The payment page expired. Nothing was charged."
    assert page.balance == "€0.00" and page.movements == []
    assert [r["state"] for r in page.top_ups] == ["expired"]


async def test_a_voucher_is_redeemed_once(net: Net, dana: SignedInDriver) -> None:
    create_voucher(
        {"code": "WELCOME-5", "kind": "value", "value": "5.00", "max_redemptions": ""},
        [],
        net.org,
        net.scope,
        OPS,
    )
    tab, page = await _wallet(dana)
    await tab.send(WalletState, "redeem", form_data={"code": "  "})
    assert page.voucher_error == "Enter a voucher code."
    await tab.send(WalletState, "redeem", form_data={"code": "welcome-5"})
    assert (page.voucher_notice, page.voucher_error) == ("€5.00 added to your wallet.", "")
    assert (page.balance, page.bonus) == ("€5.00", "€5.00")
    assert [(m["kind"], m["what"]) for m in page.movements] == [("voucher", "voucher WELCOME-5")]
    await tab.send(WalletState, "redeem", form_data={"code": "WELCOME-5"})
    assert "WELCOME-5" in page.voucher_error and page.voucher_notice == ""
    await tab.send(WalletState, "redeem", form_data={"code": "NO-SUCH"})
    assert "NO-SUCH" in page.voucher_error
    assert page.balance == "€5.00"


async def test_paying_needs_a_confirmed_address(net: Net, fake_stripe: FakeStripe) -> None:
    new = signed_in_driver("new@example.com", "New Driver", verified=False)
    tab, page = await _wallet(new)
    await tab.send(WalletState, "choose", key="amount:1000")
    await tab.send(WalletState, "start_top_up")
    assert page.top_up_error.startswith("Confirm your e-mail address first")
    await tab.send(WalletState, "add_card")
    assert page.method_error.startswith("Confirm your e-mail address first")
    await tab.send(WalletState, "redeem", form_data={"code": "X"})
    assert page.voucher_error.startswith("Confirm your e-mail address first")
    assert fake_stripe.requests == []


async def test_a_card_saved_on_stripes_page_is_chosen(
    net: Net,
    dana: SignedInDriver,
    fake_stripe: FakeStripe,
    stripe_posts: httpx.AsyncClient,
) -> None:
    tab, page = await _wallet(dana)
    await tab.send(WalletState, "choose_method", method="card")
    assert page.method_error == "Add a card first." and page.method == "wallet"
    await tab.send(WalletState, "choose_method", method="free")
    assert page.method_error == "Choose wallet or card."

    url = _redirect(await tab.send(WalletState, "add_card"))
    checkout = _session(fake_stripe, url)
    assert (checkout["mode"], checkout["currency"]) == ("setup", "eur")
    assert checkout["success_url"] == "http://ccms.test/app/wallet?card=added"
    _, early = await _wallet(dana, "card=added")  # Stripe has not told us yet
    assert early.card_notice == "Stripe is saving your card. Refresh in a moment."

    done = fake_stripe.complete_setup(checkout["id"])
    intent = fake_stripe.objects[done["setup_intent"]]
    for event_type, obj in (
        ("checkout.session.completed", done),
        ("setup_intent.succeeded", intent),
    ):
        assert (await deliver(stripe_posts, fake_stripe, event_type, obj)).status_code == 200
    await tab.at("/app/wallet", "card=added").send(WalletState, "refresh")
    assert page.card_label == "visa •••• 4242, 12/2030"
    assert page.card_notice == "Your card is saved: visa •••• 4242, 12/2030."
    await tab.send(WalletState, "choose_method", method="card")
    assert (page.method, page.method_error) == ("card", "")
    await tab.send(WalletState, "choose_method", method="wallet")
    assert page.method == "wallet"
    _, cancelled = await _wallet(dana, "card=cancelled")
    assert cancelled.card_notice == "No card was added."


async def test_joining_and_leaving_a_membership(net: Net, dana: SignedInDriver) -> None:
    gold = plans.create_plan(
        net.scope,
        net.org,
        {
            "name": "Gold",
            "monthly_fee": "9.90",
            "fee_collection": "wallet",
            "discount_percent": "10",
            "included_kwh": "20",
        },
        OPS,
    )
    tab, page = await _wallet(dana)
    assert page.membership == {}
    assert [(p["name"], p["fee"], p["paid_how"]) for p in page.plans] == [
        ("Gold", "€9.90 / month", "paid from your wallet")
    ]
    assert page.plans[0]["benefits"] == (
        "10 % off every charging session\n20 kWh included every month"
    )
    await tab.send(WalletState, "join", plan_id=str(gold.id))
    assert page.membership_error.startswith("The wallet holds 0.00 EUR, less than the fee")
    await tab.send(WalletState, "join", plan_id="999999")
    assert page.membership_error == "That plan is not offered."

    _fill(net, dana, 2000)
    await tab.send(WalletState, "join", plan_id=str(gold.id))
    assert (page.membership_notice, page.membership_error) == ("Welcome to Gold.", "")
    assert page.membership["plan"] == "Gold" and page.membership["ending"] == "False"
    assert page.membership["status"].startswith("Renews on ")
    assert page.balance == "€10.10"
    assert page.movements[0]["kind"] == "membership fee"
    await tab.send(WalletState, "join", plan_id=str(gold.id))
    assert "already" in page.membership_error

    await tab.send(WalletState, "leave")
    assert page.membership_notice.startswith("Ends on ")
    assert page.membership["ending"] == "True"
    await tab.send(WalletState, "leave")
    assert page.membership_error.startswith("You have left this plan already.")


async def test_a_card_plan_needs_the_saved_card_and_subscribes_it(
    net: Net,
    dana: SignedInDriver,
    fake_stripe: FakeStripe,
    stripe_posts: httpx.AsyncClient,
) -> None:
    plus = plans.create_plan(
        net.scope,
        net.org,
        {
            "name": "Plus",
            "monthly_fee": "4.90",
            "fee_collection": "stripe",
            "discount_percent": "5",
        },
        OPS,
    )
    tab, page = await _wallet(dana)
    assert page.plans[0]["paid_how"] == "paid by card"
    await tab.send(WalletState, "join", plan_id=str(plus.id))
    assert page.membership_error == "Dana Driver has no saved card: save one first"
    checkout = _session(fake_stripe, _redirect(await tab.send(WalletState, "add_card")))
    done = fake_stripe.complete_setup(checkout["id"])
    await deliver(stripe_posts, fake_stripe, "checkout.session.completed", done)
    await tab.send(WalletState, "join", plan_id=str(plus.id))
    assert (page.membership_notice, page.membership_error) == ("Welcome to Plus.", "")
    assert page.membership["status"].startswith("Renews on ")
    [subscription] = fake_stripe.of_type("subscription")
    assert subscription["default_payment_method"] == "pm_card_visa"
    assert subscription["items"]["data"][0]["price"]["unit_amount"] == 490
    assert page.balance == "€0.00"  # the fee is the card's, not the wallet's


def receipt_of(
    organisation_id: int,
    charge_point_id: int,
    id_tag: str,
    totals: tuple[int, int, int] = (700, 133, 833),  # excl., VAT, incl.
) -> int:
    """A charged session of `id_tag` with its final cost, and its receipt's id."""
    start = utc_now() - timedelta(hours=2)
    with session_scope() as s:
        charging = ChargingSession(
            organisation_id=organisation_id,
            charge_point_id=charge_point_id,
            connector_id=1,
            id_tag=id_tag,
            status="completed",
            start_time=start,
            stop_time=start + timedelta(hours=1),
            meter_start_wh=0,
            meter_stop_wh=10_000,
            energy_wh=10_000,
        )
        s.add(charging)
        s.flush()
        excl, vat, incl = totals
        s.add(
            SessionCost(
                session_id=stored_id(charging.id),
                organisation_id=organisation_id,
                state=CostState.FINAL,
                currency="EUR",
                total_excl_minor=excl,
                vat_minor=vat,
                total_incl_minor=incl,
            )
        )
        session_id = stored_id(charging.id)
    return stored_id(issue_receipt(session_id).id)


def _operator_token(net: Net) -> str:
    token = secrets.token_urlsafe(32)
    with session_scope() as s:
        role_id = auth.built_in_role_id(s, ADMINISTRATOR)
        account = OperatorAccount(
            organisation_id=net.org, email=OPS, password_hash="-", role_id=role_id
        )
        s.add(account)
        s.flush()
        s.add(
            LoginSession(
                account_id=stored_id(account.id),
                token_hash=auth.token_hash(token),
                expires_at=utc_now() + timedelta(days=1),
            )
        )
    return token


@pytest.fixture
async def web(engine: object) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=build_api())
    async with httpx.AsyncClient(transport=transport, base_url="http://ccms.test") as http:
        yield http


async def test_receipts_are_listed_and_downloaded_by_their_driver_only(
    net: Net, dana: SignedInDriver, eve: SignedInDriver, web: httpx.AsyncClient
) -> None:
    mine = receipt_of(net.org, net.charge_point, dana.app_id_tag)
    theirs = receipt_of(net.org, net.charge_point, eve.app_id_tag)
    _, page = await _wallet(dana)
    assert [(r["id"], r["kind"], r["total"], r["url"]) for r in page.receipts] == [
        (str(mine), "receipt", "€8.33", f"/app/receipts/{mine}.pdf")
    ]
    own = await web.get(f"/app/receipts/{mine}.pdf", cookies=dana.cookies)
    assert own.status_code == 200 and own.headers["content-type"] == "application/pdf"
    assert own.content.startswith(b"%PDF")
    assert own.headers["cache-control"] == "private, no-store"
    for path in (f"/app/receipts/{theirs}.pdf", "/app/receipts/0.pdf", "/app/receipts/x.pdf"):
        assert (await web.get(path, cookies=dana.cookies)).status_code == 404, path
    assert (await web.get(f"/app/receipts/{mine}.pdf")).status_code == 401
    operator = _operator_token(net)
    for cookies in ({SESSION_COOKIE: operator}, {DRIVER_SESSION_COOKIE: operator}):
        answer = await web.get(f"/app/receipts/{mine}.pdf", cookies=cookies)
        assert answer.status_code == 401
    _, other = await _wallet(eve)
    assert [r["id"] for r in other.receipts] == [str(theirs)]


async def test_another_drivers_wallet_never_shows(
    net: Net,
    dana: SignedInDriver,
    eve: SignedInDriver,
    fake_stripe: FakeStripe,
    stripe_posts: httpx.AsyncClient,
) -> None:
    tab, _ = await _wallet(dana)
    url = await _top_up(tab, "amount:1000")
    checkout = _session(fake_stripe, url)
    await deliver(
        stripe_posts,
        fake_stripe,
        "checkout.session.completed",
        fake_stripe.complete(checkout["id"]),
    )
    top_up_id = checkout["metadata"]["top_up_id"]
    _, page = await _wallet(eve, f"top_up={top_up_id}")
    assert (page.result, page.result_text, page.result_url) == ("", "", "")
    assert page.balance == "€0.00" and page.top_ups == [] and page.movements == []
    _, junk = await _wallet(eve, "top_up=-1")
    assert junk.result == ""

    nobody = driver_tab(None, "/app/wallet")
    for handler, payload in (
        ("load", {}),
        ("start_top_up", {}),
        ("add_card", {}),
        ("redeem", {"form_data": {"code": "X"}}),
        ("choose_method", {"method": "wallet"}),
        ("join", {"plan_id": "1"}),
    ):
        assert refused(await nobody.send(WalletState, handler, **payload)), handler


async def test_a_reconnect_keeps_the_choice_and_a_new_visit_starts_afresh(
    net: Net, dana: SignedInDriver, eve: SignedInDriver
) -> None:
    create_voucher(
        {"code": "AGAIN-5", "kind": "value", "value": "5.00", "max_redemptions": ""},
        [],
        net.org,
        net.scope,
        OPS,
    )
    tab, page = await _wallet(dana)
    await tab.send(WalletState, "set_amount", value="12,50")
    await tab.send(WalletState, "redeem", form_data={"code": "again-5"})
    assert page.voucher_notice == "€5.00 added to your wallet."
    _fill(net, dana, 1000)  # meanwhile

    assert not refused(await tab.send(WalletState, "load"))  # a reconnect: on_load again
    assert (page.choice, page.amount) == ("custom", "12,50")
    assert page.voucher_notice == "€5.00 added to your wallet."
    assert page.balance == "€15.00"

    await tab.send(WalletState, "choose", key="amount:2000")
    await tab.at("/app/wallet", "card=cancelled").send(WalletState, "load")  # back from Stripe
    assert (page.choice, page.amount, page.voucher_notice) == ("", "", "")
    assert page.card_notice == "No card was added."

    await tab.send(WalletState, "choose", key="amount:2000")
    other = DriverTab(tab.root, eve.session_hash).at("/app/wallet", "card=cancelled")
    assert not refused(await other.send(WalletState, "load"))  # another driver, same tab
    assert (page.choice, page.amount, page.balance) == ("", "", "€0.00")
