"""The alarm bell in the app shell and the toast for new alarms."""
