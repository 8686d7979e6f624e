"""Firmware Management: firmware files, roll-out campaigns, diagnostics uploads.

CCMS serves the firmware files and receives the diagnostics itself (HTTP on the web port, see
ccms_app/api), so the whole loop works on one machine. A campaign sends UpdateFirmware to all
its charge points at the scheduled time (APScheduler job, restored from the database at start-
up) and follows each one through the FirmwareStatusNotifications it sends.

- `images`: uploaded firmware images and the URL chargers download them from.
- `campaigns` (create, cancel), `campaign_runs` (scheduled runs), `campaign_progress`
  (FirmwareStatusNotification), `campaign_views` (reading).
- `diagnostics`: GetDiagnostics with CCMS as the upload target, and the stored uploads.
- `storage`: safe file names and temporary files shared by images and diagnostics.
- `image_routes`, `diagnostics_routes`: the HTTP side; `state`, `pages`: the Firmware page.
"""
