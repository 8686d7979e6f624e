"""Maintenance staff: the people with the role, their profile (phone, on duty, areas)."""

from __future__ import annotations

import pytest

from ccms_app.accounts.roles import InputError, NotFoundError, RefusedError
from ccms_app.maintenance.work_orders import staff
from tests.maintenance.work_orders.support import Workshop


def test_the_staff_list_and_editing_a_profile(workshop: Workshop) -> None:
    w = workshop
    listed = staff.list_staff(w.admin)
    assert [(v.name, v.on_duty, v.areas) for v in listed] == [
        ("Toni Tech", True, ("North",)),
        ("Olga Other", False, ()),
    ]
    assert listed[1].has_profile is False
    view = staff.update_staff(
        w.admin,
        w.other_tech.account_id,
        phone="+49 30 1234",
        on_duty=True,
        notes="HV certified",
        area_ids=[w.area_id],
    )
    assert (view.phone, view.on_duty, view.area_ids, view.has_profile) == (
        "+49 30 1234",
        True,
        (w.area_id,),
        True,
    )
    with pytest.raises(InputError) as caught:
        staff.update_staff(
            w.admin, w.tech.account_id, phone="call me", on_duty=True, notes="", area_ids=[999]
        )
    assert set(caught.value.errors) == {"phone", "area_ids"}
    with pytest.raises(NotFoundError):
        staff.update_staff(w.admin, 999999, phone="", on_duty=True, notes="", area_ids=[])


def test_assignee_choices_put_maintenance_staff_first(workshop: Workshop) -> None:
    w = workshop
    names = [name for _id, name in staff.assignee_choices({w.organisation_id})]
    assert names == ["Olga Other", "Toni Tech", "Ada Admin"]


def test_a_viewer_may_not_edit_profiles(workshop: Workshop) -> None:
    w = workshop
    viewer = type(w.admin)(w.admin.account_id, w.organisation_id, "v@example.com", frozenset())
    with pytest.raises(RefusedError):
        staff.update_staff(viewer, w.tech.account_id, phone="", on_duty=True, notes="", area_ids=[])
