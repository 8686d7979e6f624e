"""The operator's overrides of network settings that otherwise come from the environment.

A setting without a row follows its CCMS_* variable (`core.config`); a row replaces it from
the next read, with no restart: the OCPP server's BootNotification interval and the hourly
retention purge read the effective value each time (`system.overrides`). Values are stored as
text and checked by `system.rules.settings` on the way in, so one table holds any of them.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from ccms_app.core.types import utc_column, utc_now


class SystemSetting(SQLModel, table=True):
    """One network-wide setting the operator chose (key: `rules.settings.OVERRIDES`)."""

    __tablename__ = "system_setting"

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=200)
    updated_by: str = Field(default="", max_length=320)
    updated_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
