"""Pure rules of driver app accounts: names, app id tags, link lifetimes."""

from __future__ import annotations

import secrets
import string
from datetime import timedelta

from ccms_app.driver_app.models import TokenPurpose

APP_TAG_PREFIX = "APP"
APP_TAG_LENGTH = 20  # OCPP 1.6 idTag: CiString20
_TAG_ALPHABET = string.ascii_uppercase + string.digits
MAX_NAME_LENGTH = 200
LINK_LIFETIME = {
    TokenPurpose.VERIFY_EMAIL: timedelta(days=3),
    TokenPurpose.RESET_PASSWORD: timedelta(hours=1),
}


def new_app_id_tag() -> str:
    """A random id tag for the app (`APP` + 17 characters): unguessable, so nobody can
    start a session on a driver's account by typing it at a charger."""
    rest = APP_TAG_LENGTH - len(APP_TAG_PREFIX)
    return APP_TAG_PREFIX + "".join(secrets.choice(_TAG_ALPHABET) for _ in range(rest))


def clean_name(name: str) -> str:
    """The name as the driver typed it, inner runs of spaces folded."""
    return " ".join(name.split())[:MAX_NAME_LENGTH]
