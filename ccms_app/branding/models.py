"""An organisation's brand. Images are kept in the database (a logo is a few hundred KB at
most), so every app server of a scaled-out network serves the same ones without a shared
disk; `version` goes up with every change so their URLs change and caches never show an old
one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, LargeBinary
from sqlmodel import Field, SQLModel

from ccms_app.core.types import utc_column, utc_now


class Brand(SQLModel, table=True):
    """What an organisation shows instead of the defaults; empty fields inherit (from the
    parent organisation, then the defaults)."""

    __tablename__ = "brand"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", unique=True, index=True)
    product_name: str = Field(default="", max_length=60)
    primary_colour: str = Field(default="", max_length=7)  # "#0d9488"; "" inherits
    accent_colour: str = Field(default="", max_length=7)
    login_text: str = Field(default="", max_length=500)
    email_sender_name: str = Field(default="", max_length=80)
    document_header: str = Field(default="", max_length=500)  # receipts and invoices
    logo: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    logo_type: str = Field(default="", max_length=40)  # image/png | image/jpeg | image/webp
    favicon: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    favicon_type: str = Field(default="", max_length=40)  # image/png | image/x-icon
    version: int = 1
    updated_by: str = Field(default="", max_length=320)
    updated_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
