"""Analytics page states: thin rx.State classes over the figures and reports."""
