"""Partners: revenue-share settlements with sub-operators, home-charger reimbursements."""
