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

Its words are in the issuing organisation's document language (billing_profiles.
document_language, render_pdf reads as it): the labels, money and numbers as that language
writes them, the frozen dates ("2026-02-10 10:00 CET") with their date part in its order and
the fixed line descriptions of the content ("Energy", "Adjustment ...") in its words. English
is what the content says.
"""

from __future__ import annotations

import io
import json
import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from babel.numbers import format_currency
from babel.numbers import format_decimal as babel_decimal
from fpdf import FPDF
from fpdf.enums import TextEmphasis, XPos, YPos
from fpdf.fonts import FontFace

from ccms_app.branding.brands import DocumentBrand, document_brand
from ccms_app.core.config import PROJECT_ROOT
from ccms_app.core.display import format_date
from ccms_app.core.i18n import DEFAULT, N_, babel_locale, gettext, reader_language, reading_as, tr
from ccms_app.core.money import format_money
from ccms_app.finance.billing_profiles import document_language
from ccms_app.finance.documents.content import line_from_json, load, totals_from_json
from ccms_app.finance.models import BillingDocument, DocumentKind
from ccms_app.finance.rules.documents import DocumentLine, format_decimal

FONT = "DejaVu"
FONTS_DIR = PROJECT_ROOT / "assets" / "fonts"
# DejaVu has no Chinese: a PDF in Chinese, or naming someone in Chinese, falls back to a CJK
# font, the first of these that is there (one put in assets/fonts, else the system's:
# Debian's fonts-wqy-microhei, as `make` installs for the browser tests, or fonts-noto-cjk).
CJK_FONT = "CJK"
CJK_FONT_FILES = (
    FONTS_DIR / "wqy-microhei.ttc",
    FONTS_DIR / "NotoSansCJK-Regular.ttc",
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
)
_CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")
# A document's title (catalog message ids: shown with `title`).
TITLES: dict[str, str] = {
    DocumentKind.RECEIPT: N_("Receipt"),
    DocumentKind.INVOICE: N_("Invoice"),
    DocumentKind.CREDIT_NOTE: N_("Credit note"),
}
UNTITLED = N_("Document")
# The fixed line descriptions frozen in the content (finance.rules.documents: a component's
# dimension, the adjustment, the line of a session without breakdown), shown in the reader's
# words; a fee's own name ("Idle (parking time)") stays as typed, its dimension translated.
DIMENSION_WORDS = (
    N_("energy"),
    N_("charging time"),
    N_("parking time"),
    N_("fee per session"),
)
FIXED_DESCRIPTIONS = frozenset(
    {
        N_("Energy"),
        N_("Charging time"),
        N_("Parking time"),
        N_("Fee per session"),
        N_("Adjustment (minimum / maximum price, cap, rounding)"),
        N_("Charging session"),
    }
)
# Units and buyer references the content froze in English (finance.rules.documents.UNITS,
# documents.parties), in the reader's words.
UNIT_WORDS = frozenset({N_("session")})
REFERENCES = (
    (re.compile(r"^Card (?P<id_tag>.+)$"), N_("Card {id_tag}")),
    (
        re.compile(r"^Group account (?P<group>.+), card (?P<id_tag>[^,]+)$"),
        N_("Group account {group}, card {id_tag}"),
    ),
)
_FEE_OF_DIMENSION = re.compile(r"^(?P<fee>.+) \((?P<dimension>[a-z ]+)\)$")
_LOCAL_DATE = re.compile(r"^(?P<day>\d{4}-\d{2}-\d{2})(?P<rest>.*)$")
GREY = (90, 90, 90)
HEADING_FILL = (235, 238, 242)
QUANTITY_DECIMALS = Decimal("0.0001")
LOGO_WIDTH = 45


def render_pdf(document: BillingDocument) -> bytes:
    """The document's PDF (A4), in its organisation's document language."""
    organisation_id = document.organisation_id
    with reading_as(document_language(organisation_id), organisation_id):
        return render_content(load(document.content), document_brand(organisation_id))


def title(kind: str) -> str:
    """ "Receipt", "Invoice", "Credit note" in the reader's language."""
    return gettext(reader_language(), TITLES.get(kind, UNTITLED))


def render_content(content: dict[str, Any], brand: DocumentBrand | None = None) -> bytes:
    """The PDF of a content dict, in the reader's language."""
    pdf = _new_pdf(content, brand)
    _header(pdf, content, brand)
    _parties(pdf, content)
    _session(pdf, content.get("session"))
    _lines(pdf, content)
    _vat_and_totals(pdf, content)
    _remarks(pdf, content)
    return bytes(pdf.output())


class FallbackFontPdf(FPDF):
    """FPDF whose font is on the page before any text. fpdf2 2.8 sets the font of a line that
    starts in a fallback font (Chinese) inside that line's own q ... Q, so the line after it
    would be drawn without a font ("€8.33" read back as "L2933"): with a fallback font, every
    font change is written to the page at once."""

    def set_font(
        self, family: str | None = None, style: str | TextEmphasis = "", size: float = 0
    ) -> None:
        super().set_font(family, style, size)
        if (
            getattr(self, "_fallback_font_ids", None)
            and self.page > 0
            and self.current_font is not None
            and not getattr(self, "current_font_is_set_on_page", True)
        ):
            self._out(self._set_font_for_page(self.current_font, self.font_size_pt))


class _DocumentPdf(FallbackFontPdf):
    """FPDF with the document's footer: seller and page number."""

    footer_text = ""

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font(FONT, "", 8)
        self.set_text_color(*GREY)
        page = tr("Page {page}/{pages}", page=self.page_no(), pages="{nb}")
        self.cell(0, 5, f"{self.footer_text}    {page}", align="C")


def add_fonts(pdf: FPDF, *texts: str) -> None:
    """DejaVu Sans, regular and bold; a CJK font behind it when the reader reads Chinese or
    `texts` (what the PDF prints) hold CJK characters."""
    pdf.add_font(FONT, "", str(FONTS_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONTS_DIR / "DejaVuSans-Bold.ttf"))
    if reader_language() != "zh_Hans" and not any(_CJK.search(text) for text in texts):
        return
    found = next((path for path in CJK_FONT_FILES if path.is_file()), None)
    if found is None:
        return
    pdf.add_font(CJK_FONT, "", str(found))
    pdf.set_fallback_fonts([CJK_FONT], exact_match=False)


def _new_pdf(content: dict[str, Any], brand: DocumentBrand | None) -> _DocumentPdf:
    pdf = _DocumentPdf(orientation="portrait", unit="mm", format="A4")
    branded = (brand.header, brand.product_name) if brand is not None else ()
    add_fonts(pdf, json.dumps(content, ensure_ascii=False), *branded)
    pdf.footer_text = f"{content['seller']['name']} · {content['number']}"
    pdf.set_creation_date(datetime.fromisoformat(content["issued_at"]))
    pdf.set_title(f"{title(content['kind'])} {content['number']}")
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
    vat_id = seller.get("vat_id", "")
    details = [seller.get("address", ""), tr("VAT ID: {vat_id}", vat_id=vat_id) if vat_id else ""]
    details.append(seller.get("email", ""))
    _text(pdf, "\n".join(part for part in details if part))
    pdf.ln(8)
    pdf.set_text_color(0, 0, 0)
    _text(pdf, f"{title(content['kind'])} {content['number']}", 18, True, 9)
    pdf.set_text_color(*GREY)
    issued = local_date(content["issued_local"])
    facts = [tr("Date: {date} ({time_zone})", date=issued, time_zone=content["time_zone"])]
    period = content.get("period")
    if period:
        start, end = local_date(period["start"]), local_date(period["end"])
        facts.append(tr("Period: {start} to {end}", start=start, end=end))
    credits = content.get("credits")
    if credits:
        credited = local_date(credits["issued_local"])
        facts.append(tr("Credits: {number} of {date}", number=credits["number"], date=credited))
    facts.append(tr("Currency: {currency}", currency=content["currency"]))
    _text(pdf, "\n".join(facts))
    pdf.ln(4)


def local_date(text: str) -> str:
    """A frozen local date or time ("2026-02-10", "2026-02-10 10:00 CET") with its date as the
    reader's language writes it ("10.02.2026 10:00 CET"); anything else as it is."""
    match = _LOCAL_DATE.match(text or "")
    if match is None:
        return text
    try:
        day = date.fromisoformat(match["day"])
    except ValueError:
        return text
    return format_date(day, "%Y-%m-%d", "yMMdd") + match["rest"]


def decimal_text(text: str | Decimal) -> str:
    """A frozen decimal ("0.2875", "12.5") as the reader's language writes it, every decimal
    kept ("0,2875"); English as stored."""
    locale = babel_locale(reader_language())
    try:
        value = Decimal(str(text))
    except InvalidOperation:
        return str(text)
    if locale == DEFAULT:
        return format_decimal(value)
    return babel_decimal(value.normalize(), locale=locale, decimal_quantization=False)


def reference(text: str) -> str:
    """A buyer's frozen reference ("Card 04A1", "Group account Fleet, card 04A1") or the name
    of a buyer without account ("Card 04A1") in the reader's words."""
    for pattern, msgid in REFERENCES:
        match = pattern.match(text or "")
        if match is not None:
            return gettext(reader_language(), msgid, **match.groupdict())
    return text


def description(text: str) -> str:
    """A line's description in the reader's words where the content froze a fixed one."""
    language = reader_language()
    if text in FIXED_DESCRIPTIONS:
        return gettext(language, text)
    match = _FEE_OF_DIMENSION.match(text)
    if match is not None and match["dimension"] in DIMENSION_WORDS:
        dimension = gettext(language, match["dimension"])
        return tr("{fee} ({dimension})", fee=match["fee"], dimension=dimension)
    return text


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
    _text(pdf, tr("Billed to"), size=8, bold=True)
    lines: list[str] = []
    name, frozen = buyer["name"], buyer.get("reference") or ""
    shown = reference(frozen)
    name = shown if name == frozen else name  # a card without account: named by its reference
    for part in (name, buyer.get("address"), shown, buyer.get("email")):
        if part and part not in lines:
            lines.append(part)
    _text(pdf, "\n".join(lines))
    pdf.ln(4)


def _session(pdf: FPDF, session: dict[str, str] | None) -> None:
    """A receipt's charging session: where, which card, when (station time), how much."""
    if not session:
        return
    _text(pdf, tr("Charging session"), size=8, bold=True)
    where = tr(
        "{charge_point}, connector {connector}",
        charge_point=session["charge_point"],
        connector=session["connector"],
    )
    rows = [
        (tr("Station"), session["station"]),
        (tr("Charge point"), where),
        (tr("Card"), session["id_tag"]),
        (tr("Start"), local_date(session["start"])),
        (tr("Stop"), local_date(session["stop"])),
        (tr("Energy"), tr("{energy} kWh", energy=decimal_text(session["energy_kwh"]))),
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
    headings = [tr("Date")] if dated else []
    headings += [tr("Description"), tr("Quantity"), tr("Unit price"), tr("VAT"), tr("Amount")]
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
            table.row(([local_date(line.day)] if dated else []) + _line_cells(line, currency))
    pdf.ln(4)


def _line_cells(line: DocumentLine, currency: str) -> list[str]:
    unit = gettext(reader_language(), line.unit) if line.unit in UNIT_WORDS else line.unit
    quantity = "" if line.quantity is None else f"{_quantity(line.quantity)} {unit}"
    price = "" if line.unit_price is None else _unit_price(line.unit_price, currency)
    vat = "" if line.vat is None else tr("{rate} %", rate=decimal_text(line.vat))
    return [
        description(line.description),
        quantity.strip(),
        price,
        vat,
        format_money(line.amount_minor, currency),
    ]


def _quantity(value: Decimal) -> str:
    if value.as_tuple().exponent < QUANTITY_DECIMALS.as_tuple().exponent:  # type: ignore[operator]
        value = value.quantize(QUANTITY_DECIMALS, rounding=ROUND_HALF_UP)
    return decimal_text(value)


def _unit_price(price: Decimal, currency: str) -> str:
    """A price per unit with all its decimals (at least the currency's)."""
    locale = babel_locale(reader_language())
    return format_currency(price, currency, locale=locale, decimal_quantization=False)


def _vat_and_totals(pdf: FPDF, content: dict[str, Any]) -> None:
    currency = content["currency"]
    rows = content["vat"]
    left = pdf.w - pdf.r_margin - 100
    pdf.set_text_color(0, 0, 0)
    if rows:
        _right_row(pdf, left, (tr("VAT rate"), tr("Base"), tr("VAT")), bold=True)
        for row in rows:
            known = row["rate"] is not None
            rate = tr("{rate} %", rate=decimal_text(row["rate"])) if known else tr("no VAT")
            base = format_money(row["base_minor"], currency)
            _right_row(pdf, left, (rate, base, format_money(row["vat_minor"], currency)))
        pdf.ln(2)
    totals = totals_from_json(content["totals"])
    for label, minor, bold in (
        (tr("Total excl. VAT"), totals.excl_minor, False),
        (tr("VAT"), totals.vat_minor, False),
        (tr("Total incl. VAT"), totals.incl_minor, True),
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
        cancels = tr(
            "This credit note cancels {number} of {date} in full.",
            number=credits["number"],
            date=local_date(credits["issued_local"]),
        )
        _text(pdf, cancels, bold=True)
        if content.get("reason"):
            _text(pdf, tr("Reason: {reason}", reason=content["reason"]))
    pdf.set_text_color(*GREY)
    for note in content.get("notes", []):
        _text(pdf, note, size=8.5)
