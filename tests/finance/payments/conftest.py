"""Every payments test here: the fake Stripe server (tests/fixtures/fake_stripe.py), the
paying network and the webhook client (support.py), and the webhook handlers registered as
runtime.py registers them."""

from ccms_app.finance.payments import webhook_handlers
from tests.finance.payments.support import pay_world, stripe_posts
from tests.fixtures.fake_stripe import fake_stripe, stripe_not_configured

webhook_handlers.install()

__all__ = ["fake_stripe", "pay_world", "stripe_not_configured", "stripe_posts"]
