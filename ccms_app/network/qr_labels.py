"""QR labels to print: one label per connector of a charge point, or of every charge point
of a station, as an A4 PDF (fpdf2; the billing documents' fonts, so any name renders).

Each label shows the brand's product name (the charge point owner's brand), the station, the
charge point and connector, its type and power, and a QR code (segno) of the connector's
page in the driver app on CCMS's public address (`Settings.charger_base_url`: CCMS_PUBLIC_URL,
else this host), with that address printed under it. The words are in the reader's language
(the caller sets it). A charge point or station outside the operator's scope is not found;
one without connectors yet has nothing to print (LabelsError says so).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import segno
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from sqlmodel import Session, col, select

from ccms_app.branding.brands import effective_brand
from ccms_app.core.config import get_settings
from ccms_app.core.db import read_session
from ccms_app.core.i18n import tr
from ccms_app.core.rows import stored_id
from ccms_app.finance.documents.pdf import FONT, FallbackFontPdf, add_fonts
from ccms_app.network.assets import get_scoped
from ccms_app.network.models import ChargePoint, Connector, Station
from ccms_app.network.rules.qr_labels import (
    LABEL_H,
    LABEL_W,
    QR_SIZE,
    QUIET_ZONE,
    Label,
    dark_runs,
    file_name,
    label_lines,
    label_url,
    position,
)

GREY = (110, 110, 110)
CUT_LINE = (190, 190, 190)


class LabelsError(ValueError):
    """Nothing to print (no connectors yet): the message says why, for the operator."""


@dataclass(frozen=True)
class LabelSheet:
    title: str
    name: str  # the file's name
    labels: tuple[Label, ...]


def charge_point_sheet(scope: Collection[int], charge_point_id: int) -> LabelSheet:
    """The labels of one charge point's connectors (AssetNotFound outside the scope)."""
    with read_session() as session:
        cp = get_scoped(session, ChargePoint, charge_point_id, scope)
        station = session.get(Station, cp.station_id) if cp.station_id else None
        labels = _labels(session, [cp], station.name if station else "")
    if not labels:
        raise LabelsError(
            tr(
                "Charge point {identity} has no connectors yet: they appear when it reports "
                "them, or add them on its form.",
                identity=cp.identity,
            )
        )
    return LabelSheet(tr("QR labels of {name}", name=cp.identity), file_name(cp.identity), labels)


def station_sheet(scope: Collection[int], station_id: int) -> LabelSheet:
    """The labels of every connector at the station (its charge points in scope)."""
    with read_session() as session:
        station = get_scoped(session, Station, station_id, scope)
        charge_points = session.exec(
            select(ChargePoint)
            .where(
                ChargePoint.station_id == station_id,
                col(ChargePoint.organisation_id).in_(list(scope)),
            )
            .order_by(col(ChargePoint.identity))
        ).all()
        labels = _labels(session, list(charge_points), station.name)
    if not labels:
        raise LabelsError(
            tr("Station {name} has no connectors yet: nothing to print.", name=station.name)
        )
    return LabelSheet(tr("QR labels of {name}", name=station.name), file_name(station.name), labels)


def _labels(session: Session, charge_points: list[ChargePoint], station: str) -> tuple[Label, ...]:
    by_id = {stored_id(cp.id): cp for cp in charge_points}
    if not by_id:
        return ()
    connectors = session.exec(
        select(Connector)
        .where(col(Connector.charge_point_id).in_(list(by_id)), Connector.connector_id > 0)
        .order_by(col(Connector.charge_point_id), col(Connector.connector_id))
    ).all()
    base = get_settings().charger_base_url
    products: dict[int, str] = {}
    labels: list[Label] = []
    for cp in charge_points:
        owner = cp.organisation_id
        if owner not in products:
            products[owner] = effective_brand(owner).product_name
        labels.extend(
            Label(
                product_name=products[owner],
                station_name=station,
                identity=cp.identity,
                connector_id=c.connector_id,
                connector_type=c.connector_type,
                max_power_w=c.max_power_w or cp.max_power_w,
                url=label_url(base, cp.identity, c.connector_id),
            )
            for c in connectors
            if c.charge_point_id == cp.id
        )
    return tuple(labels)


def render_sheet(sheet: LabelSheet) -> bytes:
    """The labels as an A4 PDF, six to a page."""
    pdf = FallbackFontPdf(orientation="portrait", unit="mm", format="A4")
    texts = [f"{label.product_name} {label.station_name}" for label in sheet.labels]
    add_fonts(pdf, sheet.title, *texts)
    pdf.set_title(sheet.title)
    pdf.set_creator(sheet.labels[0].product_name if sheet.labels else "")
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(0, 0, 0)
    for index, label in enumerate(sheet.labels):
        page, left, top = position(index)
        if page >= pdf.pages_count:
            pdf.add_page()
        _label(pdf, label, left, top)
    return bytes(pdf.output())


def _line(pdf: FPDF, text: str, left: float, top: float, size: float, bold: bool = False) -> None:
    """One centred line, made smaller (down to 6 pt) or cut so it fits the label."""
    width = LABEL_W - 8
    style = "B" if bold else ""
    pdf.set_font(FONT, style, size)
    while pdf.get_string_width(text) > width and size > 6:
        size -= 0.5
        pdf.set_font(FONT, style, size)
    while pdf.get_string_width(text) > width and len(text) > 1:
        text = text[:-2] + "…"
    pdf.set_xy(left + 4, top)
    pdf.cell(width, size * 0.45, text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _label(pdf: FPDF, label: Label, left: float, top: float) -> None:
    pdf.set_draw_color(*CUT_LINE)
    pdf.set_line_width(0.2)
    pdf.set_dash_pattern(dash=1.5, gap=1.5)
    pdf.rect(left, top, LABEL_W, LABEL_H, style="D")
    pdf.set_dash_pattern()
    pdf.set_text_color(0, 0, 0)
    _line(pdf, label.product_name, left, top + 5, 14, bold=True)
    _line(pdf, label.station_name, left, top + 12, 10)
    draw_qr(pdf, label.url, left + (LABEL_W - QR_SIZE) / 2, top + 17)
    call, where, facts = label_lines(label)
    _line(pdf, call, left, top + 65, 12, bold=True)
    _line(pdf, where, left, top + 71.5, 9)
    if facts:
        _line(pdf, facts, left, top + 76.5, 9)
    pdf.set_text_color(*GREY)
    _line(pdf, label.url, left, top + 82.5, 7)


def qr_matrix(url: str) -> Sequence[Sequence[int]]:
    """The QR code's modules (1 = dark), without the quiet zone."""
    return segno.make(url, micro=False).matrix


def draw_qr(pdf: FPDF, url: str, left: float, top: float) -> None:
    """The code as filled squares in a QR_SIZE square (its quiet zone included)."""
    matrix = qr_matrix(url)
    module = QR_SIZE / (len(matrix) + 2 * QUIET_ZONE)
    origin_x, origin_y = left + QUIET_ZONE * module, top + QUIET_ZONE * module
    pdf.set_fill_color(0, 0, 0)
    for row, column, length in dark_runs(matrix):
        pdf.rect(
            origin_x + column * module, origin_y + row * module, length * module, module, style="F"
        )
