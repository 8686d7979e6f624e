"""Sub-operators (the two-tier framework) on a real database: an operator's administrator
creates them with a first administrator and licence terms, edits the licence, sees their
usage; only system:edit at the top may; an operator sees its sub-operators' network and a
sub-operator never its parent's or a sibling's; after the licence's end its people are
read-only while its chargers keep serving drivers over a real websocket."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import pytest
from ocpp.v16 import call
from sqlmodel import Session, col, select

from ccms_app.accounts import auth
from ccms_app.accounts.gate_marks import requirement
from ccms_app.accounts.licences import licence_summary, licence_usage
from ccms_app.accounts.models import AuditEntry, OperatorAccount, Organisation, Role
from ccms_app.accounts.organisations import organisation_scope
from ccms_app.accounts.principals import Principal, principal_for_session
from ccms_app.accounts.rules.permissions import ADMINISTRATOR, OPERATOR, Action, Module
from ccms_app.accounts.sub_operators import (
    SUB_OPERATOR_LIST,
    SubOperatorError,
    SubOperatorNotFound,
    SubOperatorRefused,
    create_sub_operator,
    describe_row,
    list_sub_operators,
    update_licence,
)
from ccms_app.charging.models import ChargingSession
from ccms_app.core import db
from ccms_app.core.listing import ListQuery, fetch_page
from ccms_app.core.types import utc_now
from ccms_app.drivers.models import IdTag
from ccms_app.network import charge_point_admin as admin
from ccms_app.network import stations
from ccms_app.network.asset_lists import CHARGE_POINT_LIST, STATION_LIST
from ccms_app.network.assets import AssetError, AssetNotFound
from ccms_app.network.models import ChargePoint
from ccms_app.system.state.sub_operators import SubOperatorFormState, SubOperatorListState
from tests.finance.wallets.tabs import login
from tests.fixtures.ocpp import connect_charge_point

PASSWORD = "Lantern-Orbit-Vivid-73"
TODAY = utc_now().date()
ONE_CONNECTOR = [{"connector_id": "1", "connector_type": "Type2", "max_power_kw": "22"}]


@cache
def _password_hash() -> str:
    return auth.hash_password(PASSWORD)


def _account(organisation_id: int, email: str, role: str = ADMINISTRATOR) -> OperatorAccount:
    with db.session_scope() as s:
        account = OperatorAccount(
            organisation_id=organisation_id,
            email=email,
            password_hash=_password_hash(),
            role_id=auth.built_in_role_id(s, role),
        )
        s.add(account)
        s.flush()
        s.refresh(account)
        return account


def _principal(account: OperatorAccount) -> Principal:
    principal = principal_for_session(auth.token_hash(auth.open_session(account)))
    assert principal is not None
    return principal


def _login(email: str, password: str = PASSWORD) -> Principal:
    return _principal(auth.check_credentials(email, password))


def _form(name: str, email: str, **licence: str) -> dict[str, str]:
    return {
        "name": name,
        "admin_name": f"Admin of {name}",
        "admin_email": email,
        "admin_password": PASSWORD,
        "max_charge_points": "",
        "max_connectors": "",
        "valid_from": "",
        "valid_to": "",
        **licence,
    }


def _audit(session: Session) -> list[tuple[str, str, str]]:
    session.rollback()
    rows = session.exec(
        select(AuditEntry)
        .where(AuditEntry.object_type == "sub_operator")
        .order_by(col(AuditEntry.id))
    ).all()
    return [(r.action, r.outcome, r.detail) for r in rows]


@pytest.fixture
def operator_admin(organisation: Organisation) -> Principal:
    return _principal(_account(organisation.id, "admin@operator.example"))


@pytest.fixture
def two_subs(operator_admin: Principal) -> tuple[int, int]:
    """Sub A (50 charge points, a year) and Sub B (no limits), with an administrator each."""
    a = create_sub_operator(
        operator_admin,
        _form(
            "Sub A",
            "admin@a.example",
            max_charge_points="50",
            max_connectors="100",
            valid_from=TODAY.isoformat(),
            valid_to=(TODAY + timedelta(days=9)).isoformat(),
        ),
    )
    b = create_sub_operator(operator_admin, _form("Sub B", "admin@b.example"))
    return a.organisation_id, b.organisation_id


def test_an_operator_creates_a_sub_operator_with_its_first_administrator(
    organisation: Organisation, operator_admin: Principal, session: Session
) -> None:
    created = create_sub_operator(
        operator_admin,
        _form(
            "  City   Parking ",
            "Admin@City.Example",
            max_charge_points="12",
            valid_to="2031-12-31",
        ),
        "192.0.2.10",
    )

    sub = session.get(Organisation, created.organisation_id)
    assert sub is not None and (sub.name, sub.parent_id) == ("City Parking", organisation.id)
    assert (sub.licence_max_charge_points, sub.licence_max_connectors) == (12, None)
    assert (sub.licence_valid_from, sub.licence_valid_to) == (None, date(2031, 12, 31))
    account = session.get(OperatorAccount, created.administrator_id)
    assert account is not None
    role = session.get(Role, account.role_id)
    assert role is not None and (role.name, role.built_in) == (ADMINISTRATOR, True)
    assert (account.email, account.organisation_id) == ("admin@city.example", sub.id)
    assert account.must_change_password and auth.verify_password(account.password_hash, PASSWORD)
    # The new administrator logs in to their own organisation, as an administrator there.
    theirs = _login("admin@city.example")
    assert (theirs.organisation_id, theirs.role_name) == (sub.id, ADMINISTRATOR)
    assert theirs.must_change_password and theirs.can(Module.USERS, Action.EDIT)
    assert _audit(session) == [
        (
            "sub_operator.create",
            "ok",
            "City Parking; administrator admin@city.example; "
            "licence 12 charge points, any connectors, open to 2031-12-31",
        )
    ]
    entry = session.exec(select(AuditEntry).where(AuditEntry.object_type == "sub_operator")).one()
    assert (entry.actor, entry.remote_address, entry.object_id) == (
        "admin@operator.example",
        "192.0.2.10",
        str(sub.id),
    )


def test_every_bad_field_is_named_at_once_and_nothing_is_created(
    operator_admin: Principal, session: Session
) -> None:
    bad = _form(
        " ",
        "not-an-address",
        admin_password="password",
        max_charge_points="-1",
        max_connectors="many",
        valid_from="2030-02-01",
        valid_to="2030-01-31",
    )
    bad["admin_name"] = ""
    with pytest.raises(SubOperatorError) as refused:
        create_sub_operator(operator_admin, bad)

    assert str(refused.value) == "Sub-operator not created: 7 fields need correcting."
    errors = refused.value.errors
    assert set(errors) == {
        "name",
        "admin_name",
        "admin_email",
        "admin_password",
        "max_charge_points",
        "max_connectors",
        "valid_to",
    }
    assert errors["max_connectors"] == "Give a whole number, or leave it empty for no limit."
    assert errors["max_charge_points"].startswith("Cannot be negative")

    only_dates = _form("Dated", "d@example.com", valid_from="2030-02-01", valid_to="2030-01-31")
    with pytest.raises(SubOperatorError) as dates:
        create_sub_operator(operator_admin, only_dates)
    assert dates.value.errors == {"valid_to": "The licence cannot end before it starts."}
    assert (
        session.exec(select(Organisation).where(col(Organisation.parent_id).is_not(None))).all()
        == []
    )


def test_names_and_emails_are_unique(operator_admin: Principal, two_subs) -> None:
    with pytest.raises(SubOperatorError) as refused:
        create_sub_operator(operator_admin, _form("sub a", "admin@b.example"))
    assert refused.value.errors == {
        "name": "An organisation named 'sub a' already exists.",
        "admin_email": "admin@b.example already has a login.",
    }


def test_creating_needs_system_edit_at_the_top(
    organisation: Organisation, two_subs: tuple[int, int], session: Session
) -> None:
    operator = _principal(_account(organisation.id, "ops@operator.example", OPERATOR))
    assert operator.can(Module.SYSTEM, Action.VIEW) and not operator.can(Module.SYSTEM, Action.EDIT)
    with pytest.raises(SubOperatorRefused, match=r"Your role \(Operator\) does not allow"):
        create_sub_operator(operator, _form("Sub C", "c@example.com"))

    # Two tiers: a sub-operator's own administrator cannot make a third.
    sub_admin = _login("admin@a.example")
    assert sub_admin.can(Module.SYSTEM, Action.EDIT)
    with pytest.raises(SubOperatorRefused, match="A sub-operator cannot manage sub-operators"):
        create_sub_operator(sub_admin, _form("Sub A1", "a1@example.com"))
    # Nor change its own licence.
    with pytest.raises(SubOperatorRefused):
        update_licence(sub_admin, two_subs[0], {"max_charge_points": "5000"})

    session.rollback()
    names = session.exec(select(Organisation.name).order_by(Organisation.name)).all()
    assert names == ["Sub A", "Sub B", "Test Operator"]
    refused = [(a, o) for a, o, _ in _audit(session) if o == "refused"]
    assert refused == [
        ("sub_operator.create", "refused"),
        ("sub_operator.create", "refused"),
        ("sub_operator.licence", "refused"),
    ]


def test_the_operator_edits_a_licence_and_the_change_is_audited(
    operator_admin: Principal, two_subs: tuple[int, int], session: Session
) -> None:
    a, _ = two_subs
    update_licence(operator_admin, a, {"max_charge_points": "60", "valid_to": "2032-06-30"})

    sub = session.get(Organisation, a)
    assert sub is not None
    assert (sub.licence_max_charge_points, sub.licence_max_connectors) == (60, None)
    assert (sub.licence_valid_from, sub.licence_valid_to) == (None, date(2032, 6, 30))
    last = _audit(session)[-1]
    assert last[:2] == ("sub_operator.licence", "ok")
    assert last[2].endswith("-> 60 charge points, any connectors, open to 2032-06-30")

    with pytest.raises(SubOperatorError) as bad:
        update_licence(operator_admin, a, {"valid_to": "31/12/2032"})
    assert bad.value.errors == {"valid_to": "Give a date as YYYY-MM-DD, or leave it empty."}
    # Another operator's administrator does not even learn that Sub A exists.
    with db.session_scope() as s:
        other = Organisation(name="Other Operator")
        s.add(other)
        s.flush()
        other_id = other.id
    assert other_id is not None
    stranger = _principal(_account(other_id, "admin@other.example"))
    with pytest.raises(SubOperatorNotFound):
        update_licence(stranger, a, {"max_charge_points": "1"})


def test_the_list_shows_usage_validity_and_status(
    organisation: Organisation, operator_admin: Principal, two_subs: tuple[int, int]
) -> None:
    a, b = two_subs
    scope = organisation_scope(organisation.id)
    depot = stations.create_station(scope, {"name": "A depot"}, a).id
    for identity in ("A-1", "A-2"):
        admin.create_charge_point(
            scope, {"identity": identity, "max_power_kw": "22"}, ONE_CONNECTOR, depot
        )
    ended = create_sub_operator(
        operator_admin, _form("Sub C", "c@example.com", valid_to=(TODAY - timedelta(1)).isoformat())
    )
    later = create_sub_operator(
        operator_admin,
        _form("Sub D", "d@example.com", valid_from=(TODAY + timedelta(3)).isoformat()),
    )

    views = list_sub_operators(organisation.id)

    assert [(v.name, v.charge_points, v.connectors, v.status, v.days_left) for v in views] == [
        ("Sub A", 2, 2, "active", 10),
        ("Sub B", 0, 0, "active", None),
        ("Sub C", 0, 0, "ended", 0),
        ("Sub D", 0, 0, "not started", None),
    ]
    assert {v.id for v in views} == {a, b, ended.organisation_id, later.organisation_id}
    row = fetch_page(SUB_OPERATOR_LIST, ListQuery(search="sub a"), scope).rows[0]
    assert describe_row(row, TODAY) == {
        "id": str(a),
        "name": "Sub A",
        "charge_points": "2 / 50 charge points",
        "connectors": "2 / 100 connectors",
        "valid_from": TODAY.isoformat(),
        "valid_to": (TODAY + timedelta(days=9)).isoformat(),
        "days_left": "10",
        "status": "active",
    }
    # A sub-operator has no sub-operators of its own to see.
    assert list_sub_operators(a) == []


def test_licence_summary_for_the_sub_operators_home(
    organisation: Organisation, two_subs: tuple[int, int]
) -> None:
    a, b = two_subs
    summary = licence_summary(a)
    assert summary is not None
    assert (summary.organisation_name, summary.status, summary.days_left) == ("Sub A", "active", 10)
    assert summary.charge_points_text == "0 / 50 charge points"
    assert summary.connectors_text == "0 / 100 connectors"
    expected_end = (TODAY + timedelta(days=9)).isoformat()
    assert summary.validity_text == f"Valid until {expected_end} · 10 days left"
    assert summary.read_only_reason == "" and not summary.at_limit
    # Sub B has no terms, the operator neither: no licence card.
    assert licence_summary(b) is None and licence_summary(organisation.id) is None
    assert licence_usage(a) == (0, 0)


def test_an_operator_sees_its_sub_operators_network_and_a_sub_operator_only_its_own(
    organisation: Organisation, two_subs: tuple[int, int]
) -> None:
    a, b = two_subs
    operator_scope = organisation_scope(organisation.id)
    depots = {}
    for owner, name in ((organisation.id, "O"), (a, "A"), (b, "B")):
        depots[name] = stations.create_station(operator_scope, {"name": f"{name} depot"}, owner).id
        admin.create_charge_point(
            operator_scope, {"identity": f"{name}-1", "max_power_kw": "22"}, [], depots[name]
        )

    def station_names(scope: frozenset[int]) -> list[str]:
        return [r["name"] for r in fetch_page(STATION_LIST, ListQuery(), scope).rows]

    def identities(scope: frozenset[int]) -> list[str]:
        return [r["identity"] for r in fetch_page(CHARGE_POINT_LIST, ListQuery(), scope).rows]

    assert operator_scope == {organisation.id, a, b}
    assert station_names(operator_scope) == ["A depot", "B depot", "O depot"]
    assert identities(operator_scope) == ["A-1", "B-1", "O-1"]
    assert admin.find_by_identity(operator_scope, "A-1").organisation_id == a

    # Sub A's administrator: its scope is itself.
    a_scope = organisation_scope(_login("admin@a.example").organisation_id)
    assert a_scope == {a}
    assert station_names(a_scope) == ["A depot"] and identities(a_scope) == ["A-1"]
    for identity in ("O-1", "B-1"):  # the parent's and the sibling's do not exist for it
        with pytest.raises(AssetNotFound):
            admin.find_by_identity(a_scope, identity)
    for depot in (depots["O"], depots["B"]):
        with pytest.raises(AssetNotFound):
            stations.get_station(a_scope, depot)
    with pytest.raises(AssetNotFound):
        admin.get_charge_point(a_scope, admin.find_by_identity(operator_scope, "O-1").id)
    # Nor can it create anything for them, or take their charge points.
    with pytest.raises(AssetError):
        stations.create_station(a_scope, {"name": "Sneaky"}, organisation.id)
    with pytest.raises(AssetError):
        admin.create_charge_point(
            a_scope, {"identity": "A-2", "max_power_kw": "22"}, [], depots["B"]
        )


async def test_after_the_end_date_people_read_only_and_chargers_keep_serving(
    operator_admin: Principal, ocpp_url: str, session: Session
) -> None:
    created = create_sub_operator(
        operator_admin, _form("Sub Ended", "admin@ended.example", max_charge_points="5")
    )
    sub_id = created.organisation_id
    session.add(
        ChargePoint(identity="END-1", organisation_id=sub_id, registration_state="registered")
    )
    session.add(IdTag(id_tag="END-CARD", organisation_id=sub_id))
    session.commit()
    yesterday = TODAY - timedelta(days=1)
    update_licence(
        operator_admin, sub_id, {"max_charge_points": "5", "valid_to": yesterday.isoformat()}
    )

    principal = _login("admin@ended.example")

    assert principal.read_only_reason == f"The licence ended on {yesterday.isoformat()}: read-only."
    assert principal.granted  # the role still grants everything; the licence cuts it
    assert principal.permissions and all(
        p.endswith((":view", ":export")) for p in principal.permissions
    )
    assert not principal.can(Module.ASSETS, Action.EDIT)
    assert not principal.can(Module.LIVE_MONITORING, Action.CONTROL)
    assert principal.can(Module.HOME) and principal.can(Module.USERS, Action.EXPORT)
    summary = licence_summary(sub_id)
    assert summary is not None and summary.status == "ended"
    assert summary.read_only_reason == principal.read_only_reason

    async with connect_charge_point(ocpp_url, "END-1") as cp:
        boot = await cp.call(call.BootNotification(charge_point_model="M", charge_point_vendor="V"))
        started = await cp.call(
            call.StartTransaction(
                connector_id=1,
                id_tag="END-CARD",
                meter_start=1000,
                timestamp=utc_now().isoformat(),
            )
        )
    assert boot.status == "Accepted"
    assert started.id_tag_info["status"] == "Accepted"
    with db.read_session() as s:
        charging = s.get(ChargingSession, started.transaction_id)
        assert charging is not None and charging.id_tag == "END-CARD"


async def test_the_dialogs_messages_stay_while_typing_until_the_next_save(
    organisation: Organisation,
) -> None:
    """The form's message and the field errors sit above Create, and the field typed last
    arrives (on leaving it) with the mousedown of the click on Create: clearing them then
    would move Create under the pointer."""
    tab = login(int(organisation.id or 0), "admin@operator.example").at("/system/sub-operators")
    await tab.send(SubOperatorFormState, "open_new")
    form = await tab.state(SubOperatorFormState)
    await tab.send(SubOperatorFormState, "save")
    refused = (dict(form.errors), form.message)
    assert {"name", "admin_name", "admin_email", "admin_password"} <= set(refused[0])
    assert refused[1].startswith("Sub-operator not created")

    for name, value in _form("City Parking", "admin@city.example").items():
        if name == "admin_password":
            await tab.send(SubOperatorFormState, "set_password", password=value)
        else:
            await tab.send(SubOperatorFormState, "set_value", name=name, value=value)
    assert (form.errors, form.message) == refused

    await tab.send(SubOperatorFormState, "save")
    assert (form.errors, form.message, form.mode) == ({}, "", "")


def test_the_page_state_declares_what_the_gate_checks() -> None:
    """Looking needs system:view; opening a dialog and saving need system:edit."""
    for handler in ("open_new", "open_licence", "save"):
        assert requirement(SubOperatorFormState, handler) == "system:edit"
    for handler in ("load_access", "set_value", "set_password", "set_is_open"):
        assert requirement(SubOperatorFormState, handler) == "system:view"
    assert requirement(SubOperatorListState, "load") == "system:view"
