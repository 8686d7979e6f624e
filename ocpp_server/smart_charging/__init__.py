"""OCPP 1.6 Smart Charging: charging profiles, the rules they follow, the composite schedule.

Pure and stdlib-only on purpose: CCMS validates profiles and shows the expected schedule with
it, and the simulated charge point (ocpp_server.simulator) stores profiles and caps its power
with the very same code, so both sides agree on what a profile means.

Profiles travel as the ocpp library hands them over: snake_case dicts (`charging_profile_id`,
`charging_schedule` -> `charging_schedule_period` ...). Limits are physical quantities (W or A)
that OCPP allows in steps of 0.1, kept as Decimal.

- `profiles`: the profile types and unit conversion; `parsing`: reading them from OCPP;
  `validation`: the OCPP rules; `to_ocpp`: writing them back; `composite`: the composite
  schedule (which limit applies when).
"""
