"""Every payments test here: the fake Stripe server (tests/fixtures/fake_stripe.py), the
paying network and the webhook client (support.py); tests/conftest.py registers the
payment listeners and webhook handlers as runtime.py does."""

from tests.finance.payments.support import pay_world, stripe_posts
from tests.fixtures.fake_stripe import fake_stripe, stripe_not_configured

__all__ = ["fake_stripe", "pay_world", "stripe_not_configured", "stripe_posts"]
