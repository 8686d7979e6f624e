"""Load balancing: pure rules (allocation, limits, plans, sending, wiring, building load).

No database, no Reflex, no I/O: the controller gathers the inputs, these rules decide.
"""
