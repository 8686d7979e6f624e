"""The operator organisation tree."""

from __future__ import annotations

import os

from sqlmodel import Session, select

from ccms_app.models import Organisation

DEFAULT_OPERATOR_NAME = "CCMS Operator"


def root_organisation(session: Session) -> Organisation:
    """The network operator that owns what has no other owner (e.g. unknown charge points).

    Created on first use, named by CCMS_OPERATOR_NAME.
    """
    org = session.exec(
        select(Organisation).where(Organisation.parent_id.is_(None)).order_by(Organisation.id)
    ).first()
    if org is None:
        org = Organisation(name=os.environ.get("CCMS_OPERATOR_NAME", DEFAULT_OPERATOR_NAME))
        session.add(org)
        session.flush()
    return org
