"""Memberships: plans with a monthly fee, a discount or a member tariff, included kWh."""
