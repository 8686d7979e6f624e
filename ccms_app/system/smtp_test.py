"""The SMTP test button: one e-mail to the signed-in operator through the configured server.

SMTP is configured by the environment (CCMS_SMTP_*, `core.mail`), not on the page: the
password must not pass through a browser or the database. The test tells an operator
whether receipts, invoices and alarm e-mails can leave: it answers what the server said
(its refusal, or that nothing answered), or that e-mail is off and which variables turn it
on. Blocking (an SMTP conversation, up to CCMS_SMTP_TIMEOUT): call it in a thread.

The test e-mail goes to the signed-in operator, so it is in the language their tab reads
(`language`), the organisation's brand naming the product.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ccms_app.core.config import Settings
from ccms_app.core.i18n import Message, _, reading_as, tr
from ccms_app.core.mail import MailError, OutgoingMail, mail_enabled, send_mail
from ccms_app.finance import billing_profiles

log = logging.getLogger(__name__)

SETUP_VARIABLES = "CCMS_SMTP_HOST, CCMS_SMTP_PORT, CCMS_SMTP_FROM"


@dataclass(frozen=True)
class SmtpStatus:
    """What the page says about e-mail (never the password)."""

    configured: bool
    server: str  # "mail.example.com:587", "" when off
    sender: str  # CCMS_SMTP_FROM, "" = the seller's e-mail of each document
    starttls: bool
    login: bool  # a username is set


@dataclass(frozen=True)
class TestOutcome:
    sent: bool
    message: Message


def smtp_status(settings: Settings) -> SmtpStatus:
    if not mail_enabled(settings):
        return SmtpStatus(False, "", "", False, False)
    return SmtpStatus(
        True,
        f"{settings.smtp_host}:{settings.smtp_port}",
        settings.smtp_from,
        settings.smtp_starttls,
        bool(settings.smtp_username),
    )


def send_test_mail(to: str, organisation_id: int, language: str, settings: Settings) -> TestOutcome:
    """Send the test e-mail to `to` (the operator reading in `language`); never raises for a
    mail problem, it says it."""
    if not mail_enabled(settings):
        return TestOutcome(
            False,
            _(
                "E-mail is off: set {variables} (and CCMS_SMTP_USERNAME, CCMS_SMTP_PASSWORD, "
                "CCMS_SMTP_STARTTLS if your server needs them), then restart the service.",
                variables=SETUP_VARIABLES,
            ),
        )
    if not to.strip():
        return TestOutcome(False, _("Your account has no e-mail address to send the test to."))
    profile = billing_profiles.get_profile(organisation_id)
    server = f"{settings.smtp_host}:{settings.smtp_port}"
    with reading_as(language, organisation_id):
        mail = OutgoingMail(
            to=to,
            subject=tr("Test e-mail from your charging network"),
            body=tr(
                "This is a test e-mail sent from the System settings page. If you read it, "
                "receipts, invoices and alarm e-mails can be sent through {server}.",
                server=server,
            ),
            sender=profile.seller_email,
        )
    try:
        send_mail(mail, settings)
    except MailError as exc:
        log.info("smtp test failed", extra={"reason": str(exc)})
        return TestOutcome(False, _("The test e-mail was not sent: {reason}", reason=str(exc)))
    return TestOutcome(True, _("Test e-mail sent to {address}.", address=to))
