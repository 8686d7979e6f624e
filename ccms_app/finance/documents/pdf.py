"""A billing document as an A4 PDF, drawn from its frozen content and the issuer's brand.

The same content and brand always give the same bytes: the PDF's creation date is the
document's issue time. The issuing organisation's brand (branding.brands.document_brand) puts
its header text and, when the billing profile has no logo, its logo at the top; the brand is
read when the PDF is drawn, so a changed brand shows on documents downloaded afterwards (the
seller's details, what the law cares about, stay frozen in the content). DejaVu Sans
(assets/fonts) covers the names CCMS meets ("Łódź Müller €").
Amounts carry the currency's symbol (core.money.format_money); unit prices, which may have
more decimals than the currency, keep all of theirs. The seller's logo is drawn when the
file named in the content exists (a path relative to the repository, or absolute).
"""

from __future__ import annotations

import io
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from babel.numbers import format_currency
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from ccms_app.branding.brands import DocumentBrand, document_brand
from ccms_app.core.config import PROJECT_ROOT
from ccms_app.core.money import format_money
from ccms_app.finance.documents.content import line_from_json, load, totals_from_json
from ccms_app.finance.models import BillingDocument, DocumentKind
from ccms_app.finance.rules.documents import DocumentLine, format_decimal

FONT = "DejaVu"
FONTS_DIR = PROJECT_ROOT / "assets" / "fonts"
TITLES: dict[str, str] = {
    DocumentKind.RECEIPT: "Receipt",
    DocumentKind.INVOICE: "Invoice",
    DocumentKind.CREDIT_NOTE: "Credit note",
}
GREY = (90, 90, 90)
HEADING_FILL = (235, 238, 242)
QUANTITY_DECIMALS = Decimal("0.0001")
LOGO_WIDTH = 45


def render_pdf(document: BillingDocument) -> bytes:
    """The document's PDF (A4)."""
    return render_content(load(document.content), document_brand(document.organisation_id))


def render_content(content: dict[str, Any], brand: DocumentBrand | None = None) -> bytes:
    pdf = _new_pdf(content, brand)
    _header(pdf, content, brand)
    _parties(pdf, content)
    _session(pdf, content.get("session"))
    _lines(pdf, content)
    _vat_and_totals(pdf, content)
    _remarks(pdf, content)
    return bytes(pdf.output())


class _DocumentPdf(FPDF):
    """FPDF with the document's footer: seller and page number."""

    footer_text = ""

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font(FONT, "", 8)
        self.set_text_color(*GREY)
        self.cell(0, 5, f"{self.footer_text}    Page {self.page_no()}/{{nb}}", align="C")


def _new_pdf(content: dict[str, Any], brand: DocumentBrand | None) -> _DocumentPdf:
    pdf = _DocumentPdf(orientation="portrait", unit="mm", format="A4")
    pdf.add_font(FONT, "", str(FONTS_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONTS_DIR / "DejaVuSans-Bold.ttf"))
    pdf.footer_text = f"{content['seller']['name']} · {content['number']}"
    pdf.set_creation_date(datetime.fromisoformat(content["issued_at"]))
    pdf.set_title(f"{TITLES.get(content['kind'], 'Document')} {content['number']}")
    pdf.set_author(content["seller"]["name"])
    pdf.set_creator(brand.product_name if brand is not None else content["seller"]["name"])
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(auto=True, margin=22)
    pdf.add_page()
    return pdf


def _text(pdf: FPDF, text: str, size: float = 9.5, bold: bool = False, height: float = 5) -> None:
    pdf.set_font(FONT, "B" if bold else "", size)
    pdf.multi_cell(0, height, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _header(pdf: FPDF, content: dict[str, Any], brand: DocumentBrand | None) -> None:
    """The brand's header text, seller top left, logo top right, then the title with number
    and dates."""
    seller = content["seller"]
    if not _logo(pdf, seller.get("logo_path", "")) and brand is not None and brand.logo:
        draw_logo(pdf, io.BytesIO(brand.logo))
    if brand is not None and brand.header:
        pdf.set_text_color(*GREY)
        right = pdf.r_margin
        pdf.set_right_margin(right + LOGO_WIDTH + 4)  # beside the logo
        _text(pdf, brand.header, size=8.5, height=4.5)
        pdf.set_right_margin(right)
        pdf.ln(2)
    pdf.set_text_color(0, 0, 0)
    _text(pdf, seller["name"], size=13, bold=True, height=6)
    pdf.set_text_color(*GREY)
    details = [seller.get("address", ""), _labelled("VAT ID", seller.get("vat_id", ""))]
    details.append(seller.get("email", ""))
    _text(pdf, "\n".join(part for part in details if part))
    pdf.ln(8)
    pdf.set_text_color(0, 0, 0)
    _text(pdf, f"{TITLES.get(content['kind'], 'Document')} {content['number']}", 18, True, 9)
    pdf.set_text_color(*GREY)
    facts = [f"Date: {content['issued_local']} ({content['time_zone']})"]
    period = content.get("period")
    if period:
        facts.append(f"Period: {period['start']} to {period['end']}")
    credits = content.get("credits")
    if credits:
        facts.append(f"Credits: {credits['number']} of {credits['issued_local']}")
    facts.append(f"Currency: {content['currency']}")
    _text(pdf, "\n".join(facts))
    pdf.ln(4)


def _labelled(label: str, value: str) -> str:
    return f"{label}: {value}" if value else ""


def _logo(pdf: FPDF, logo_path: str) -> bool:
    """The billing profile's logo, when its file is there; whether one was drawn."""
    if not logo_path:
        return False
    path = Path(logo_path)
    path = path if path.is_absolute() else PROJECT_ROOT / path
    if not path.is_file():
        return False
    return draw_logo(pdf, str(path))


def draw_logo(pdf: FPDF, image: str | io.BytesIO) -> bool:
    """A logo top right; an image fpdf cannot read is left out, never a failure."""
    try:
        pdf.image(
            image,
            x=pdf.w - pdf.r_margin - LOGO_WIDTH,
            y=pdf.t_margin,
            w=LOGO_WIDTH,
            h=18,
            keep_aspect_ratio=True,
        )
    except (OSError, ValueError, RuntimeError):
        return False
    return True


def _parties(pdf: FPDF, content: dict[str, Any]) -> None:
    buyer = content["buyer"]
    pdf.set_text_color(0, 0, 0)
    _text(pdf, "Billed to", size=8, bold=True)
    lines: list[str] = []
    for part in (buyer["name"], buyer.get("address"), buyer.get("reference"), buyer.get("email")):
        if part and part not in lines:
            lines.append(part)
    _text(pdf, "\n".join(lines))
    pdf.ln(4)


def _session(pdf: FPDF, session: dict[str, str] | None) -> None:
    """A receipt's charging session: where, which card, when (station time), how much."""
    if not session:
        return
    _text(pdf, "Charging session", size=8, bold=True)
    rows = [
        ("Station", session["station"]),
        ("Charge point", f"{session['charge_point']}, connector {session['connector']}"),
        ("Card", session["id_tag"]),
        ("Start", session["start"]),
        ("Stop", session["stop"]),
        ("Energy", f"{session['energy_kwh']} kWh"),
    ]
    pdf.set_font(FONT, "", 9.5)
    for label, value in rows:
        pdf.set_text_color(*GREY)
        pdf.cell(32, 5, label)
        pdf.set_text_color(0, 0, 0)
        pdf.multi_cell(0, 5, value or "—", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)


def _lines(pdf: FPDF, content: dict[str, Any]) -> None:
    currency = content["currency"]
    lines = [line_from_json(line) for line in content["lines"]]
    dated = any(line.day for line in lines)
    headings = ["Date"] if dated else []
    headings += ["Description", "Quantity", "Unit price", "VAT", "Amount"]
    widths = ([22] if dated else []) + ([70, 26, 24, 14, 28] if dated else [84, 30, 30, 14, 26])
    align = (["LEFT"] if dated else []) + ["LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"]
    pdf.set_font(FONT, "", 9)
    pdf.set_text_color(0, 0, 0)
    style = FontFace(emphasis="BOLD", fill_color=HEADING_FILL)
    with pdf.table(
        col_widths=widths,
        text_align=align,
        headings_style=style,
        borders_layout="HORIZONTAL_LINES",
        line_height=5.5,
        padding=1,
    ) as table:
        table.row(headings)
        for line in lines:
            table.row(([line.day] if dated else []) + _line_cells(line, currency))
    pdf.ln(4)


def _line_cells(line: DocumentLine, currency: str) -> list[str]:
    quantity = "" if line.quantity is None else f"{_quantity(line.quantity)} {line.unit}"
    price = "" if line.unit_price is None else _unit_price(line.unit_price, currency)
    vat = "" if line.vat is None else f"{format_decimal(line.vat)} %"
    return [
        line.description,
        quantity.strip(),
        price,
        vat,
        format_money(line.amount_minor, currency),
    ]


def _quantity(value: Decimal) -> str:
    if value.as_tuple().exponent < QUANTITY_DECIMALS.as_tuple().exponent:  # type: ignore[operator]
        value = value.quantize(QUANTITY_DECIMALS, rounding=ROUND_HALF_UP)
    return format_decimal(value)


def _unit_price(price: Decimal, currency: str) -> str:
    """A price per unit with all its decimals (at least the currency's)."""
    return format_currency(price, currency, locale="en", decimal_quantization=False)


def _vat_and_totals(pdf: FPDF, content: dict[str, Any]) -> None:
    currency = content["currency"]
    rows = content["vat"]
    left = pdf.w - pdf.r_margin - 100
    pdf.set_text_color(0, 0, 0)
    if rows:
        _right_row(pdf, left, ("VAT rate", "Base", "VAT"), bold=True)
        for row in rows:
            rate = "no VAT" if row["rate"] is None else f"{row['rate']} %"
            base = format_money(row["base_minor"], currency)
            _right_row(pdf, left, (rate, base, format_money(row["vat_minor"], currency)))
        pdf.ln(2)
    totals = totals_from_json(content["totals"])
    for label, minor, bold in (
        ("Total excl. VAT", totals.excl_minor, False),
        ("VAT", totals.vat_minor, False),
        ("Total incl. VAT", totals.incl_minor, True),
    ):
        pdf.set_x(left)
        pdf.set_font(FONT, "B" if bold else "", 11 if bold else 9.5)
        pdf.cell(60, 6.5, label)
        pdf.cell(
            40, 6.5, format_money(minor, currency), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
    pdf.ln(6)


def _right_row(pdf: FPDF, left: float, cells: tuple[str, str, str], bold: bool = False) -> None:
    pdf.set_x(left)
    pdf.set_font(FONT, "B" if bold else "", 9)
    pdf.cell(30, 5.5, cells[0])
    pdf.cell(35, 5.5, cells[1], align="R")
    pdf.cell(35, 5.5, cells[2], align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _remarks(pdf: FPDF, content: dict[str, Any]) -> None:
    """The credit note's reference and reason, and the pricing notes."""
    pdf.set_text_color(0, 0, 0)
    credits = content.get("credits")
    if credits:
        _text(
            pdf,
            f"This credit note cancels {credits['number']} of {credits['issued_local']} in full.",
            bold=True,
        )
        if content.get("reason"):
            _text(pdf, f"Reason: {content['reason']}")
    pdf.set_text_color(*GREY)
    for note in content.get("notes", []):
        _text(pdf, note, size=8.5)
