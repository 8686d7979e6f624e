"""The only door to Stripe: thin, synchronous calls over the official SDK (`stripe.StripeClient`).

Why a wrapper: callers speak CCMS (minor units, our currency codes, our idempotency keys) and
get our errors; nothing else imports `stripe`. Every call that moves or reserves money takes an
idempotency key derived from our own row, so a retry (ours, or the SDK's own network retries)
never charges twice. The SDK blocks: async callers use `asyncio.to_thread`.

Configuration comes from the CCMS_STRIPE_* settings; `stripe_api_base` lets a test point the
client at the fake Stripe server. Without a secret key every call raises
`PaymentsNotConfigured`, whose message the pages and the API show as it is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

import stripe

from ccms_app.core.config import get_settings
from ccms_app.core.i18n import tr
from ccms_app.finance.errors import FinanceError

_TIMEOUT_S = 30.0
_NETWORK_RETRIES = 2  # safe: every POST carries an idempotency key


class PaymentsNotConfigured(FinanceError):
    """No Stripe secret key (or, for webhooks, no webhook secret) is set."""


class StripeFailure(FinanceError):
    """Stripe refused or failed a call: a declined card, an API or network error. `code` and
    `decline_code` are Stripe's (empty when it gave none); the message is for the operator."""

    def __init__(self, message: str, code: str = "", decline_code: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.decline_code = decline_code


@dataclass(frozen=True)
class IntentResult:
    """A PaymentIntent as Stripe answered it; amounts in minor units, currency upper case."""

    id: str
    status: str
    amount_minor: int
    amount_capturable_minor: int
    amount_received_minor: int
    currency: str


NOT_CONFIGURED = "Card payments are not configured: set CCMS_STRIPE_SECRET_KEY"
WEBHOOKS_NOT_CONFIGURED = "Stripe webhooks are not configured: set CCMS_STRIPE_WEBHOOK_SECRET"


def configured() -> bool:
    """Whether card payments and top-ups can be used (a secret key is set)."""
    return bool(get_settings().stripe_secret_key.strip())


@lru_cache(maxsize=4)
def _client_for(secret_key: str, api_base: str) -> stripe.StripeClient:
    return stripe.StripeClient(
        secret_key,
        base_addresses={"api": api_base.rstrip("/")},
        max_network_retries=_NETWORK_RETRIES,
        http_client=stripe.RequestsClient(timeout=_TIMEOUT_S),
    )


def _client() -> stripe.StripeClient:
    settings = get_settings()
    if not settings.stripe_secret_key.strip():
        raise PaymentsNotConfigured(NOT_CONFIGURED)
    return _client_for(settings.stripe_secret_key, settings.stripe_api_base)


def _failure(error: stripe.StripeError) -> StripeFailure:
    """Our error for Stripe's: the card's decline reason when there is one."""
    detail = error.error
    decline_code = (getattr(detail, "decline_code", None) or "") if detail else ""
    message = error.user_message or type(error).__name__
    if isinstance(error, stripe.APIConnectionError):
        message = f"Stripe could not be reached: {message}"
    return StripeFailure(str(message), code=error.code or "", decline_code=str(decline_code))


def _options(idempotency_key: str) -> Any:
    if not idempotency_key:
        raise ValueError(tr("a Stripe call that moves money needs an idempotency key"))
    return {"idempotency_key": idempotency_key}


def _intent(intent: stripe.PaymentIntent) -> IntentResult:
    obj = intent.to_dict()
    return IntentResult(
        id=str(obj["id"]),
        status=str(obj["status"]),
        amount_minor=int(obj.get("amount") or 0),
        amount_capturable_minor=int(obj.get("amount_capturable") or 0),
        amount_received_minor=int(obj.get("amount_received") or 0),
        currency=str(obj.get("currency") or "").upper(),
    )


def create_customer(
    *, email: str, name: str, idempotency_key: str, metadata: dict[str, str]
) -> str:
    """A Stripe customer for a driver or group (saved cards hang off it)."""
    params: dict[str, Any] = {"name": name, "metadata": metadata}
    if email:
        params["email"] = email
    try:
        customer = _client().v1.customers.create(
            cast(Any, params), options=_options(idempotency_key)
        )
    except stripe.StripeError as error:
        raise _failure(error) from error
    return str(customer.id)


def create_setup_intent(*, customer_id: str, idempotency_key: str) -> tuple[str, str]:
    """A SetupIntent that saves a card for off-session use: (id, client secret for Stripe.js)."""
    try:
        params = {"customer": customer_id, "usage": "off_session", "payment_method_types": ["card"]}
        intent = _client().v1.setup_intents.create(
            cast(Any, params),
            options=_options(idempotency_key),
        )
    except stripe.StripeError as error:
        raise _failure(error) from error
    return str(intent.id), str(intent.client_secret or "")


def describe_card(payment_method_id: str) -> str:
    """ "visa •••• 4242, 12/2030": how the saved card is shown to the operator."""
    try:
        method = _client().v1.payment_methods.retrieve(payment_method_id)
    except stripe.StripeError as error:
        raise _failure(error) from error
    return card_label(method.to_dict())


def card_label(payment_method: dict[str, Any]) -> str:
    """The label of a PaymentMethod object (as Stripe sends it in an API answer or event)."""
    card = payment_method.get("card") or {}
    if not card:
        return str(payment_method.get("type") or "payment method")
    brand = str(card.get("brand") or "card")
    expiry = f"{int(card.get('exp_month') or 0):02d}/{card.get('exp_year') or '????'}"
    return f"{brand} •••• {card.get('last4') or '????'}, {expiry}"


def _payment_intent(params: dict[str, Any], idempotency_key: str) -> IntentResult:
    try:
        intent = _client().v1.payment_intents.create(
            cast(Any, params), options=_options(idempotency_key)
        )
    except stripe.StripeError as error:
        raise _failure(error) from error
    return _intent(intent)


def _off_session_params(
    customer_id: str, payment_method_id: str, amount_minor: int, currency: str
) -> dict[str, Any]:
    return {
        "amount": amount_minor,
        "currency": currency.lower(),
        "customer": customer_id,
        "payment_method": payment_method_id,
        "payment_method_types": ["card"],
        "confirm": True,
        "off_session": True,
    }


def create_hold(
    *,
    customer_id: str,
    payment_method_id: str,
    amount_minor: int,
    currency: str,
    idempotency_key: str,
    metadata: dict[str, str],
) -> IntentResult:
    """Reserve `amount_minor` on the saved card (manual capture): status requires_capture."""
    params = _off_session_params(customer_id, payment_method_id, amount_minor, currency)
    params.update(capture_method="manual", metadata=metadata)
    return _payment_intent(params, idempotency_key)


def capture(*, intent_id: str, amount_minor: int, idempotency_key: str) -> IntentResult:
    """Take `amount_minor` (at most what the hold reserved); Stripe releases the rest."""
    try:
        intent = _client().v1.payment_intents.capture(
            intent_id, {"amount_to_capture": amount_minor}, options=_options(idempotency_key)
        )
    except stripe.StripeError as error:
        raise _failure(error) from error
    return _intent(intent)


def cancel(*, intent_id: str, idempotency_key: str) -> IntentResult:
    """Release a hold (a session that cost nothing, or a payment no longer wanted)."""
    try:
        intent = _client().v1.payment_intents.cancel(intent_id, options=_options(idempotency_key))
    except stripe.StripeError as error:
        raise _failure(error) from error
    return _intent(intent)


def charge_off_session(
    *,
    customer_id: str,
    payment_method_id: str,
    amount_minor: int,
    currency: str,
    idempotency_key: str,
    metadata: dict[str, str],
) -> IntentResult:
    """Charge the saved card now, without the customer (the cost above a session's hold)."""
    params = _off_session_params(customer_id, payment_method_id, amount_minor, currency)
    params["metadata"] = metadata
    return _payment_intent(params, idempotency_key)


def create_checkout(
    *,
    amount_minor: int,
    currency: str,
    description: str,
    success_url: str,
    cancel_url: str,
    idempotency_key: str,
    metadata: dict[str, str],
    customer_id: str = "",
) -> tuple[str, str]:
    """A hosted Checkout page for one amount (a wallet top-up): (session id, its URL)."""
    params: dict[str, Any] = {
        "mode": "payment",
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": currency.lower(),
                    "unit_amount": amount_minor,
                    "product_data": {"name": description},
                },
            }
        ],
        "success_url": success_url,
        "cancel_url": cancel_url,
        "metadata": metadata,
        "payment_intent_data": {"metadata": metadata},
    }
    if customer_id:
        params["customer"] = customer_id
    try:
        session = _client().v1.checkout.sessions.create(
            cast(Any, params), options=_options(idempotency_key)
        )
    except stripe.StripeError as error:
        raise _failure(error) from error
    return str(session.id), str(session.url or "")


@dataclass(frozen=True)
class SetupCheckout:
    """A hosted Checkout page in setup mode: the card it saves goes on the customer."""

    session_id: str
    url: str
    setup_intent_id: str  # "" when Stripe makes the SetupIntent only as the page completes


def create_setup_checkout(
    *,
    customer_id: str,
    currency: str,
    success_url: str,
    cancel_url: str,
    idempotency_key: str,
    metadata: dict[str, str],
) -> SetupCheckout:
    """A hosted Checkout page that saves a card for off-session use (mode "setup"): the
    phone-friendly way to add a card without Stripe.js on our pages. The completed session
    names its SetupIntent, whose payment method is the card."""
    params: dict[str, Any] = {
        "mode": "setup",
        "customer": customer_id,
        "currency": currency.lower(),
        "payment_method_types": ["card"],
        "success_url": success_url,
        "cancel_url": cancel_url,
        "metadata": metadata,
        "setup_intent_data": {"metadata": metadata},
    }
    try:
        session = _client().v1.checkout.sessions.create(
            cast(Any, params), options=_options(idempotency_key)
        )
    except stripe.StripeError as error:
        raise _failure(error) from error
    setup = session.to_dict().get("setup_intent")
    setup_id = str(setup.get("id") or "") if isinstance(setup, dict) else str(setup or "")
    return SetupCheckout(str(session.id), str(session.url or ""), setup_id)


def retrieve_setup_intent(setup_intent_id: str) -> dict[str, Any]:
    """A SetupIntent as Stripe holds it now (status, customer, payment_method)."""
    try:
        intent = _client().v1.setup_intents.retrieve(setup_intent_id)
    except stripe.StripeError as error:
        raise _failure(error) from error
    return intent.to_dict()


def refund(*, intent_id: str, amount_minor: int, idempotency_key: str) -> tuple[str, str]:
    """Return `amount_minor` of a succeeded PaymentIntent to the card: (refund id, status)."""
    try:
        made = _client().v1.refunds.create(
            {"payment_intent": intent_id, "amount": amount_minor},
            options=_options(idempotency_key),
        )
    except stripe.StripeError as error:
        raise _failure(error) from error
    return str(made.id), str(made.status or "")


def create_subscription(
    *,
    customer_id: str,
    payment_method_id: str,
    product_name: str,
    amount_minor: int,
    currency: str,
    idempotency_key: str,
    metadata: dict[str, str],
) -> tuple[str, str]:
    """A monthly subscription of `amount_minor` on the saved card: (subscription id, status).
    The product is created with a key derived from the subscription's, so a retry reuses it."""
    client = _client()
    try:
        product = client.v1.products.create(
            {"name": product_name, "metadata": metadata},
            options=_options(f"{idempotency_key}:product"),
        )
        subscription = client.v1.subscriptions.create(
            cast(
                Any,
                {
                    "customer": customer_id,
                    "default_payment_method": payment_method_id,
                    "off_session": True,
                    "items": [
                        {
                            "price_data": {
                                "currency": currency.lower(),
                                "product": product.id,
                                "unit_amount": amount_minor,
                                "recurring": {"interval": "month"},
                            }
                        }
                    ],
                    "metadata": metadata,
                },
            ),
            options=_options(idempotency_key),
        )
    except stripe.StripeError as error:
        raise _failure(error) from error
    return str(subscription.id), str(subscription.status)


def cancel_subscription(*, subscription_id: str) -> str:
    """End a subscription now; returns Stripe's status ("canceled")."""
    try:
        subscription = _client().v1.subscriptions.cancel(subscription_id)
    except stripe.StripeError as error:
        raise _failure(error) from error
    return str(subscription.status)


def verify_webhook(payload: bytes, signature_header: str) -> dict[str, Any]:
    """The event of a webhook request, once its Stripe-Signature is proven: an HMAC-SHA256 of
    "timestamp.payload" with the webhook secret, and a timestamp no older than the tolerance
    (CCMS_STRIPE_WEBHOOK_TOLERANCE_S). StripeFailure says what was wrong."""
    settings = get_settings()
    secret = settings.stripe_webhook_secret
    if not secret.strip():
        raise PaymentsNotConfigured(WEBHOOKS_NOT_CONFIGURED)
    try:
        payload.decode("utf-8")
    except UnicodeDecodeError as error:
        raise StripeFailure(
            tr("Stripe webhook refused: the body is not UTF-8"), "bad_body"
        ) from error
    try:
        stripe.WebhookSignature.verify_header(
            payload, signature_header, secret, tolerance=settings.stripe_webhook_tolerance_s
        )
    except stripe.SignatureVerificationError as error:
        raise StripeFailure(
            tr("Stripe webhook refused: {user_message}", user_message=error.user_message),
            code="bad_signature",
        ) from error
    try:
        event = json.loads(payload)
    except ValueError as error:
        raise StripeFailure(
            tr("Stripe webhook refused: the body is not JSON"), code="bad_body"
        ) from error
    if not isinstance(event, dict) or not event.get("id") or not event.get("type"):
        raise StripeFailure(tr("Stripe webhook refused: not an event"), code="bad_body")
    return cast(dict[str, Any], event)
