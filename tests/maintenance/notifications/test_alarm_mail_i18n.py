"""Alarm e-mails in each recipient's language (through aiosmtpd, as test_digest.py): the
language their operator account chose, else the organisation's document language; one mail
per language, English unchanged."""

from __future__ import annotations

from ccms_app.accounts.models import OperatorAccount, Role
from ccms_app.core import db
from ccms_app.core.config import get_settings
from ccms_app.core.i18n import catalog
from ccms_app.maintenance.notifications.digest import send_due_digests
from tests.fixtures.smtp import Inbox
from tests.maintenance.notifications.support import World
from tests.maintenance.notifications.test_digest import (
    _after_window,
    _body,
    inbox,
    smtp_port,
    world,
)

__all__ = ["inbox", "smtp_port", "world"]  # the fixtures of test_digest.py


def _account(organisation_id: int, email: str, language: str) -> None:
    with db.session_scope() as s:
        role = Role(organisation_id=organisation_id, name=f"Role of {email}")
        s.add(role)
        s.flush()
        s.add(
            OperatorAccount(
                organisation_id=organisation_id,
                email=email,
                password_hash="x",
                role_id=role.id or 0,
                language=language,
            )
        )


def test_each_recipient_reads_the_alarm_mail_in_their_language(world: World, inbox: Inbox) -> None:
    _account(world.organisation_id, "anna@example.com", "de")
    _account(world.organisation_id, "li@example.com", "zh_Hans")
    _account(world.organisation_id, "sam@example.com", "")  # the organisation's: English
    world.station("Market Square")
    world.charge_points_at("Market Square", ["MS-7"])
    rule = world.rule("ops@example.com, Anna@example.com, li@example.com, sam@example.com")
    world.raise_alarms(["MS-7"], rule, error_code="OtherError")

    assert send_due_digests(_after_window(), get_settings()).mails == 1  # one digest, 3 mails
    by_recipient = {
        tuple(sorted(r)): m for r, m in zip(inbox.recipients, inbox.messages, strict=True)
    }
    assert set(by_recipient) == {
        ("anna@example.com",),
        ("li@example.com",),
        ("ops@example.com", "sam@example.com"),
    }
    english = by_recipient[("ops@example.com", "sam@example.com")]
    assert english["Subject"] == "CCMS: Connector faulted at MS-7 connector 1 (major)"
    assert "OCPP error code:   OtherError" in _body(english)

    for address, code in (("anna@example.com", "de"), ("li@example.com", "zh_Hans")):
        words = catalog(code)
        message = by_recipient[(address,)]
        where = words["{charge_point} connector {connector}"].format(
            charge_point="MS-7", connector=1
        )
        assert message["Subject"] == words["{product}: {cause} at {where} ({severity})"].format(
            product="CCMS", cause=words["Connector faulted"], where=where, severity=words["major"]
        )
        body = _body(message)
        assert words["OCPP error code:"] in body and "OtherError" in body
        assert "OCPP error code:" not in body
