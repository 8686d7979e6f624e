"""The e-mails a driver account gets: the verification link and the password reset link.

Written in the driver's language (else the operator's document language), signed with the
brand's sender name, sent from CCMS_SMTP_FROM or the operator's billing e-mail. A failure is
logged, never raised: the page says the same either way (a reset page must not tell who
has an account), and the driver can ask again.
"""

from __future__ import annotations

import logging

from ccms_app.branding.brands import product_name_of, sender_name
from ccms_app.core.config import get_settings
from ccms_app.core.db import read_session
from ccms_app.core.i18n import reading_as, tr
from ccms_app.core.mail import MailError, OutgoingMail, mail_enabled, send_mail
from ccms_app.driver_app.driver_accounts import Link
from ccms_app.driver_app.models import TokenPurpose
from ccms_app.driver_app.rules.paths import RESET, VERIFY
from ccms_app.finance.billing_profiles import document_language
from ccms_app.finance.models import BillingProfile

log = logging.getLogger(__name__)


def link_mail(link: Link, purpose: TokenPurpose, base_url: str) -> OutgoingMail:
    """The mail for `link`, its URL under `base_url` (CCMS_PUBLIC_URL when set)."""
    language = link.language or document_language(link.organisation_id)
    with reading_as(language, link.organisation_id):
        product = product_name_of(link.organisation_id)
        if purpose == TokenPurpose.VERIFY_EMAIL:
            url = f"{base_url}{VERIFY}?token={link.token}"
            subject = tr("Confirm your e-mail address for {product}", product=product)
            text = tr(
                "Welcome! Open this link to confirm your e-mail address, then you can charge "
                "and pay in the app:"
            )
            after = tr("The link works for 3 days. If you did not sign up, ignore this e-mail.")
        else:
            url = f"{base_url}{RESET}?token={link.token}"
            subject = tr("Reset your {product} password", product=product)
            text = tr("Open this link to choose a new password:")
            after = tr(
                "The link works for one hour. If you did not ask for it, ignore this e-mail: "
                "your password stays as it is."
            )
    return OutgoingMail(
        to=link.email,
        subject=subject,
        body=f"{text}\n\n{url}\n\n{after}\n",
        sender=_operator_email(link.organisation_id),
        sender_name=sender_name(link.organisation_id),
    )


def _operator_email(organisation_id: int) -> str:
    with read_session() as db:
        profile = db.get(BillingProfile, organisation_id)
    return profile.seller_email if profile is not None else ""


def send_link(link: Link, purpose: TokenPurpose, base_url: str) -> bool:
    """Send the link's mail; False (logged) when it could not be handed over."""
    settings = get_settings()
    if not mail_enabled(settings):
        log.warning("driver link not mailed: e-mail is off", extra={"purpose": purpose.value})
        return False
    try:
        send_mail(link_mail(link, purpose, base_url), settings)
    except MailError as exc:
        log.warning(
            "driver link mail failed",
            extra={"purpose": purpose.value, "account_id": link.account_id, "reason": str(exc)},
        )
        return False
    log.info("driver link mailed", extra={"purpose": purpose.value, "account_id": link.account_id})
    return True
