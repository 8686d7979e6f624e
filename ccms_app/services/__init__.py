"""Use cases: domain logic + database (+ OCPP command port, Stripe)."""
