"""Local authorization lists: desired entries, the diff, update plans, and the SendLocalList /
GetLocalListVersion command builders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from ocpp.v16 import call

from ccms_app.control.models import CommandStatus
from ccms_app.control.rules.commands import CommandInputError, build_request, reply_status
from ccms_app.drivers.rules.local_list import (
    DIFFERENTIAL,
    FULL,
    ListDiff,
    ListEntry,
    ListTooLongError,
    apply_update,
    check_fits,
    desired_entry,
    diff_lists,
    next_version,
    plan_differential,
    plan_full,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def entry(tag: str, status: str = "Accepted", **kw: object) -> ListEntry:
    return ListEntry(tag, status, **kw)  # type: ignore[arg-type]


# --- desired entries ------------------------------------------------------------------------


def test_desired_entry_uses_the_authorization_rules() -> None:
    later = NOW + timedelta(days=30, microseconds=123_456)
    ok = desired_entry("A", blocked=False, expiry=later, parent_id_tag="FLEET", now=NOW)
    assert ok == ListEntry("A", "Accepted", later.replace(microsecond=0), "FLEET")
    blocked = desired_entry(
        "B", blocked=True, expiry=NOW - timedelta(days=1), parent_id_tag=None, now=NOW
    )
    assert blocked.status == "Blocked"  # blocked says so even when also expired
    expired = desired_entry("C", blocked=False, expiry=NOW, parent_id_tag="", now=NOW)
    assert (expired.status, expired.parent_id_tag) == ("Expired", None)


def test_authorization_data_leaves_out_what_is_not_set() -> None:
    assert entry("A").authorization_data() == {"id_tag": "A", "id_tag_info": {"status": "Accepted"}}
    full = entry("B", "Blocked", expiry_date=NOW, parent_id_tag="P").authorization_data()
    assert full == {
        "id_tag": "B",
        "id_tag_info": {"status": "Blocked", "expiry_date": NOW, "parent_id_tag": "P"},
    }


# --- diff -------------------------------------------------------------------------------------


def test_diff_sends_only_added_changed_and_removed() -> None:
    sent = [entry("KEEP"), entry("BLOCK-ME"), entry("GONE"), entry("NEW-PARENT")]
    desired = [
        entry("keep"),  # same tag, other spelling: unchanged (case-insensitive)
        entry("BLOCK-ME", "Blocked"),
        entry("NEW-PARENT", parent_id_tag="FLEET"),
        entry("ADDED"),
    ]
    diff = diff_lists(sent, desired)
    assert [e.id_tag for e in diff.upserts] == ["ADDED", "BLOCK-ME", "NEW-PARENT"]
    assert diff.removals == ("GONE",)
    assert diff.size == 4 and not diff.empty


def test_diff_ignores_sub_second_expiry_differences() -> None:
    expiry = NOW + timedelta(days=1)
    sent = [entry("A", expiry_date=expiry.replace(microsecond=0))]
    desired = [entry("A", expiry_date=expiry.replace(microsecond=999_000))]
    assert diff_lists(sent, desired).empty
    moved = [entry("A", expiry_date=expiry + timedelta(hours=1))]
    assert [e.id_tag for e in diff_lists(sent, moved).upserts] == ["A"]


def test_diff_of_equal_lists_is_empty_and_duplicates_count_once() -> None:
    assert diff_lists([entry("A"), entry("B")], [entry("B"), entry("A"), entry("a")]) == ListDiff()


# --- plans ------------------------------------------------------------------------------------


def test_full_plan_fits_in_one_update() -> None:
    (update,) = plan_full([entry("B"), entry("A")], version=4)
    assert (update.version, update.update_type) == (4, FULL)
    assert update.params() == {
        "list_version": 4,
        "update_type": "Full",
        "local_authorization_list": [
            {"id_tag": "A", "id_tag_info": {"status": "Accepted"}},
            {"id_tag": "B", "id_tag_info": {"status": "Accepted"}},
        ],
    }


def test_full_plan_of_an_empty_list_clears_it() -> None:
    (update,) = plan_full([], version=1, send_max=10)
    assert update.params()["local_authorization_list"] == []
    assert update.update_type == FULL


def test_long_full_plan_is_split_into_full_then_differentials() -> None:
    updates = plan_full([entry(f"T{i}") for i in range(5)], version=7, send_max=2)
    assert [(u.version, u.update_type, u.size) for u in updates] == [
        (7, FULL, 2),
        (8, DIFFERENTIAL, 2),
        (9, DIFFERENTIAL, 1),
    ]
    held: list[ListEntry] = [entry("OLD")]
    for update in updates:
        held = apply_update(held, update)
    assert [e.id_tag for e in held] == ["T0", "T1", "T2", "T3", "T4"]


def test_differential_plan_removes_first_and_splits() -> None:
    diff = ListDiff(upserts=(entry("A"), entry("B", "Blocked")), removals=("X", "Y"))
    updates = plan_differential(diff, version=3, send_max=3)
    assert [(u.version, u.removals, [e.id_tag for e in u.upserts]) for u in updates] == [
        (3, ("X", "Y"), ["A"]),
        (4, (), ["B"]),
    ]
    assert updates[0].params()["local_authorization_list"][:2] == [{"id_tag": "X"}, {"id_tag": "Y"}]
    assert plan_differential(ListDiff(), version=3) == []


def test_apply_differential_keeps_what_it_does_not_name() -> None:
    (update,) = plan_differential(
        diff_lists([entry("A"), entry("B")], [entry("A", "Blocked"), entry("C")]), version=2
    )
    held = apply_update([entry("A"), entry("B")], update)
    assert held == [entry("A", "Blocked"), entry("C")]


def test_versions_only_go_up() -> None:
    assert next_version(0, None) == 1
    assert next_version(3, 7) == 8
    assert next_version(5, -1) == 6  # -1 (not supported) is not a version


def test_a_list_longer_than_the_charge_point_holds_is_refused() -> None:
    check_fits(3, 3)
    check_fits(1000, None)
    with pytest.raises(ListTooLongError, match=r"4 id tags do not fit: .* at most 3"):
        check_fits(4, 3)


# --- command builders -------------------------------------------------------------------------


def test_send_local_list_builder_validates_and_converts() -> None:
    request = build_request(
        "SendLocalList",
        {
            "list_version": "5",
            "update_type": "differential",
            "local_authorization_list": [
                {"id_tag": "GONE"},
                {
                    "id_tag": "CARD-1",
                    "id_tag_info": {"status": "blocked", "expiry_date": NOW, "parent_id_tag": "P"},
                },
            ],
        },
    )
    assert isinstance(request, call.SendLocalList)
    assert (request.list_version, request.update_type) == (5, "Differential")
    assert request.local_authorization_list == [
        {"id_tag": "GONE"},
        {
            "id_tag": "CARD-1",
            "id_tag_info": {
                "status": "Blocked",
                "expiry_date": "2026-03-01T12:00:00.000Z",
                "parent_id_tag": "P",
            },
        },
    ]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"update_type": "Full"}, "list_version is required"),
        ({"list_version": -1, "update_type": "Full"}, "list_version must be 0 or more"),
        ({"list_version": 1, "update_type": "Partial"}, "update_type must be one of Full"),
        (
            {
                "list_version": 1,
                "update_type": "Full",
                "local_authorization_list": [{"id_tag": "A"}],
            },
            r"\[0\]: a full update needs id_tag_info",
        ),
        (
            {"list_version": 1, "update_type": "Differential", "local_authorization_list": [{}]},
            r"\[0\]: id_tag is required",
        ),
        (
            {
                "list_version": 1,
                "update_type": "Differential",
                "local_authorization_list": [{"id_tag": "X" * 21}],
            },
            "id_tag must be at most 20 characters",
        ),
        (
            {
                "list_version": 1,
                "update_type": "Differential",
                "local_authorization_list": [{"id_tag": "A", "id_tag_info": {"status": "Maybe"}}],
            },
            "status must be one of Accepted, Blocked",
        ),
        (
            {
                "list_version": 1,
                "update_type": "Differential",
                "local_authorization_list": [
                    {"id_tag": "A", "id_tag_info": {"status": "Accepted", "expiry_date": "soon"}}
                ],
            },
            "expiry_date must be an ISO 8601 date",
        ),
        (
            {
                "list_version": 1,
                "update_type": "Differential",
                "local_authorization_list": [{"id_tag": "abc"}, {"id_tag": "ABC"}],
            },
            "'ABC' is in the list twice",
        ),
        (
            {"list_version": 1, "update_type": "Full", "local_authorization_list": "A,B"},
            "must be a list",
        ),
    ],
)
def test_send_local_list_builder_rejects_bad_input(params: dict, message: str) -> None:
    with pytest.raises(CommandInputError, match=message):
        build_request("SendLocalList", params)


def test_get_local_list_version_and_the_replies() -> None:
    assert isinstance(build_request("GetLocalListVersion", {}), call.GetLocalListVersion)
    from ocpp.v16 import call_result

    assert reply_status(call_result.GetLocalListVersion(list_version=3)) == (
        CommandStatus.ACCEPTED,
        "",
    )
    for answer in ("Failed", "NotSupported", "VersionMismatch"):
        assert reply_status(call_result.SendLocalList(status=answer)) == (
            CommandStatus.REJECTED,
            answer,
        )
    assert reply_status(call_result.SendLocalList(status="Accepted"))[0] == CommandStatus.ACCEPTED
