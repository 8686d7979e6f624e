"""The demo network's payments: a top-up package, two drivers paying from prepaid wallets
with a top-up each, a welcome voucher and a membership plan with one member, so a fresh
`make run` shows the Finance pages (wallets, vouchers, memberships, the overview's fees)
with real records.

Everything goes through the use cases an operator's clicks go through (packages, payment
accounts, the wallet ledger, vouchers, plans, enrolment): no number on a page is written
here by hand. The top-ups are credited with `ledger.credit_wallet` under references
"demo:top_up:<driver id>", as Stripe Checkout would credit them (there is no Stripe in a
demo, so they have no Checkout record and are not in the overview's top-up series).

Idempotent: what exists is kept (an operator who changed a plan, a voucher or a payment
method keeps it across restarts); a reference posts once. The two wallet drivers' cards
(DEMO-TAG-001 and -002) are presented by the simulated fleet: their sessions are charged to
the wallets, and once a balance falls below the network's minimum those cards are refused,
as a real wallet payer's would be.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select

from ccms_app.core.db import read_session, session_scope
from ccms_app.drivers.models import Driver
from ccms_app.finance.billing_profiles import get_profile
from ccms_app.finance.memberships import enrolment, plans
from ccms_app.finance.memberships.models import Membership, MembershipPlan
from ccms_app.finance.payments import packages, payment_accounts
from ccms_app.finance.payments.models import PaymentAccount, PaymentMethod, TopUpPackage
from ccms_app.finance.wallets import voucher_admin
from ccms_app.finance.wallets.ledger import credit_wallet
from ccms_app.finance.wallets.models import HolderKind, LedgerKind, Voucher

DEMO_ACTOR = "demo"
PACKAGE = {"name": "Pay 50, get 55", "pay": "50.00", "credit": "55.00"}
VOUCHER = {
    "code": "WELCOME5",
    "description": "Demo: 5.00 welcome credit, once per driver",
    "kind": "value",
    "value": "5.00",
    "max_redemptions": "500",
    "per_holder_limit": "1",
}
PLAN = {
    "name": "Commuter",
    "description": "Demo: 10 % off every session and 20 kWh a month included",
    "monthly_fee": "9.90",
    "fee_collection": "wallet",
    "discount_percent": "10",
    "included_kwh": "20",
}
# (driver e-mail, paid minor units, bonus minor units): the package, and a plain 20.00
WALLET_DRIVERS: tuple[tuple[str, int, int], ...] = (
    ("anna.de.vries@example.com", 5000, 500),
    ("lukas.schmidt@example.com", 2000, 0),
)
MEMBER = "anna.de.vries@example.com"


def seed_demo_payments(organisation_id: int) -> int:
    """The operator's demo payments (see the module docstring); how many records it made.
    Call after finance.demo_tariffs (the billing profile gives the currency)."""
    scope = frozenset({organisation_id})
    created = _package(organisation_id, scope)
    drivers = _drivers(organisation_id, [email for email, _paid, _bonus in WALLET_DRIVERS])
    for email, paid, bonus in WALLET_DRIVERS:
        if email in drivers:
            created += _wallet_driver(organisation_id, scope, drivers[email], paid, bonus)
    created += _voucher(organisation_id, scope)
    plan_id, made = _plan(organisation_id, scope)
    created += made
    if MEMBER in drivers:
        created += _member(scope, plan_id, drivers[MEMBER])
    return created


def _drivers(organisation_id: int, emails: Sequence[str]) -> dict[str, int]:
    with read_session() as db:
        rows = db.exec(
            select(Driver).where(
                Driver.organisation_id == organisation_id,
                col(Driver.email).in_(emails),
            )
        ).all()
    return {row.email: int(row.id or 0) for row in rows}


def _package(organisation_id: int, scope: frozenset[int]) -> int:
    with read_session() as db:
        found = db.exec(
            select(TopUpPackage.id).where(
                TopUpPackage.organisation_id == organisation_id,
                TopUpPackage.name == PACKAGE["name"],
            )
        ).first()
    if found is not None:
        return 0
    packages.create(organisation_id, PACKAGE, DEMO_ACTOR, scope)
    return 1


def _wallet_driver(
    organisation_id: int, scope: frozenset[int], driver_id: int, paid: int, bonus: int
) -> int:
    """Pays from its wallet (unless an operator chose otherwise); one top-up credited."""
    created = 0
    holder = HolderKind.DRIVER.value
    with read_session() as db:
        chosen = db.exec(
            select(PaymentAccount.id).where(
                PaymentAccount.holder_kind == holder, PaymentAccount.holder_id == driver_id
            )
        ).first()
    if chosen is None:
        payment_accounts.set_method(scope, holder, driver_id, PaymentMethod.WALLET, DEMO_ACTOR)
        created += 1
    currency = get_profile(organisation_id).currency
    with session_scope() as db:
        posted = credit_wallet(
            db,
            organisation_id=organisation_id,
            holder_kind=holder,
            holder_id=driver_id,
            currency=currency,
            paid_minor=paid,
            bonus_minor=bonus,
            kind=LedgerKind.TOP_UP,
            reference=f"demo:top_up:{driver_id}",
            reason="Demo top-up" + (f" ({PACKAGE['name']})" if bonus else ""),
            created_by=DEMO_ACTOR,
        )
    return created + (posted is not None)


def _voucher(organisation_id: int, scope: frozenset[int]) -> int:
    with read_session() as db:
        found = db.exec(
            select(Voucher.id).where(
                Voucher.organisation_id == organisation_id, Voucher.code == VOUCHER["code"]
            )
        ).first()
    if found is not None:
        return 0
    voucher_admin.create_voucher(VOUCHER, [], organisation_id, scope, DEMO_ACTOR)
    return 1


def _plan(organisation_id: int, scope: frozenset[int]) -> tuple[int, int]:
    """The plan's id, and 1 when it was created now."""
    with read_session() as db:
        found = db.exec(
            select(MembershipPlan.id).where(
                MembershipPlan.organisation_id == organisation_id,
                MembershipPlan.name == PLAN["name"],
            )
        ).first()
    if found is not None:
        return int(found), 0
    view = plans.create_plan(scope, organisation_id, PLAN, DEMO_ACTOR)
    return view.id, 1


def _member(scope: frozenset[int], plan_id: int, driver_id: int) -> int:
    """Enrolled once (the first fee is taken from the wallet by the enrolment); a driver who
    is or was a member of any plan is left as they are."""
    holder = HolderKind.DRIVER.value
    with read_session() as db:
        ever = db.exec(
            select(Membership.id).where(
                Membership.holder_kind == holder, Membership.holder_id == driver_id
            )
        ).first()
    if ever is not None:
        return 0
    enrolment.enrol(scope, plan_id, holder, driver_id, DEMO_ACTOR)
    return 1
