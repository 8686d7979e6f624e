"""Who sells, who buys, and what a session was: read from the database at issue time.

Seller: the issuing organisation's BillingProfile, or just the organisation's name (UTC,
EUR, half-up) when it has none. Buyer of a session: its id tag's account. A card with a
group charges on the group account (IdTag.group_id), whoever holds it; otherwise the card's
driver pays; a card nobody owns (or an unknown one) has no buyer to bill.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, col, select

from ccms_app.accounts.models import Organisation
from ccms_app.charging.models import ChargingSession
from ccms_app.core.rows import stored_id
from ccms_app.drivers.models import Driver, IdTag, UserGroup
from ccms_app.finance.billing_profiles import logo_file
from ccms_app.finance.documents.content import Party
from ccms_app.finance.models import BillingProfile
from ccms_app.finance.rules.documents import energy_kwh, format_decimal, local_text
from ccms_app.network.models import ChargePoint, Station


@dataclass(frozen=True)
class Seller:
    party: Party
    time_zone: str
    currency: str
    rounding: str


@dataclass(frozen=True)
class Buyer:
    """The account a document is addressed to: a driver or a group account."""

    party: Party
    driver_id: int | None = None
    group_id: int | None = None

    @property
    def key(self) -> tuple[str, int]:
        """("group", id) or ("driver", id): one monthly invoice per key."""
        return (
            ("group", self.group_id)
            if self.group_id is not None
            else ("driver", self.driver_id or 0)
        )


def _logo_path(profile: BillingProfile) -> str:
    """Where the settings page stored the logo (a file name in the logo directory), as a
    path the PDF can open; an absolute path (set by hand) as it is; "" when there is none."""
    if not profile.logo_path:
        return ""
    if Path(profile.logo_path).is_absolute():
        return profile.logo_path
    found = logo_file(profile)
    return str(found) if found is not None else ""


def seller_of(session: Session, organisation_id: int) -> Seller:
    """The issuing organisation as printed, with its zone, currency and rounding."""
    profile = session.get(BillingProfile, organisation_id)
    if profile is None:
        organisation = session.get(Organisation, organisation_id)
        name = organisation.name if organisation else ""
        return Seller(Party(name=name), "UTC", "EUR", "half_up")
    name = profile.seller_name
    if not name:
        organisation = session.get(Organisation, organisation_id)
        name = organisation.name if organisation else ""
    party = Party(
        name=name,
        email=profile.seller_email,
        address=profile.seller_address,
        vat_id=profile.seller_vat_id,
        logo_path=_logo_path(profile),
    )
    return Seller(party, profile.time_zone or "UTC", profile.currency, profile.rounding)


def buyers_of_tags(session: Session, id_tags: Iterable[str]) -> dict[str, Buyer]:
    """The buyer of each id tag that has one, keyed by the tag in lower case (chargers may
    change the letter case of a card's UID)."""
    keys = sorted({tag.lower() for tag in id_tags})
    if not keys:
        return {}
    rows = session.exec(
        select(IdTag, Driver, UserGroup)
        .outerjoin(Driver, col(Driver.id) == IdTag.driver_id)
        .outerjoin(UserGroup, col(UserGroup.id) == IdTag.group_id)
        .where(func.lower(IdTag.id_tag).in_(keys))
    ).all()
    found: dict[str, Buyer] = {}
    for tag, driver, group in rows:
        buyer = _buyer(tag, driver, group)
        if buyer is not None:
            found[tag.id_tag.lower()] = buyer
    return found


def buyer_of_tag(session: Session, id_tag: str) -> Buyer | None:
    return buyers_of_tags(session, [id_tag]).get(id_tag.lower())


def _buyer(tag: IdTag, driver: Driver | None, group: UserGroup | None) -> Buyer | None:
    if group is not None:
        party = Party(
            name=group.account_name or group.name,
            email=group.billing_email,
            reference=f"Group account {group.name}, card {tag.id_tag}",
        )
        return Buyer(party, group_id=group.id)
    if driver is not None:
        party = Party(name=driver.name, email=driver.email, reference=f"Card {tag.id_tag}")
        return Buyer(party, driver_id=driver.id)
    return None


def anonymous_buyer(id_tag: str) -> Buyer:
    """A card without an account: the receipt names the card only."""
    return Buyer(Party(name=f"Card {id_tag}", reference=f"Card {id_tag}"))


@dataclass(frozen=True)
class Place:
    station: str
    charge_point: str
    time_zone: str


def places_of(session: Session, charge_point_ids: Iterable[int]) -> dict[int, Place]:
    """Station name, charge point identity and the station's zone per charge point."""
    ids = sorted(set(charge_point_ids))
    if not ids:
        return {}
    rows = session.exec(
        select(ChargePoint.id, ChargePoint.identity, Station.name, Station.timezone)
        .outerjoin(Station, col(Station.id) == ChargePoint.station_id)
        .where(col(ChargePoint.id).in_(ids))
    ).all()
    return {
        stored_id(cp_id): Place(station or "", identity, zone or "UTC")
        for cp_id, identity, station, zone in rows
    }


def session_facts(charging: ChargingSession, place: Place) -> dict[str, str]:
    """What a receipt tells about the session, times in the station's zone."""
    return {
        "station": place.station,
        "charge_point": place.charge_point,
        "connector": str(charging.connector_id),
        "id_tag": charging.id_tag,
        "start": local_text(charging.start_time, place.time_zone),
        "stop": local_text(charging.stop_time, place.time_zone),
        "time_zone": place.time_zone,
        "energy_kwh": format_decimal(energy_kwh(charging.energy_wh)),
    }
