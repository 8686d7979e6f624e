"""Everything the wallet page shows, read in one go for the signed-in driver (one thread hop
for the page's load): balance and method, what to top up with, the latest top-ups and
wallet movements, memberships, receipts."""

from __future__ import annotations

from dataclasses import dataclass

from ccms_app.driver_app.driver_accounts import DriverPrincipal
from ccms_app.driver_app.wallet import TopUpOffer, WalletSummary, offer, summary
from ccms_app.driver_app.wallet_history import Movement, TopUpRow, movements, top_up_rows
from ccms_app.driver_app.wallet_memberships import MembershipOffer, membership_offer
from ccms_app.driver_app.wallet_receipts import ReceiptRow, receipts


@dataclass(frozen=True)
class WalletPage:
    summary: WalletSummary
    offer: TopUpOffer
    top_ups: list[TopUpRow]
    movements: list[Movement]
    memberships: MembershipOffer
    receipts: list[ReceiptRow]


def wallet_page(driver: DriverPrincipal) -> WalletPage:
    return WalletPage(
        summary=summary(driver),
        offer=offer(driver),
        top_ups=top_up_rows(driver),
        movements=movements(driver),
        memberships=membership_offer(driver),
        receipts=receipts(driver),
    )
