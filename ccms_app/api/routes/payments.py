"""Payments (Finance): every card hold, excess charge, top-up, membership fee and refund.

- `GET /payments`: the Finance -> Payments list through the same spec
  (`finance.payments.listing.PAYMENT_LIST`): search holder / Stripe id; filters kind,
  status, mismatch (true: the reconciliation list), organisation_id, holder_kind,
  holder_id, session_id, top_up_id, refund_of_id; sort, pages or cursor. `/export` streams
  them all; `GET /payments/{id}` one of them. An unknown kind, status or holder_kind is a
  400 naming the choices, before anything is streamed.
- `POST /payments/{id}/refunds {amount_minor?, reason}`: refund all that is left or a part
  -> 201 the refund (a payment of kind refund). 409 when the payment cannot be refunded
  (not succeeded, nothing left, a top-up whose wallet spent the money), 502 when Stripe
  refuses, 503 when Stripe is not configured.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import Path, Response

from ccms_app.accounts import audit
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.api import problems
from ccms_app.api.deps import ApiCaller, gate, router
from ccms_app.api.listing import add_list_routes, filters_checked
from ccms_app.api.problems import Problem
from ccms_app.api.resources import MAX_INT, ListResource
from ccms_app.api.routes.payment_models import RefundIn
from ccms_app.core import listing as core_listing
from ccms_app.finance.errors import FinanceConflict, FinanceError, FinanceNotFound
from ccms_app.finance.payments import refunds
from ccms_app.finance.payments.listing import PAYMENT_LIST
from ccms_app.finance.payments.stripe_gateway import PaymentsNotConfigured, StripeFailure

problems.register(
    {
        FinanceError: 422,
        FinanceNotFound: 404,
        FinanceConflict: 409,
        StripeFailure: 502,
        PaymentsNotConfigured: 503,
    }
)

PREFIX = "/payments"
RESOURCE = ListResource(PAYMENT_LIST, Module.FINANCE, "Payment", "payments")
api = router(PREFIX, "Payments")
PaymentItem = add_list_routes(api, RESOURCE, narrow=filters_checked(PAYMENT_LIST))
Id = Annotated[int, Path(ge=1, le=MAX_INT)]
Editor = Annotated[ApiCaller, gate(Module.FINANCE, Action.EDIT)]


def actor_of(caller: ApiCaller) -> audit.Actor:
    """Who acts through the API, for the use cases' own audit entries."""
    email = caller.principal.email or f"API key {caller.api_key_id}"
    return audit.Actor(None, caller.principal.organisation_id, email, caller.remote_address)


def row_of(payment_id: int, scope: frozenset[int]) -> dict[str, Any]:
    row = core_listing.fetch_one(PAYMENT_LIST, payment_id, scope)
    if row is None:
        raise Problem(404, f"No payment {payment_id} in this key's scope.")
    return row


def _refund(payment_id: int, body: RefundIn, caller: ApiCaller) -> dict[str, Any]:
    made = refunds.refund_minor(
        caller.scope, payment_id, body.amount_minor, body.reason, actor_of(caller)
    )
    return row_of(int(made.id or 0), caller.scope)


@api.post(
    "/{id}/refunds",
    status_code=201,
    response_model=PaymentItem,
    summary="Refund a card payment (all that is left, or a part), with a reason",
    operation_id="refund_payment",
    responses={
        404: {"description": "Not in this key's scope"},
        502: {"description": "Stripe refused the refund; nothing was refunded"},
        503: {"description": "Card payments are not configured"},
    },
)
async def refund_payment(id: Id, body: RefundIn, caller: Editor, response: Response) -> Any:
    made = await asyncio.to_thread(_refund, id, body, caller)
    response.headers["Location"] = f"/api/v1{PREFIX}/{made['id']}"
    return made
