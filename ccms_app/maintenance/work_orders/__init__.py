"""Work orders: repairs and preventive maintenance, handled by maintenance staff on the phone."""
