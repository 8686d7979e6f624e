"""Vouchers: the form's rules, redeeming (every refusal with its message), value and percent
vouchers, eligibility through groups, edits once redeemed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from ccms_app.accounts import audit
from ccms_app.accounts.models import AuditEntry
from ccms_app.charging.models import ChargingSession
from ccms_app.core import db
from ccms_app.core.rows import stored_id
from ccms_app.finance.errors import FinanceError, FinanceNotFound
from ccms_app.finance.wallets.ledger import balance
from ccms_app.finance.wallets.models import LedgerTransaction, RedemptionState, Voucher
from ccms_app.finance.wallets.voucher_admin import (
    create_voucher,
    deactivate_voucher,
    get_voucher,
    update_voucher,
)
from ccms_app.finance.wallets.vouchers import (
    VoucherRefused,
    redeem,
    redeem_voucher,
    take_pending_discount,
)
from ccms_app.network.models import ChargePoint, Station
from tests.finance.wallets.support import WalletWorld

ACTOR = "op@example.com"


def _scope(world: WalletWorld) -> set[int]:
    return {world.organisation_id, world.sub_operator_id}


def _create(world: WalletWorld, eligible: tuple[str, ...] = (), **fields: str):
    form = {"code": "welcome-5", "kind": "value", "value": "5.00", "max_redemptions": "1"}
    form.update(fields)
    return create_voucher(form, list(eligible), world.organisation_id, _scope(world), ACTOR)


def _redeem(code: str, kind: str, holder: int, now: datetime | None = None):
    with db.session_scope() as s:
        return redeem(s, code=code, holder_kind=kind, holder_id=holder, created_by=ACTOR, now=now)


def _refusal(code: str, kind: str, holder: int, now: datetime | None = None) -> VoucherRefused:
    with pytest.raises(VoucherRefused) as refused:
        _redeem(code, kind, holder, now)
    return refused.value


def test_a_code_is_stored_in_capitals_and_unique_whatever_its_case(
    wallet_world: WalletWorld,
) -> None:
    view = _create(wallet_world)
    assert view.voucher.code == "WELCOME-5" and view.voucher.value_minor == 500
    assert view.voucher.currency == "EUR" and view.voucher.created_by == ACTOR
    with pytest.raises(FinanceError) as taken:
        _create(wallet_world, code="Welcome-5")
    assert taken.value.errors == {"code": "The code WELCOME-5 exists already."}


def test_the_form_names_every_wrong_field(wallet_world: WalletWorld) -> None:
    with pytest.raises(FinanceError) as wrong:
        _create(
            wallet_world,
            code="x!",
            kind="percent",
            percent="0",
            max_redemptions="0",
            per_holder_limit="many",
            valid_from="2026-03-02T10:00",
            valid_until="2026-03-01T10:00",
        )
    assert set(wrong.value.errors) == {
        "code",
        "percent",
        "max_redemptions",
        "per_holder_limit",
        "valid_until",
    }
    with pytest.raises(FinanceError) as over:
        _create(wallet_world, kind="percent", percent="100.5")
    assert "percent" in over.value.errors
    with pytest.raises(FinanceError) as cents:
        _create(wallet_world, value="5.001")
    assert "value" in cents.value.errors


def test_unlimited_is_stored_as_no_limit(wallet_world: WalletWorld) -> None:
    view = _create(wallet_world, max_redemptions="", per_holder_limit="3")
    with db.read_session() as s:
        stored = s.get(Voucher, view.voucher.id)
    assert stored is not None and stored.max_redemptions is None
    assert stored.per_holder_limit == 3


def test_eligible_holders_must_be_of_the_organisation(wallet_world: WalletWorld) -> None:
    with pytest.raises(FinanceError) as foreign:
        _create(wallet_world, (f"driver:{wallet_world.stranger}",))
    assert "eligible" in foreign.value.errors
    with pytest.raises(FinanceError, match="not a holder"):
        _create(wallet_world, ("robot:1",))
    with pytest.raises(FinanceNotFound):
        create_voucher({"code": "ABC"}, [], wallet_world.other_organisation_id, {1}, ACTOR)


def test_a_value_voucher_credits_bonus_once(wallet_world: WalletWorld) -> None:
    _create(wallet_world)
    redemption = _redeem("welcome-5", "driver", wallet_world.zoe)
    assert redemption.state == RedemptionState.CREDITED and redemption.amount_minor == 500
    with db.read_session() as s:
        wallet = balance(s, "driver", wallet_world.zoe, "EUR")
        posted = s.get(LedgerTransaction, redemption.ledger_transaction_id)
    assert (wallet.paid_minor, wallet.bonus_minor) == (0, 500)
    assert posted is not None and posted.kind == "voucher"
    assert posted.reference == f"voucher_redemption:{redemption.id}"
    assert _refusal("WELCOME-5", "driver", wallet_world.zoe).reason == "already_redeemed"
    used_up = _refusal("WELCOME-5", "driver", wallet_world.jan)
    assert (used_up.reason, str(used_up)) == ("used_up", "The voucher WELCOME-5 is used up.")


def test_every_refusal_says_why(wallet_world: WalletWorld) -> None:
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    _create(wallet_world, code="SPRING", valid_from="2026-03-10T00:00", valid_until="2026-04-01")
    unknown = _refusal("NOPE", "driver", wallet_world.zoe)
    assert str(unknown) == "No voucher with the code NOPE." and unknown.errors == {
        "code": "No voucher with the code NOPE."
    }
    early = _refusal("spring", "driver", wallet_world.zoe, now)
    assert early.reason == "not_yet_valid"
    assert str(early) == "The voucher SPRING is not valid yet: it starts 2026-03-10 00:00 CET."
    late = _refusal("spring", "driver", wallet_world.zoe, now + timedelta(days=40))
    assert str(late) == "The voucher SPRING expired 2026-04-01 00:00 CEST."
    _redeem("spring", "driver", wallet_world.zoe, now + timedelta(days=10))
    view = get_voucher(_id_of("SPRING"), _scope(wallet_world))
    deactivate_voucher(stored_id(view.voucher.id), _scope(wallet_world))
    inactive = _refusal("spring", "driver", wallet_world.jan, now + timedelta(days=10))
    assert str(inactive) == "The voucher SPRING is no longer active."


def _id_of(code: str) -> int:
    with db.read_session() as s:
        return int(s.execute(select(Voucher.id).where(Voucher.code == code)).scalar_one())


def test_a_group_voucher_reaches_authorised_members_only(wallet_world: WalletWorld) -> None:
    _create(wallet_world, (f"group:{wallet_world.fleet}",), code="FLEET", max_redemptions="")
    assert _redeem("fleet", "group", wallet_world.fleet).state == RedemptionState.CREDITED
    assert _redeem("fleet", "driver", wallet_world.zoe).amount_minor == 500
    not_authorised = _refusal("fleet", "driver", wallet_world.jan)
    assert str(not_authorised) == "The voucher FLEET is not for this driver or group."


def test_a_percent_voucher_discounts_the_next_charged_session(wallet_world: WalletWorld) -> None:
    _create(wallet_world, code="TEN", kind="percent", percent="12.5", value="")
    pending = _redeem("ten", "driver", wallet_world.zoe)
    assert pending.state == RedemptionState.PENDING and pending.ledger_transaction_id is None
    first, second = _sessions(wallet_world, 2)
    with db.session_scope() as s:
        assert (
            take_pending_discount(
                s,
                holder_kind="driver",
                holder_id=wallet_world.jan,
                session_id=first,
                cost_incl_minor=1000,
            )
            == 0
        )
        discount = take_pending_discount(
            s,
            holder_kind="driver",
            holder_id=wallet_world.zoe,
            session_id=first,
            cost_incl_minor=833,
        )
    assert discount == 104  # 12.5 % of 8.33, half-up
    with db.session_scope() as s:  # settling the same session again: the same discount
        again = take_pending_discount(
            s,
            holder_kind="driver",
            holder_id=wallet_world.zoe,
            session_id=first,
            cost_incl_minor=833,
        )
        other = take_pending_discount(
            s,
            holder_kind="driver",
            holder_id=wallet_world.zoe,
            session_id=second,
            cost_incl_minor=833,
        )
    assert (again, other) == (104, 0)


def _sessions(world: WalletWorld, count: int) -> list[int]:
    with db.session_scope() as s:
        station = Station(organisation_id=world.organisation_id, name="S")
        s.add(station)
        s.flush()
        cp = ChargePoint(
            organisation_id=world.organisation_id, station_id=station.id, identity="CP"
        )
        s.add(cp)
        s.flush()
        rows = [
            ChargingSession(
                organisation_id=world.organisation_id,
                charge_point_id=stored_id(cp.id),
                connector_id=1,
                id_tag="CARD",
                start_time=datetime(2026, 3, 1, i, tzinfo=UTC),
                meter_start_wh=0,
            )
            for i in range(count)
        ]
        s.add_all(rows)
        s.flush()
        return [stored_id(r.id) for r in rows]


def test_what_a_code_gives_is_fixed_once_redeemed(wallet_world: WalletWorld) -> None:
    view = _create(wallet_world, max_redemptions="3")
    voucher_id = stored_id(view.voucher.id)
    scope = _scope(wallet_world)
    changed = update_voucher(voucher_id, {"value": "6.00", "code": "WELCOME-6"}, None, scope)
    assert (changed.voucher.code, changed.voucher.value_minor) == ("WELCOME-6", 600)
    _redeem("welcome-6", "driver", wallet_world.zoe)
    _redeem("welcome-6", "driver", wallet_world.jan)
    with pytest.raises(FinanceError) as fixed:
        update_voucher(voucher_id, {"value": "7.00", "max_redemptions": "1"}, None, scope)
    assert fixed.value.errors == {
        "value": "Fixed once the voucher was redeemed.",
        "max_redemptions": "Already redeemed 2 times.",
    }
    kept = update_voucher(
        voucher_id,
        {"description": "Spring", "max_redemptions": ""},
        [f"driver:{wallet_world.zoe}"],
        scope,
    )
    assert kept.voucher.max_redemptions is None and kept.voucher.description == "Spring"
    assert [h.key for h in kept.eligible] == [f"driver:{wallet_world.zoe}"]
    with pytest.raises(FinanceNotFound):
        update_voucher(voucher_id, {}, None, {wallet_world.other_organisation_id})


def test_an_operator_redeems_for_a_holder_of_its_network_only(wallet_world: WalletWorld) -> None:
    _create(wallet_world, max_redemptions="")
    who = audit.Actor(None, wallet_world.organisation_id, ACTOR)
    scope = _scope(wallet_world)
    done = redeem_voucher("welcome-5", "group", wallet_world.fleet, scope, who)
    assert done.amount_minor == 500
    with pytest.raises(FinanceNotFound):
        redeem_voucher("welcome-5", "driver", wallet_world.stranger, scope, who)
    with db.read_session() as s:
        entry = s.execute(
            select(AuditEntry).where(AuditEntry.action == "voucher.redeem")
        ).scalar_one()
    assert entry.detail == f"WELCOME-5 for group:{wallet_world.fleet}: credited 5.00 EUR"
