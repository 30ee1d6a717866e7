"""The reminder letter as a PDF, built with reportlab.

Plain data in (strings and numbers already formatted in the customer's
language), PDF bytes out. The recipient's address sits where a French/DIN
window envelope shows it (right window, C5/6 and DL), so that letters go
straight into envelopes.
"""

import io
from dataclasses import dataclass, field

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

# Window of a DL envelope with the window on the right (NF/DIN 680):
# 100 mm from the left edge, 45 mm from the top, 90 x 45 mm.
WINDOW_LEFT, WINDOW_TOP, WINDOW_WIDTH = 110 * mm, 50 * mm, 85 * mm


@dataclass
class Letter:
    company_lines: list  # letterhead: name, address lines, contact
    recipient_lines: list  # name and postal address
    place_date: str  # "Lyon, 10 March 2026"
    subject: str
    paragraphs: list  # HTML-free paragraphs of the body (reportlab markup ok)
    columns: list  # table headings
    rows: list  # table rows, already formatted
    totals: list = field(default_factory=list)  # (label, amount) rows
    payment_lines: list = field(default_factory=list)  # how to pay
    closing: list = field(default_factory=list)  # signature lines
    legal: list = field(default_factory=list)  # foot notes


def render(letter):
    """PDF bytes of ``letter``."""
    buffer = io.BytesIO()
    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["Normal"], fontSize=10, leading=13)
    small = ParagraphStyle(
        "small", parent=body, fontSize=8, leading=10, textColor=colors.grey
    )
    bold = ParagraphStyle("bold", parent=body, fontName="Helvetica-Bold")
    width, height = A4

    def page_frame(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica-Bold", 12)
        y = height - 20 * mm
        for index, line in enumerate(letter.company_lines):
            canvas.setFont(
                "Helvetica-Bold" if index == 0 else "Helvetica", 12 if index == 0 else 9
            )
            canvas.drawString(20 * mm, y, line)
            y -= 5 * mm if index == 0 else 4 * mm
        canvas.setFont("Helvetica", 10)
        y = height - WINDOW_TOP
        for line in letter.recipient_lines:
            canvas.drawString(WINDOW_LEFT, y, line)
            y -= 4.5 * mm
        canvas.setFont("Helvetica", 7)
        canvas.setFillColor(colors.grey)
        canvas.drawRightString(width - 20 * mm, 10 * mm, f"{doc.page}")
        canvas.restoreState()

    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        title=letter.subject,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=100 * mm,
        bottomMargin=20 * mm,
    )
    first = Frame(20 * mm, 20 * mm, width - 40 * mm, height - 120 * mm, id="first")
    later = Frame(20 * mm, 20 * mm, width - 40 * mm, height - 60 * mm, id="later")
    doc.addPageTemplates(
        [
            PageTemplate(
                id="First",
                frames=[first],
                onPage=page_frame,
                autoNextPageTemplate="Later",
            ),
            PageTemplate(id="Later", frames=[later], onPage=page_frame),
        ]
    )
    story = [
        Paragraph(letter.place_date, body),
        Spacer(0, 6 * mm),
        Paragraph(letter.subject, bold),
        Spacer(0, 4 * mm),
    ]
    for paragraph in letter.paragraphs:
        story += [Paragraph(paragraph, body), Spacer(0, 2 * mm)]
    table = Table(
        [
            letter.columns,
            *letter.rows,
            *[
                ["", "", label, amount][-len(letter.columns) :]
                for label, amount in letter.totals
            ],
        ],
        repeatRows=1,
        hAlign="LEFT",
    )
    style = [
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 9),
        ("FONT", (0, 1), (-1, -1), "Helvetica", 9),
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
        ("ALIGN", (-1, 0), (-1, -1), "RIGHT"),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if letter.totals:
        first_total = len(letter.rows) + 1
        style += [
            ("LINEABOVE", (0, first_total), (-1, first_total), 0.5, colors.black),
            ("FONT", (0, first_total), (-1, -1), "Helvetica-Bold", 9),
        ]
    table.setStyle(TableStyle(style))
    story += [Spacer(0, 3 * mm), table, Spacer(0, 5 * mm)]
    for line in letter.payment_lines:
        story.append(Paragraph(line, body))
    if letter.closing:
        story.append(Spacer(0, 6 * mm))
        story += [Paragraph(line, body) for line in letter.closing]
    if letter.legal:
        story.append(Spacer(0, 8 * mm))
        story += [Paragraph(line, small) for line in letter.legal]
    doc.build(story)
    return buffer.getvalue()
