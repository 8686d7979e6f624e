"""Smart Charging: install, clear and inspect charging profiles on charge points.

A profile is a row first (status requested, its OCPP chargingProfileId assigned here), then a
SetChargingProfile command whose answer sets its status: accepted | rejected, or failed |
timed_out | offline. An accepted profile replaces the charge point's earlier one with the same
id, or with the same stack level and purpose on the same connector (status replaced), as the
charge point itself does. A ClearChargingProfile marks what it matched as cleared. A TxProfile
whose transaction ended is shown as ended: the charge point dropped it with the transaction.

- `profile_views`: the stored profiles as the operator sees them; `profile_commands`:
  SetChargingProfile and ClearChargingProfile; `composite_schedules`: GetCompositeSchedule
  and the schedule CCMS expects. The OCPP rules themselves are ocpp_server.smart_charging.
"""
