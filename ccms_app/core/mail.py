"""Outgoing e-mail over SMTP (CCMS_SMTP_*): one message per call, with attachments.

Settings: CCMS_SMTP_HOST (empty: e-mail is off), CCMS_SMTP_PORT (25), CCMS_SMTP_USERNAME and
CCMS_SMTP_PASSWORD (both set: AUTH after the optional STARTTLS), CCMS_SMTP_STARTTLS
(true: upgrade the plain connection before anything else is said), CCMS_SMTP_FROM (the sender;
empty: the caller's fallback, e.g. the seller's address), CCMS_SMTP_TIMEOUT (seconds).
The From header's display name is the caller's `sender_name` (the brand's e-mail sender
name) unless CCMS_SMTP_FROM names one itself ("Ops <ops@example.com>").

Every failure, whether the server is unreachable, refuses the login or refuses a recipient,
is a `MailError` with a short reason the caller can record; a caller that must not fail
(a scheduler job) catches only that.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid, parseaddr

from ccms_app.core.config import Settings
from ccms_app.core.i18n import tr


class MailError(Exception):
    """The message was not handed to the SMTP server; the text says why."""


class MailOffError(MailError):
    """CCMS_SMTP_HOST is empty: nothing is sent, nothing tried."""


class MailServerUnreachableError(MailError):
    """No SMTP conversation at all (refused, timed out, no route): every message would fail
    the same way now, so a batch stops at the first one."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    maintype: str = "application"
    subtype: str = "octet-stream"


@dataclass(frozen=True)
class OutgoingMail:
    to: str
    subject: str
    body: str
    sender: str = ""  # used when CCMS_SMTP_FROM is empty
    attachments: tuple[Attachment, ...] = ()
    sender_name: str = ""  # the From display name (the brand's), unless CCMS_SMTP_FROM has one


def mail_enabled(settings: Settings) -> bool:
    return bool(settings.smtp_host)


def build_message(mail: OutgoingMail, settings: Settings) -> EmailMessage:
    """The MIME message: plain-text body, then each attachment."""
    sender = settings.smtp_from or mail.sender
    if not sender:
        raise MailError(tr("no sender address: set CCMS_SMTP_FROM or the seller's e-mail"))
    message = EmailMessage()
    message["From"] = from_header(sender, mail.sender_name)
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    address = parseaddr(sender)[1] or sender
    message["Message-ID"] = make_msgid(domain=address.rpartition("@")[2] or None)
    message.set_content(mail.body)
    for item in mail.attachments:
        message.add_attachment(
            item.content, maintype=item.maintype, subtype=item.subtype, filename=item.filename
        )
    return message


def from_header(sender: str, name: str) -> str:
    """`sender` with `name` as its display name, unless it has one already (set on purpose in
    CCMS_SMTP_FROM) or `name` is empty; line breaks in `name` cannot reach the header."""
    own_name, address = parseaddr(sender)
    clean = " ".join(name.split())
    if own_name or not clean or not address:
        return sender
    return formataddr((clean, address))


def send_mail(mail: OutgoingMail, settings: Settings) -> None:
    """Hand `mail` to the configured SMTP server; MailError (MailOffError when off) if not."""
    if not mail_enabled(settings):
        raise MailOffError(tr("e-mail is off (CCMS_SMTP_HOST is not set)"))
    message = build_message(mail, settings)
    try:
        with smtplib.SMTP(
            settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout
        ) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_username:
                smtp.login(settings.smtp_username, settings.smtp_password)
            smtp.send_message(message)
    except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError) as exc:
        raise MailServerUnreachableError(_reason(exc, settings)) from exc
    except smtplib.SMTPException as exc:  # the server answered: login, sender, recipient ...
        raise MailError(_reason(exc, settings)) from exc
    except OSError as exc:  # refused, timed out, no route, TLS failed
        raise MailServerUnreachableError(_reason(exc, settings)) from exc


def _reason(exc: Exception, settings: Settings) -> str:
    """What went wrong, short enough for a status column, never the password."""
    where = f"{settings.smtp_host}:{settings.smtp_port}"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"SMTP login refused by {where}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return f"recipient refused by {where}"
    if isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error
        detail = error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error)
        return f"{where} answered {exc.smtp_code} {detail}".strip()[:300]
    name = type(exc).__name__
    return f"cannot send through {where}: {name} {exc}".strip()[:300]
