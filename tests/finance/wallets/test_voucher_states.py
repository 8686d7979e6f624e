"""Finance -> Vouchers: the page's states on a real database, every event through the gate."""

from __future__ import annotations

from reflex.state import StateUpdate
from sqlalchemy import select

from ccms_app.core import db
from ccms_app.finance.state.vouchers import (
    VoucherFormState,
    VoucherListState,
    VoucherRedeemState,
    VoucherRedemptionListState,
)
from ccms_app.finance.wallets.models import Voucher
from tests.finance.wallets.support import WalletWorld
from tests.finance.wallets.tabs import Tab, login


async def _fill(tab: Tab, **fields: str) -> None:
    for name, value in fields.items():
        await tab.send(VoucherFormState, "set_field", name=name, value=value)


async def test_an_operator_creates_a_group_voucher_and_redeems_it(
    wallet_world: WalletWorld,
) -> None:
    w = wallet_world
    admin = login(w.organisation_id, "admin@example.com").at("/finance/vouchers")
    await admin.send(VoucherListState, "load_zone")
    await admin.send(VoucherListState, "load")
    await admin.send(VoucherFormState, "open_new")
    form = await admin.state(VoucherFormState)
    assert form.open and form.form["currency"] == "EUR"
    await admin.send(VoucherFormState, "search_holders", value="fleet")
    assert form.holder_options == [[f"group:{w.fleet}", "Müller Fleet GmbH (group account)"]]
    await admin.send(VoucherFormState, "add_eligible", key=f"group:{w.fleet}")
    await _fill(admin, code="fleet-5", value="5", max_redemptions="2")
    await admin.send(VoucherFormState, "save")
    assert form.open is False and form.errors == {}
    vouchers = await admin.state(VoucherListState)
    (row,) = vouchers.rows
    assert (row["code"], row["gives"], row["used"]) == ("FLEET-5", "€5.00 bonus", "0 / 2")

    await admin.send(VoucherRedeemState, "open_redeem")
    await admin.send(VoucherRedeemState, "set_code", value="fleet-5")
    await admin.send(VoucherRedeemState, "set_holder", value=f"driver:{w.jan}")
    await admin.send(VoucherRedeemState, "redeem")
    redeem = await admin.state(VoucherRedeemState)
    assert redeem.error == "The voucher FLEET-5 is not for this driver or group."
    await admin.send(VoucherRedeemState, "set_holder", value=f"driver:{w.zoe}")
    await admin.send(VoucherRedeemState, "redeem")
    assert redeem.result == "FLEET-5: €5.00 credited to the wallet as bonus."
    assert vouchers.rows[0]["used"] == "1 / 2"

    await admin.send(VoucherRedemptionListState, "show", voucher_id=row["id"])
    redemptions = await admin.state(VoucherRedemptionListState)
    assert redemptions.open and redemptions.voucher_code == "FLEET-5"
    assert [(r["holder"], r["state"], r["amount"]) for r in redemptions.rows] == [
        ("Zoë Müller", "credited", "€5.00")
    ]


async def test_the_form_shows_every_wrong_field_and_edits_keep_what_was_redeemed(
    wallet_world: WalletWorld,
) -> None:
    admin = login(wallet_world.organisation_id, "admin@example.com").at("/finance/vouchers")
    await admin.send(VoucherListState, "load")
    await admin.send(VoucherFormState, "open_new")
    await _fill(admin, code="a", kind="percent", percent="150")
    await admin.send(VoucherFormState, "save")
    form = await admin.state(VoucherFormState)
    assert form.open and set(form.errors) == {"code", "percent"}
    await _fill(admin, code="TEN-OFF", percent="10")
    await admin.send(VoucherFormState, "save")
    with db.read_session() as s:
        voucher_id = s.execute(select(Voucher.id)).scalar_one()
    await admin.send(VoucherFormState, "open_edit", voucher_id=str(voucher_id))
    assert form.form["percent"] == "10" and form.redeemed is False
    await _fill(admin, description="Spring", max_redemptions="")
    await admin.send(VoucherFormState, "save")
    await admin.send(VoucherFormState, "deactivate", voucher_id=str(voucher_id))
    rows = (await admin.state(VoucherListState)).rows
    assert (rows[0]["description"], rows[0]["used"], rows[0]["validity"]) == (
        "Spring",
        "0 / unlimited",
        "deactivated",
    )


async def test_a_reader_cannot_create_deactivate_or_redeem(wallet_world: WalletWorld) -> None:
    reader = login(wallet_world.organisation_id, "reader@example.com", {"finance:view"})
    await reader.at("/finance/vouchers").send(VoucherListState, "load")
    await reader.send(VoucherFormState, "open_new")
    await _fill(reader, code="FREE", value="100")
    refused = [
        await reader.send(VoucherFormState, "save"),
        await reader.send(VoucherFormState, "deactivate", voucher_id="1"),
        await reader.send(VoucherRedeemState, "redeem"),
    ]
    for update in refused:
        assert isinstance(update, StateUpdate)
        assert "does not allow edit on Finance" in str(update.events)
    with db.read_session() as s:
        assert s.execute(select(Voucher)).first() is None
