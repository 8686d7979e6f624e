"""An A4 report (a settlement, a reimbursement) as PDF: the issuer's details, a title, facts,
tables, a totals block and notes, in the fonts and colours of the billing documents
(finance.documents.pdf: DejaVu Sans, so any name renders, fpdf2's tables).

Reports are read, not archived: the PDF's creation date is when it was generated. A report
given the issuer's brand (`Report.brand`, branding.brands.document_brand) shows its header
text and logo at the top.

The caller words the report for its reader; the page numbers, and a table's `empty` text
when it is a catalog message, are in the reader's language here.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from ccms_app.branding.brands import DocumentBrand
from ccms_app.core.i18n import N_, gettext, reader_language, tr
from ccms_app.finance.documents.pdf import (
    FONT,
    GREY,
    HEADING_FILL,
    LOGO_WIDTH,
    FallbackFontPdf,
    add_fonts,
    draw_logo,
)


@dataclass(frozen=True)
class Table:
    """One table: headings, relative column widths (mm, summing to at most 174) and the
    alignment of each column ("LEFT" / "RIGHT")."""

    heading: str
    columns: tuple[str, ...]
    widths: tuple[float, ...]
    align: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    empty: str = N_("None.")  # shown translated when it is a catalog message


@dataclass(frozen=True)
class Report:
    title: str
    issuer: str
    issuer_lines: tuple[str, ...]
    facts: tuple[str, ...]
    generated_at: datetime
    tables: tuple[Table, ...] = ()
    totals: tuple[tuple[str, str, bool], ...] = ()  # label, amount, bold
    notes: tuple[str, ...] = ()
    trailing_tables: tuple[Table, ...] = field(default=())  # after the totals (the details)
    brand: DocumentBrand | None = None  # the issuer's header text and logo


class _ReportPdf(FallbackFontPdf):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font(FONT, "", 8)
        self.set_text_color(*GREY)
        page = tr("Page {page}/{pages}", page=self.page_no(), pages="{nb}")
        self.cell(0, 5, f"{self.footer_text}    {page}", align="C")


def render_report(report: Report) -> bytes:
    pdf = _new_pdf(report)
    _header(pdf, report)
    for table in report.tables:
        _table(pdf, table)
    _totals(pdf, report.totals)
    _notes(pdf, report.notes)
    for table in report.trailing_tables:
        _table(pdf, table)
    return bytes(pdf.output())


def _new_pdf(report: Report) -> _ReportPdf:
    pdf = _ReportPdf(orientation="portrait", unit="mm", format="A4")
    add_fonts(pdf, *_texts(report))
    pdf.footer_text = f"{report.issuer} · {report.title}"
    pdf.set_creation_date(report.generated_at)
    pdf.set_title(report.title)
    pdf.set_author(report.issuer)
    pdf.set_creator(report.brand.product_name if report.brand is not None else report.issuer)
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(auto=True, margin=22)
    pdf.add_page()
    return pdf


def _texts(report: Report) -> list[str]:
    """What the report prints (a CJK name needs the CJK font)."""
    texts = [report.title, report.issuer, *report.issuer_lines, *report.facts, *report.notes]
    texts += [text for label, amount, _bold in report.totals for text in (label, amount)]
    for table in (*report.tables, *report.trailing_tables):
        texts += [table.heading, table.empty, *table.columns]
        texts += [cell for row in table.rows for cell in row]
    if report.brand is not None:
        texts += [report.brand.header, report.brand.product_name]
    return texts


def _text(pdf: FPDF, text: str, size: float = 9.5, bold: bool = False, height: float = 5) -> None:
    pdf.set_font(FONT, "B" if bold else "", size)
    pdf.multi_cell(0, height, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _header(pdf: FPDF, report: Report) -> None:
    brand = report.brand
    if brand is not None and brand.logo:
        draw_logo(pdf, io.BytesIO(brand.logo))
    if brand is not None and brand.header:
        pdf.set_text_color(*GREY)
        right = pdf.r_margin
        pdf.set_right_margin(right + LOGO_WIDTH + 4)  # beside the logo
        _text(pdf, brand.header, size=8.5, height=4.5)
        pdf.set_right_margin(right)
        pdf.ln(2)
    pdf.set_text_color(0, 0, 0)
    _text(pdf, report.issuer, size=13, bold=True, height=6)
    pdf.set_text_color(*GREY)
    lines = [line for line in report.issuer_lines if line]
    if lines:
        _text(pdf, "\n".join(lines))
    pdf.ln(8)
    pdf.set_text_color(0, 0, 0)
    _text(pdf, report.title, size=17, bold=True, height=9)
    pdf.set_text_color(*GREY)
    _text(pdf, "\n".join(report.facts))
    pdf.ln(4)


def _table(pdf: FPDF, table: Table) -> None:
    pdf.set_text_color(0, 0, 0)
    _text(pdf, table.heading, size=10.5, bold=True, height=6)
    if not table.rows:
        pdf.set_text_color(*GREY)
        _text(pdf, gettext(reader_language(), table.empty))
        pdf.ln(4)
        return
    pdf.set_font(FONT, "", 8)
    style = FontFace(emphasis="BOLD", fill_color=HEADING_FILL)
    with pdf.table(
        col_widths=table.widths,
        text_align=table.align,
        headings_style=style,
        borders_layout="HORIZONTAL_LINES",
        line_height=5,
        padding=1,
        width=sum(table.widths),
        align="LEFT",
    ) as drawn:
        drawn.row(table.columns)
        for row in table.rows:
            drawn.row(row)
    pdf.ln(4)


def _totals(pdf: FPDF, totals: tuple[tuple[str, str, bool], ...]) -> None:
    left = pdf.w - pdf.r_margin - 110
    pdf.set_text_color(0, 0, 0)
    for label, amount, bold in totals:
        pdf.set_x(left)
        pdf.set_font(FONT, "B" if bold else "", 10.5 if bold else 9.5)
        pdf.cell(70, 6.5, label)
        pdf.cell(40, 6.5, amount, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if totals:
        pdf.ln(5)


def _notes(pdf: FPDF, notes: tuple[str, ...]) -> None:
    pdf.set_text_color(*GREY)
    for note in notes:
        _text(pdf, note, size=8.5, height=4.5)
    if notes:
        pdf.ln(4)
