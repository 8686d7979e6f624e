"""Maintenance reports: the fault repair report and the statistics (work orders, faults by
cause, MTTR / MTBF per vendor and model, NEVI uptime and UK reliability per connector)."""
