"""Payments: payment methods per payer, Stripe (cards, holds, Checkout top-ups, webhooks),
what each session is paid with, reconciliation."""
