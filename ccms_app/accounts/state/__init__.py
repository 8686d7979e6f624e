"""The tab's login (AuthState) and the gate every event passes (gate.py)."""

from ccms_app.accounts.state.auth import AuthState

__all__ = ["AuthState"]
