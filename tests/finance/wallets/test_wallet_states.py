"""Finance -> Wallets: the pages' states on a real database, every event through the gate."""

from __future__ import annotations

from reflex.state import StateUpdate

from ccms_app.core import db
from ccms_app.finance.state.wallets import WalletDetailState, WalletListState, holder_from_path
from ccms_app.finance.wallets.ledger import credit_wallet
from ccms_app.finance.wallets.models import LedgerKind
from tests.finance.wallets.support import WalletWorld
from tests.finance.wallets.tabs import login


def _top_up(world: WalletWorld, holder: int, paid: int, bonus: int = 0) -> None:
    with db.session_scope() as s:
        credit_wallet(
            s,
            organisation_id=world.organisation_id,
            holder_kind="driver",
            holder_id=holder,
            currency="EUR",
            paid_minor=paid,
            bonus_minor=bonus,
            kind=LedgerKind.TOP_UP,
            reference=f"top_up:{holder}:{paid}",
            reason="Stripe Checkout",
        )


def test_the_path_names_the_holder() -> None:
    assert holder_from_path("/finance/wallets/driver/12") == ("driver", 12)
    assert holder_from_path("/finance/wallets/group/3/") == ("group", 3)
    assert holder_from_path("/finance/wallets/robot/3") == ("", 0)
    assert holder_from_path("/finance/wallets/driver/x") == ("", 0)


async def test_the_list_shows_balances_in_the_operators_zone(wallet_world: WalletWorld) -> None:
    _top_up(wallet_world, wallet_world.zoe, 2500, 250)
    admin = login(wallet_world.organisation_id, "admin@example.com")
    await admin.send(WalletListState, "load_zone")
    await admin.send(WalletListState, "load")
    wallets = await admin.state(WalletListState)
    assert wallets.zone == "Europe/Berlin" and wallets.total == 4
    zoe = next(r for r in wallets.rows if r["id"] == f"driver:{wallet_world.zoe}")
    assert (zoe["total"], zoe["paid"], zoe["bonus"]) == ("€27.50", "€25.00", "€2.50")
    assert zoe["last_movement"].endswith(("CET", "CEST"))
    await admin.send(WalletListState, "set_filter", key="holder_kind", value="group")
    assert [r["name"] for r in wallets.rows] == ["Müller Fleet GmbH"]


async def test_an_operator_adjusts_and_refunds_with_a_reason(wallet_world: WalletWorld) -> None:
    w = wallet_world
    _top_up(w, w.zoe, 2000)
    admin = login(w.organisation_id, "admin@example.com").at(f"/finance/wallets/driver/{w.zoe}")
    await admin.send(WalletDetailState, "load")
    page = await admin.state(WalletDetailState)
    assert (page.found, page.name, page.total, page.ledger_total) == (
        True,
        "Zoë Müller",
        "€20.00",
        1,
    )

    await admin.send(WalletDetailState, "set_adjust_amount", value="3")
    await admin.send(WalletDetailState, "submit_adjustment")
    assert page.adjust_errors == {"reason": "Say why (the reason is kept in the ledger)."}

    await admin.send(WalletDetailState, "set_adjust_direction", value="deduct")
    await admin.send(WalletDetailState, "set_adjust_reason", value="parking fine")
    await admin.send(WalletDetailState, "submit_adjustment")
    assert page.adjust_errors == {} and page.total == "€17.00"
    newest = page.lines[0]
    assert (newest["kind"], newest["amount"], newest["balance"], newest["reason"]) == (
        "adjustment",
        "-€3.00",
        "€17.00",
        "parking fine",
    )
    assert newest["who"] == "admin@example.com" and page.adjust_reason == ""

    await admin.send(WalletDetailState, "set_refund_amount", value="17.01")
    await admin.send(WalletDetailState, "set_refund_reason", value="closing the account")
    await admin.send(WalletDetailState, "submit_refund")
    assert "paid money only" in page.refund_errors["amount"]
    await admin.send(WalletDetailState, "set_refund_amount", value="17")
    await admin.send(WalletDetailState, "submit_refund")
    assert (page.total, page.ledger_total, page.lines[0]["kind"]) == ("€0.00", 3, "refund")


async def test_a_reconnect_keeps_the_typed_adjustment_and_another_wallet_starts_empty(
    wallet_world: WalletWorld,
) -> None:
    w = wallet_world
    _top_up(w, w.zoe, 2000)
    admin = login(w.organisation_id, "admin@example.com").at(f"/finance/wallets/driver/{w.zoe}")
    await admin.send(WalletDetailState, "load")
    page = await admin.state(WalletDetailState)
    await admin.send(WalletDetailState, "set_adjust_amount", value="3")
    await admin.send(WalletDetailState, "submit_adjustment")  # no reason: refused
    await admin.send(WalletDetailState, "set_refund_reason", value="closing the acc")
    _top_up(w, w.zoe, 500)  # meanwhile

    await admin.send(WalletDetailState, "load")  # a reconnect runs on_load again
    assert (page.total, page.adjust_amount, page.refund_reason) == (
        "€25.00",
        "3",
        "closing the acc",
    )
    assert set(page.adjust_errors) == {"reason"}

    await admin.at(f"/finance/wallets/driver/{w.jan}").send(WalletDetailState, "load")
    assert (page.adjust_amount, page.refund_reason, page.adjust_errors) == ("", "", {})


async def test_a_reader_sees_the_wallet_but_cannot_change_it(wallet_world: WalletWorld) -> None:
    w = wallet_world
    _top_up(w, w.zoe, 2000)
    reader = login(w.organisation_id, "reader@example.com", {"finance:view"})
    await reader.at(f"/finance/wallets/driver/{w.zoe}").send(WalletDetailState, "load")
    await reader.send(WalletDetailState, "set_adjust_amount", value="500")
    await reader.send(WalletDetailState, "set_adjust_reason", value="free money")
    refused = [
        await reader.send(WalletDetailState, "submit_adjustment"),
        await reader.send(WalletDetailState, "submit_refund"),
    ]
    for update in refused:
        assert isinstance(update, StateUpdate)
        assert "does not allow edit on Finance" in str(update.events)
    page = await reader.state(WalletDetailState)
    assert page.found and page.total == "€20.00" and page.ledger_total == 1


async def test_a_wallet_of_another_network_is_not_found(wallet_world: WalletWorld) -> None:
    w = wallet_world
    outsider = login(w.other_organisation_id, "other@example.com")
    await outsider.at(f"/finance/wallets/driver/{w.zoe}").send(WalletDetailState, "load")
    page = await outsider.state(WalletDetailState)
    assert (page.loaded, page.found) == (True, False)
    await outsider.send(WalletDetailState, "set_adjust_amount", value="5")
    await outsider.send(WalletDetailState, "set_adjust_reason", value="steal")
    await outsider.send(WalletDetailState, "submit_adjustment")
    sub = login(w.sub_operator_id, "sub@example.com")
    await sub.at(f"/finance/wallets/driver/{w.zoe}").send(WalletDetailState, "load")
    assert (await sub.state(WalletDetailState)).found is False
    admin = login(w.organisation_id, "admin@example.com")
    await admin.at(f"/finance/wallets/driver/{w.zoe}").send(WalletDetailState, "load")
    assert (await admin.state(WalletDetailState)).ledger_total == 0
