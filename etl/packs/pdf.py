"""A document as an A4 PDF (reportlab): a CJK TrueType font embedded (subset), the printed filters at the
top, tables that split across pages with their header row repeated, vector line charts, and on every
page a footer with the scope, the period, the generation time and "page n of N"."""

from __future__ import annotations

import io
import math
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Circle, Drawing, Group, Line, PolyLine, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import CondPageBreak, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as PdfTable

from etl.packs.document import Chart, Document, Facts, Table, cell_text
from i18n import SaidError, later, t

FONT = "PackCJK"
# Debian's fonts-wqy-zenhei: a TrueType (glyf) CJK font reportlab can embed. The Noto CJK fonts of
# fonts-noto-cjk have PostScript (CFF) outlines, which reportlab cannot embed.
FONT_PACKAGE = "fonts-wqy-zenhei"
FONT_FILES = (Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),)
MARGIN = 15 * mm
SERIES_COLOURS = [colors.HexColor(c) for c in ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b")]
HEADER_FILL = colors.HexColor("#e8eef7")
GRID = colors.HexColor("#b0b8c4")


class FontMissing(SaidError, RuntimeError):
    """No CJK font to embed: Chinese text would print as boxes (the message, a catalog message: said, says what to
    install)."""


@cache
def font() -> str:
    """Register the CJK font once per process; its name."""
    for path in FONT_FILES:
        if path.is_file():
            pdfmetrics.registerFont(TTFont(FONT, str(path), subfontIndex=0))
            return FONT
    raise FontMissing(later.t("pack.font_missing", package=FONT_PACKAGE, paths=", ".join(map(str, FONT_FILES))))


def _styles(lang: str) -> dict[str, ParagraphStyle]:
    """Chinese breaks between any two characters; English between words only."""
    name = font()
    base = ParagraphStyle("body", fontName=name, fontSize=8.5, leading=11, wordWrap="CJK" if lang == "zh" else None)
    return {
        "body": base,
        "title": ParagraphStyle("title", parent=base, fontSize=16, leading=20, spaceAfter=4),
        "heading": ParagraphStyle("heading", parent=base, fontSize=11.5, leading=15, spaceBefore=8, spaceAfter=3),
        "note": ParagraphStyle("note", parent=base, fontSize=7.5, leading=9.5, textColor=colors.HexColor("#555555")),
        "cell": ParagraphStyle("cell", parent=base, fontSize=7.2, leading=8.8),
        "head": ParagraphStyle("head", parent=base, fontSize=7.2, leading=8.8),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


class _NumberedCanvas(pdfcanvas.Canvas):
    """Keeps every page until the end, then prints 'page n of N' on each (the count is known only then)."""

    footer_left = ""
    page_text = "{page} / {pages}"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.setFont(FONT, 7)
            self.setFillColor(colors.HexColor("#555555"))
            self.drawString(MARGIN, 9 * mm, self.footer_left)
            self.drawRightString(
                self._pagesize[0] - MARGIN, 9 * mm, self.page_text.format(page=self._pageNumber, pages=total)
            )
            self.setStrokeColor(GRID)
            self.line(MARGIN, 12 * mm, self._pagesize[0] - MARGIN, 12 * mm)
            super().showPage()
        self.page_count = total
        super().save()


def render(document: Document) -> tuple[bytes, int]:
    """The document's PDF bytes and its number of pages."""
    lang = document.lang
    styles = _styles(lang)
    size = landscape(A4) if document.landscape else A4
    width = size[0] - 2 * MARGIN
    story: list = [_p(document.title, styles["title"])]
    header = PdfTable(
        [[_p(label, styles["cell"]), _p(value, styles["cell"])] for label, value in document.header],
        colWidths=[32 * mm, width - 32 * mm],
        hAlign="LEFT",
    )
    header.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("BACKGROUND", (0, 0), (0, -1), HEADER_FILL),
                ("GRID", (0, 0), (-1, -1), 0.3, GRID),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    story += [header, Spacer(1, 3 * mm)]
    for section in document.sections:
        if isinstance(section, Table):
            story += _table(section, styles, lang, width)
        elif isinstance(section, Facts):
            story += _facts(section, styles, width)
        elif isinstance(section, Chart):
            story.append(KeepTogether([_p(section.title, styles["heading"]), _chart(section, width)]))
    (_, scope), (_, period), (generated, moment) = document.header[0], document.header[1], document.header[-1]
    footer = f"{document.title} · {scope} · {period} · {generated} {moment}"

    class Numbered(_NumberedCanvas):
        footer_left = footer
        page_text = t("pack.page", lang)

    buffer = io.BytesIO()
    made: dict = {}

    def maker(*args, **kwargs):
        made["canvas"] = Numbered(*args, **kwargs)
        return made["canvas"]

    pdf = SimpleDocTemplate(
        buffer,
        pagesize=size,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=16 * mm,
        title=document.title,
        author=t("pack.author", lang),
        subject=document.recipient_name,
        lang=lang,
    )
    pdf.build(story, canvasmaker=maker)
    return buffer.getvalue(), made["canvas"].page_count


def _facts(facts: Facts, styles, width: float) -> list:
    table = PdfTable(
        [[_p(label, styles["cell"]), _p(value, styles["cell"])] for label, value in facts.rows],
        colWidths=[60 * mm, width - 60 * mm],
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.3, GRID),
                ("BACKGROUND", (0, 0), (0, -1), HEADER_FILL),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    return [CondPageBreak(35 * mm), _p(facts.title, styles["heading"]), table]


NUMERIC = {"count", "percent", "per_mille", "money", "number", "rate", "change"}


CELL_SIZE = 7.2


def _cell(text: str, width: float, style: ParagraphStyle):
    """A cell's text as it is when it fits on one line (drawn as a string: fast), else a wrapping paragraph."""
    if "\n" not in text and pdfmetrics.stringWidth(text, FONT, CELL_SIZE) <= width - 4.5:
        return text
    return _p(text, style)


def _table(table: Table, styles, lang: str, width: float) -> list:
    out = [CondPageBreak(35 * mm), _p(table.title, styles["heading"])]  # a title never ends a page
    if table.note:
        out.append(_p(table.note, styles["note"]))
    if table.frame.empty:
        out.append(_p(table.empty or "—", styles["body"]))
        return out
    weights = table.widths or [1.0] * len(table.columns)
    widths = [width * w / sum(weights) for w in weights]
    rows = [[_p(c.label, styles["head"]) for c in table.columns]]
    scales = table.frame["scale"].tolist() if "scale" in table.frame else [None] * len(table.frame)
    values = [table.frame[c.name].tolist() for c in table.columns]
    for n, scale in enumerate(scales):
        rows.append(
            [
                _cell(cell_text(column[n], c.kind, lang, scale), w, styles["cell"])
                for column, c, w in zip(values, table.columns, widths)
            ]
        )
    if table.totals:
        rows.append(
            [
                _cell(
                    t("total", lang)
                    if n == 0
                    else (cell_text(table.totals[c.name], c.kind, lang) if c.name in table.totals else ""),
                    w,
                    styles["cell"],
                )
                for n, (c, w) in enumerate(zip(table.columns, widths))
            ]
        )
    pdf_table = PdfTable(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    style = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), CELL_SIZE),
        ("LEADING", (0, 0), (-1, -1), CELL_SIZE + 1.6),
        ("GRID", (0, 0), (-1, -1), 0.3, GRID),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
    ]
    style += [("BACKGROUND", (0, n), (-1, n), colors.HexColor("#f6f8fb")) for n in range(2, len(rows), 2)]
    style += [("ALIGN", (n, 1), (n, -1), "RIGHT") for n, c in enumerate(table.columns) if c.kind in NUMERIC]
    if table.totals:
        style.append(("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black))
    pdf_table.setStyle(TableStyle(style))
    out.append(pdf_table)
    return out


def _chart(chart: Chart, width: float) -> Drawing:
    """A line per series over the months (a month without a value leaves a gap; a lone value is a dot),
    the limits as dashed lines in their series' colour, a legend on the right."""
    height = 62 * mm
    drawing = Drawing(width, height)
    left, bottom = 16 * mm, 16 * mm
    plot_w, plot_h = width - 74 * mm, height - 22 * mm
    names = list(chart.series)
    known = [v for series in chart.series.values() for v in series if v is not None] + list(chart.limits.values())
    top = max(known) * 1.15 if known and max(known) > 0 else 1.0
    step = _nice_step(top / 4)
    top = step * math.ceil(top / step)
    count = max(len(chart.categories), 1)

    def x_of(n: int) -> float:
        return left + plot_w * (n + 0.5) / count

    def y_of(value: float) -> float:
        return bottom + plot_h * value / top

    ticks = [step * k for k in range(int(round(top / step)) + 1)]
    for value in ticks:
        drawing.add(Line(left, y_of(value), left + plot_w, y_of(value), strokeColor=GRID, strokeWidth=0.3))
        drawing.add(
            String(
                left - 2, y_of(value) - 2, f"{value:g} {chart.unit}", fontName=font(), fontSize=6.5, textAnchor="end"
            )
        )
    drawing.add(Line(left, bottom, left + plot_w, bottom, strokeColor=colors.black, strokeWidth=0.6))
    for n, label in enumerate(chart.categories):
        text = String(0, 0, label, fontName=font(), fontSize=6.5, textAnchor="end")
        group = Group(text)
        group.transform = (0.866, 0.5, -0.5, 0.866, x_of(n) + 2, bottom - 4)  # 30 degrees
        drawing.add(group)
    for n, name in enumerate(names):
        colour = SERIES_COLOURS[n % len(SERIES_COLOURS)]
        run: list[float] = []
        for k, point in enumerate(chart.series[name] + [None]):
            if point is not None:
                run += [x_of(k), y_of(point)]
                drawing.add(Circle(x_of(k), y_of(point), 1.3, fillColor=colour, strokeColor=colour))
                continue
            if len(run) >= 4:
                drawing.add(PolyLine(run, strokeColor=colour, strokeWidth=1.3))
            run = []
    for n, value in enumerate(chart.limits.values()):
        colour = SERIES_COLOURS[n % len(SERIES_COLOURS)]
        drawing.add(
            Line(
                left,
                y_of(value),
                left + plot_w,
                y_of(value),
                strokeColor=colour,
                strokeDashArray=[3, 2],
                strokeWidth=0.8,
            )
        )
    entries = [(SERIES_COLOURS[n % len(SERIES_COLOURS)], name, None) for n, name in enumerate(names)] + [
        (SERIES_COLOURS[n % len(SERIES_COLOURS)], label, [3, 2]) for n, label in enumerate(chart.limits)
    ]
    for n, (colour, label, dash) in enumerate(entries):
        y = bottom + plot_h - n * 10
        x = left + plot_w + 6 * mm
        drawing.add(
            Line(
                x,
                y + 2.5,
                x + 14,
                y + 2.5,
                strokeColor=colour,
                strokeWidth=1.3 if dash is None else 0.8,
                strokeDashArray=dash,
            )
        )
        drawing.add(String(x + 18, y, label, fontName=font(), fontSize=7))
    if not known:
        drawing.add(
            String(left + plot_w / 2, bottom + plot_h / 2, "—", fontName=font(), fontSize=10, textAnchor="middle")
        )
    return drawing


def _nice_step(raw: float) -> float:
    """1, 2 or 5 times a power of ten, at least `raw`."""
    if raw <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
