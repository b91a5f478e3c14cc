"""Clipping books as PDF, laid out by QTextDocument and written by QPdfWriter (QtGui only).

A book is a cover, a table of contents and one QTextDocument per clipping (each clipping
starts on a new page anyway, so each paginates on its own). It is laid out twice: first with
placeholder page numbers to learn how many pages everything takes, then with the real numbers
in the table of contents and the "Related" lists; the second layout is checked against the
first before a single page is painted. Safe to run off the GUI thread: nothing here touches
a widget, and the PDF is written to a temporary file renamed into place at the end.
"""

from __future__ import annotations

import logging
import time
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QFont,
    QFontDatabase,
    QFontMetricsF,
    QGuiApplication,
    QPageSize,
    QPainter,
    QPalette,
    QPdfWriter,
    QPen,
    QTextBlock,
    QTextCursor,
    QTextDocument,
    QTextFormat,
    QTextOption,
)

from clipper import __version__
from clipper.core.archive import Archive
from clipper.core.views import ClippingDetail
from clipper.export.book import BookOptions, BookPlan, broader_tags, plan_book
from clipper.export.book_html import (
    KEEP_WITH_NEXT,
    BookStyle,
    clipping_html,
    cover_html,
    toc_html,
)
from clipper.export.common import (
    ExportError,
    IsCancelled,
    Progress,
    atomic_output,
    check_cancelled,
    never_cancelled,
    no_progress,
    read_details,
)

log = logging.getLogger(__name__)

RESOLUTION_DPI = 300
MM = RESOLUTION_DPI / 25.4
PAPER_SIZES = {"a4": QPageSize.PageSizeId.A4, "letter": QPageSize.PageSizeId.Letter}
SERIF_FAMILIES = ("DejaVu Serif", "Noto Serif", "Liberation Serif", "FreeSerif", "Times New Roman")
SANS_FAMILIES = ("DejaVu Sans", "Noto Sans", "Liberation Sans", "FreeSans", "Arial")
BODY_POINT_SIZE = 10.5
# How far down the cover's text starts, as a share of the page body.
COVER_DROP = 0.3
# Layouts that still disagree after this many rounds point to a bug, not to a long book.
MAX_LAYOUT_ROUNDS = 3

# A process has one application object; it must outlive every export, so it is kept here.
_application: list[QGuiApplication] = []


def ensure_gui_application() -> QCoreApplication:
    """The running Qt application, or a new QGuiApplication on the offscreen platform.

    The command line has no window, yet QTextDocument needs fonts, which need a
    QGuiApplication; the offscreen platform gives one without a display.
    """
    app = QCoreApplication.instance()
    if app is None:
        app = QGuiApplication(["clipper", "-platform", "offscreen"])
        _application.append(app)
    elif not isinstance(app, QGuiApplication):
        raise ExportError("a PDF needs a QGuiApplication, and this process runs a QCoreApplication")
    return app


def choose_family(preferred: Sequence[str], available: Iterable[str], fallback: str) -> str:
    """The first preferred family this machine has, else `fallback` (Qt's default font).

    Glyphs a family lacks (Arabic in DejaVu Serif) come from Qt's own per-glyph fallback.
    """
    have = {name.casefold() for name in available}
    for family in preferred:
        if family.casefold() in have:
            return family
    log.info("none of %s is installed; using %s", ", ".join(preferred), fallback)
    return fallback


def book_style() -> BookStyle:
    available = QFontDatabase.families()
    default = QGuiApplication.font().family()
    return BookStyle(
        serif=choose_family(SERIF_FAMILIES, available, default),
        sans=choose_family(SANS_FAMILIES, available, default),
    )


def without_ligatures(font: QFont) -> QFont:
    """The font with ligatures off: an "ff" ligature extracts as U+FB00, and then a search
    for "officials" in the PDF misses "oﬀicials". Arabic joining is shaping, not a ligature
    feature, so it is unaffected. Text formats inherit this from the document's default font.
    """
    for tag in ("liga", "clig"):
        font.setFeature(QFont.Tag(tag), 0)
    return font


def _script_of(char: str) -> str:
    """'Hangul', 'Cjk', 'Hiragana' for letters; 'symbols' for emoji, brackets and the like."""
    if unicodedata.category(char)[0] in "LMN":
        return unicodedata.name(char, "unknown").split()[0].title()
    return "symbols"


class GlyphCoverage:
    """Which characters no installed font can draw (Qt would print them as boxes).

    Qt already falls back glyph by glyph to any font that has one; this only finds what is
    left over, so the book can say so. Answers are cached per character.
    """

    def __init__(self, preferred: Sequence[str], installed: Sequence[str] | None = None) -> None:
        installed = QFontDatabase.families() if installed is None else installed
        others = [f for f in installed if f not in preferred]
        self._metrics = [QFontMetricsF(QFont(family)) for family in (*preferred, *others)]
        self._covered: dict[str, bool] = {}

    def _has_glyph(self, char: str) -> bool:
        covered = self._covered.get(char)
        if covered is None:
            covered = any(m.inFontUcs4(ord(char)) for m in self._metrics)
            self._covered[char] = covered
        return covered

    def unprintable_scripts(self, text: str) -> tuple[str, ...]:
        """The scripts ('Hangul', 'Cjk') of characters in `text` that no font can draw."""
        scripts = set()
        for char in set(text):
            # Controls, format characters and spaces are never drawn as glyphs.
            if ord(char) < 0x80 or unicodedata.category(char)[0] in "CZ":
                continue
            if not self._has_glyph(char):
                scripts.add(_script_of(char))
        return tuple(sorted(scripts))


def _clipping_text(detail: ClippingDetail) -> str:
    parts = [detail.title, detail.standfirst, detail.body, detail.source or "", detail.author or ""]
    parts += [note.text for note in detail.notes] + [link.other_title for link in detail.links]
    parts += [link.note for link in detail.links] + [t.name for t in detail.tags]
    return "".join(parts)


@dataclass(frozen=True)
class PageGeometry:
    """A page in device pixels: the body where documents flow, and the header and footer bands."""

    width: float
    height: float
    body: QRectF
    header: QRectF
    footer: QRectF

    @classmethod
    def for_writer(cls, writer: QPdfWriter) -> PageGeometry:
        width, height = float(writer.width()), float(writer.height())
        side, top, bottom = 22 * MM, 24 * MM, 22 * MM
        body = QRectF(side, top, width - 2 * side, height - top - bottom)
        header = QRectF(side, 11 * MM, body.width(), 8 * MM)
        footer = QRectF(side, height - bottom + 7 * MM, body.width(), 7 * MM)
        return cls(width, height, body, header, footer)


@dataclass(frozen=True)
class BookResult:
    """What was written: the file, its page count and where each clipping starts (1-based)."""

    path: Path
    page_count: int
    start_pages: Mapping[int, int]
    toc_pages: tuple[int, int]
    clipping_count: int
    seconds: float
    layout_rounds: int = 1
    timings: Mapping[str, float] = field(default_factory=dict)
    # Clippings with characters no installed font can draw, and which scripts those are.
    unprintable: Mapping[int, tuple[str, ...]] = field(default_factory=dict)


class _Typesetter:
    """Builds laid-out QTextDocuments for one writer, all with the same fonts and page body."""

    def __init__(self, writer: QPdfWriter, geometry: PageGeometry, style: BookStyle) -> None:
        self.writer = writer
        self.geometry = geometry
        self.style = style
        self.stylesheet = style.stylesheet()
        self.option = QTextOption()
        # A long URL has no spaces; without this it would run off the page.
        self.option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.font = without_ligatures(QFont(style.serif))
        self.font.setPointSizeF(BODY_POINT_SIZE)

    def document(self, html: str) -> QTextDocument:
        doc = QTextDocument()
        # Measure text at the PDF's resolution, not the screen's, so print metrics are exact.
        doc.documentLayout().setPaintDevice(self.writer)
        doc.setUseDesignMetrics(True)
        doc.setDocumentMargin(0)
        doc.setDefaultFont(self.font)
        doc.setDefaultTextOption(self.option)
        doc.setDefaultStyleSheet(self.stylesheet)
        doc.setHtml(html)
        body = self.geometry.body
        doc.setPageSize(QSizeF(body.width(), body.height()))
        keep_headings_with_next(doc)
        return doc


def _first_line_height(block: QTextBlock) -> float:
    layout = block.layout()
    if layout is not None and layout.lineCount():
        return float(layout.lineAt(0).height())
    return float(block.document().documentLayout().blockBoundingRect(block).height())


def _device_pixels_per_css_pixel(doc: QTextDocument) -> float:
    device = doc.documentLayout().paintDevice()
    return device.logicalDpiY() / 96 if device is not None else 1.0


def keep_headings_with_next(doc: QTextDocument) -> bool:
    """Start a new page before a heading ("Editor’s notes", "Related") that would otherwise
    end a page alone, parted from the first line it introduces. QTextDocument has no
    keep-with-next, so this looks at the layout and adds the page break itself.

    Returns whether anything moved. Run on every layout of a document, so both layouts of a
    clipping make the same decision.
    """
    layout = doc.documentLayout()
    height = doc.pageSize().height()
    moved = False
    block = doc.begin()
    while block.isValid():
        following = block.next()
        if block.text() not in KEEP_WITH_NEXT or not following.isValid():
            block = following
            continue
        table = QTextCursor(block).currentTable()
        if table is not None:
            # The heading opens its box: the box moves, padding and all. A line in a cell must
            # fit above the page bottom with the cell's bottom padding too, and the padding is
            # in CSS pixels: counted three times over in device pixels, to be on the safe side.
            top = layout.frameBoundingRect(table).top()
            padding = table.format().cellPadding() * _device_pixels_per_css_pixel(doc)
            lines = _first_line_height(block) + _first_line_height(following)
            bottom = top + 3 * padding + lines
            if int(top // height) != int(bottom // height):
                table_format = table.format()
                table_format.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
                table.setFormat(table_format)
                moved = True
        else:
            top = layout.blockBoundingRect(block).top()
            after = QTextCursor(following).currentTable()
            start = (
                layout.frameBoundingRect(after).top()
                if after is not None
                else layout.blockBoundingRect(following).top()
            )
            padding = after.format().cellPadding() if after is not None else 0.0
            end = (
                start
                + _first_line_height(following)
                + 2 * padding * _device_pixels_per_css_pixel(doc)
            )
            if int(top // height) != int(end // height):
                block_format = block.blockFormat()
                block_format.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
                QTextCursor(block).setBlockFormat(block_format)
                moved = True
        block = following
    return moved


def _start_pages(plan: BookPlan, toc_pages: int, counts: Mapping[int, int]) -> dict[int, int]:
    page = 1 + toc_pages + 1
    starts = {}
    for clipping_id in plan.order:
        starts[clipping_id] = page
        page += counts[clipping_id]
    return starts


def write_pdf_book(
    archive: Archive,
    ids: Sequence[int],
    path: str | Path,
    options: BookOptions,
    progress: Progress = no_progress,
    is_cancelled: IsCancelled = never_cancelled,
) -> BookResult:
    """Read the clippings and write them as a clipping book at `path`."""
    if not ids:
        raise ExportError("there are no clippings to put in the book")
    ensure_gui_application()
    started = time.perf_counter()
    details = read_details(archive, ids, progress, is_cancelled)
    broader = {}
    if options.group_by in ("region", "topic"):
        broader = broader_tags(archive.tag_tree(options.group_by))
    plan = plan_book(details, options, broader)
    read_seconds = time.perf_counter() - started
    result = render_book(plan, Path(path), progress, is_cancelled)
    return replace(
        result,
        seconds=time.perf_counter() - started,
        timings={"read": read_seconds, **result.timings},
    )


def render_book(
    plan: BookPlan,
    path: Path,
    progress: Progress = no_progress,
    is_cancelled: IsCancelled = never_cancelled,
) -> BookResult:
    """Lay out and paint a planned book; nothing is left at `path` if this fails or is cancelled."""
    ensure_gui_application()
    started = time.perf_counter()
    with atomic_output(path, ".pdf") as temporary:
        result = _render(plan, temporary, progress, is_cancelled)
    return replace(result, path=path, seconds=time.perf_counter() - started)


class _LayoutMoved(Exception):
    """A clipping took a different number of pages once its page numbers were filled in."""

    def __init__(self, clipping_id: int, pages: int) -> None:
        super().__init__(f"clipping {clipping_id} now takes {pages} pages")
        self.clipping_id = clipping_id
        self.pages = pages


def _pdf_writer(path: Path, plan: BookPlan) -> QPdfWriter:
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(PAPER_SIZES[plan.options.paper]))
    writer.setPageMargins(QMarginsF(0, 0, 0, 0))
    writer.setResolution(RESOLUTION_DPI)
    writer.setTitle(plan.title)
    writer.setCreator(f"Clipper {__version__}")
    return writer


PageHtml = Callable[[int, Mapping[int, int] | None], str]


def _render(
    plan: BookPlan, path: Path, progress: Progress, is_cancelled: IsCancelled
) -> BookResult:
    """Lay out with placeholder numbers to count pages, then paint while laying out again
    with the real numbers; a clipping whose page count changed sends us round again."""
    started = time.perf_counter()
    writer = _pdf_writer(path, plan)
    style = book_style()
    setter = _Typesetter(writer, PageGeometry.for_writer(writer), style)
    in_book = frozenset(plan.order)
    total = len(plan.order)
    coverage = GlyphCoverage((style.serif, style.sans))
    unprintable = {
        cid: scripts
        for cid in plan.order
        if (scripts := coverage.unprintable_scripts(_clipping_text(plan.details[cid])))
    }
    for cid, scripts in unprintable.items():
        log.info("clipping %d has characters no installed font can draw (%s)", cid, scripts)

    def page_html(clipping_id: int, pages: Mapping[int, int] | None) -> str:
        detail = plan.details[clipping_id]
        return clipping_html(detail, in_book, pages, unprintable.get(clipping_id, ()))

    # First layout. Documents are dropped once counted: holding 500 laid-out clippings
    # costs hundreds of megabytes, laying them out again costs a second or two.
    toc_count = setter.document(toc_html(plan, None)).pageCount()
    counts: dict[int, int] = {}
    for done, clipping_id in enumerate(plan.order):
        check_cancelled(is_cancelled)
        counts[clipping_id] = setter.document(page_html(clipping_id, None)).pageCount()
        progress(done + 1, total, "laying out pages")
    first_layout = time.perf_counter()

    for rounds in range(1, MAX_LAYOUT_ROUNDS + 1):
        starts = _start_pages(plan, toc_count, counts)
        toc = setter.document(toc_html(plan, starts))
        if toc.pageCount() != toc_count:
            toc_count = toc.pageCount()
            continue
        if rounds > 1:
            writer = _pdf_writer(path, plan)
            setter = _Typesetter(writer, PageGeometry.for_writer(writer), style)
        try:
            page_count = _paint(
                setter, plan, toc, starts, counts, page_html, progress, is_cancelled
            )
            break
        except _LayoutMoved as moved:
            log.info("%s; laying out again (round %d)", moved, rounds + 1)
            counts[moved.clipping_id] = moved.pages
    else:
        raise ExportError("the book's layout did not settle; please report this")
    painted = time.perf_counter()
    return BookResult(
        path=path,
        page_count=page_count,
        start_pages=starts,
        toc_pages=(2, 1 + toc_count),
        clipping_count=total,
        seconds=painted - started,
        layout_rounds=rounds,
        timings={
            "first_layout": first_layout - started,
            "second_layout_and_paint": painted - first_layout,
        },
        unprintable=unprintable,
    )


def _paint(
    setter: _Typesetter,
    plan: BookPlan,
    toc: QTextDocument,
    starts: Mapping[int, int],
    counts: Mapping[int, int],
    page_html: PageHtml,
    progress: Progress,
    is_cancelled: IsCancelled,
) -> int:
    """Paint every page: cover, contents, then each clipping laid out with its final numbers."""
    toc_count = toc.pageCount()
    page_count = 1 + toc_count + sum(counts.values())
    painter = _BookPainter(setter.writer, setter.geometry, setter.style, plan.title, page_count)
    cover = setter.document(cover_html(plan))
    # The title a third of the way down the page: the cover flows in the lower part only
    # (a first block's CSS margin is ignored, and a frame margin would repeat on every page).
    cover_drop = setter.geometry.body.height() * COVER_DROP
    cover.setPageSize(
        QSizeF(setter.geometry.body.width(), setter.geometry.body.height() - cover_drop)
    )
    painter.begin()
    try:
        painter.page(cover, 0, header=None, drop=cover_drop)
        for index in range(toc_count):
            painter.page(toc, index, header="Contents")
        for done, clipping_id in enumerate(plan.order):
            check_cancelled(is_cancelled)
            doc = setter.document(page_html(clipping_id, starts))
            if doc.pageCount() != counts[clipping_id]:
                raise _LayoutMoved(clipping_id, doc.pageCount())
            if painter.pages + 1 != starts[clipping_id]:
                raise ExportError(f"clipping {clipping_id} would not start on its page")
            section = plan.section_of.get(clipping_id) or ""
            for index in range(counts[clipping_id]):
                painter.page(doc, index, header=section)
            progress(done + 1, len(plan.order), "writing pages")
    finally:
        painter.end()
    if painter.pages != page_count:
        raise ExportError(f"wrote {painter.pages} pages where the layout planned {page_count}")
    return page_count


class _BookPainter:
    """Paints pages one after another: the running header, a document page, the footer."""

    def __init__(
        self,
        writer: QPdfWriter,
        geometry: PageGeometry,
        style: BookStyle,
        title: str,
        page_count: int,
    ) -> None:
        self.writer = writer
        self.geometry = geometry
        self.title = title
        self.page_count = page_count
        self.pages = 0
        self.painter = QPainter()
        self.header_font = without_ligatures(QFont(style.sans))
        self.header_font.setPointSizeF(7.5)
        self.metrics = QFontMetricsF(self.header_font, writer)
        self.rule = QPen(QColor("#999999"))
        self.rule.setWidthF(0.4 * RESOLUTION_DPI / 72)
        self.palette = QPalette()
        self.palette.setColor(QPalette.ColorRole.Text, QColor("#111111"))

    def begin(self) -> None:
        if not self.painter.begin(self.writer):
            raise ExportError("cannot write the PDF file (is the folder writable?)")

    def end(self) -> None:
        if self.painter.isActive():
            self.painter.end()

    def page(self, doc: QTextDocument, index: int, header: str | None, drop: float = 0.0) -> None:
        """Paint page `index` of `doc` as the next page, `drop` pixels below the body's top."""
        if self.pages:
            self.writer.newPage()
        self.pages += 1
        painter = self.painter
        body = self.geometry.body
        height = doc.pageSize().height()
        painter.save()
        painter.translate(body.left(), body.top() + drop - index * height)
        view = QRectF(0, index * height, body.width(), height)
        painter.setClipRect(view)
        context = QAbstractTextDocumentLayout.PaintContext()
        context.clip = view
        context.palette = self.palette
        doc.documentLayout().draw(painter, context)
        painter.restore()
        if header is not None:
            self._furniture(header)

    def _furniture(self, section: str) -> None:
        """The running header (book title, section) and the footer (page i of n)."""
        painter = self.painter
        head, foot = self.geometry.header, self.geometry.footer
        painter.setFont(self.header_font)
        painter.setPen(QColor("#555555"))
        half = head.width() / 2 - 4 * MM
        title = self.metrics.elidedText(self.title, Qt.TextElideMode.ElideRight, half)
        bottom_left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom
        bottom_right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom
        painter.drawText(head, bottom_left, title)
        if section:
            section = self.metrics.elidedText(section, Qt.TextElideMode.ElideRight, half)
            painter.drawText(head, bottom_right, section)
        painter.setPen(self.rule)
        y = head.bottom() + 1.5 * MM
        painter.drawLine(int(head.left()), int(y), int(head.right()), int(y))
        painter.setPen(QColor("#555555"))
        painter.drawText(
            foot,
            Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
            f"page {self.pages} of {self.page_count}",
        )
