"""The membership network (support.py) and the fake Stripe server for every test here."""

from tests.finance.memberships.support import club
from tests.fixtures.fake_stripe import fake_stripe, stripe_not_configured

__all__ = ["club", "fake_stripe", "stripe_not_configured"]
