"""Home-charging reimbursement over the REST API, real HTTP, real migrated database: a home
charger marked (every wrong field named), listed, the month per employee with the figures
computed by hand in tests/finance/partners/test_reimbursements.py, its CSV and PDF, another
organisation's key finding none of it, and the home charger unmarked."""

from __future__ import annotations

import csv
import io

import httpx

from tests.api.rest import Keys, bearer, keys, rest, served
from tests.finance.partners import test_reimbursements
from tests.finance.partners.support import EMPLOYEE, MARCH, Network, network

__all__ = ["keys", "network", "rest", "served"]

PATH = "/home-chargers"


def _fields(reply: httpx.Response) -> set[str]:
    return {entry["field"] for entry in reply.json().get("errors", [])}


async def test_a_home_charger_and_the_months_reimbursement(
    rest: httpx.AsyncClient, keys: Keys, network: Network
) -> None:
    key = bearer(keys.make("Finance"))
    body = {
        "charge_point_id": network.cp_home,
        "driver_id": network.employee_id,
        "rate_per_kwh": "0.3125",
        "since": "2026-03-05T00:00:00+01:00",
    }

    made = await rest.post(PATH, json=body, headers=key)

    assert made.status_code == 201, made.text
    charger = made.json()
    assert made.headers["location"] == f"/api/v1{PATH}/{network.cp_home}"
    assert (charger["id"], charger["charge_point"], charger["employee"]) == (
        network.cp_home,
        "CP-HOME-ZOE",
        EMPLOYEE,
    )
    assert (charger["rate_per_kwh"], charger["currency"]) == ("0.3125", "EUR")
    again = await rest.post(PATH, json=body, headers=key)
    assert again.status_code == 422 and _fields(again) == {"charge_point_id"}
    wrong = await rest.post(
        PATH,
        json={**body, "charge_point_id": 987654, "rate_per_kwh": "-1", "currency": "XYZ"},
        headers=key,
    )
    assert wrong.status_code == 422
    assert _fields(wrong) == {"charge_point_id", "rate_per_kwh", "currency"}
    listed = (await rest.get(PATH, params={"driver_id": network.employee_id}, headers=key)).json()
    assert [item["id"] for item in listed["items"]] == [network.cp_home]

    test_reimbursements.march(network)
    month = (await rest.get(f"/reimbursements/{MARCH}", headers=key)).json()
    (employee,) = month["items"]
    assert (employee["employee"], employee["currency"], employee["time_zone"]) == (
        EMPLOYEE,
        "EUR",
        "Europe/Berlin",
    )
    assert (employee["sessions_count"], employee["energy_wh"]) == (3, 18_896)
    assert (employee["amount_exact"], employee["amount_minor"]) == ("5.905", 591)
    assert (employee["other_sessions"], employee["other_energy_wh"]) == (2, 7_000)
    assert employee["chargers"] == [{"charge_point": "CP-HOME-ZOE", "rate": "0.3125 EUR/kWh"}]
    assert [s["stopped_local"] for s in employee["sessions"]] == [
        "2026-03-10 20:00",
        "2026-03-15 01:00",
        "2026-03-31 23:30",
    ]
    one = await rest.get(f"/reimbursements/{MARCH}/{network.employee_id}", headers=key)
    assert one.json() == employee
    table = await rest.get(employee["csv"].removeprefix("/api/v1"), headers=key)
    rows = list(csv.DictReader(io.StringIO(table.text)))
    assert (rows[-1]["record"], rows[-1]["amount"]) == ("total", "5.91")
    pdf = await rest.get(employee["pdf"].removeprefix("/api/v1"), headers=key)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")

    partner = bearer(keys.make("Finance", network.sued_id))
    assert (await rest.get(f"/reimbursements/{MARCH}", headers=partner)).json()["items"] == []
    mine = f"/reimbursements/{MARCH}/{network.employee_id}"
    assert (await rest.get(mine, headers=partner)).status_code == 404
    assert (await rest.delete(f"{PATH}/{network.cp_home}", headers=partner)).status_code == 404

    assert (await rest.delete(f"{PATH}/{network.cp_home}", headers=key)).status_code == 204
    assert (await rest.get(f"{PATH}/{network.cp_home}", headers=key)).status_code == 404
    assert (await rest.get(f"/reimbursements/{MARCH}", headers=key)).json()["items"] == []
