"""System's pure rules: what a setting may hold, how a change reads in the audit trail."""
