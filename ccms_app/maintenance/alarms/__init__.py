"""Alarms: raised from what chargers report, acknowledged, assigned and closed by operators."""
