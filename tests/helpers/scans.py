"""Scans made in the test itself: a known article rendered with Qt at 300 dpi (one column or
a two-column newspaper page), then dirtied as a scanner or a phone would (noise, a 2° tilt,
JPEG), saved as an image or an image-only PDF; and the character accuracy of what OCR read.

The text is drawn in the serif family the PDF export prefers (DejaVu Serif, which the suite
already relies on), falling back to Qt's default serif: nothing beyond what the machine's
Qt offscreen already has.
"""

from __future__ import annotations

import io
import random
import unicodedata

from PIL import Image, ImageFilter
from PySide6.QtCore import QBuffer, QIODevice, QRectF, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QFont,
    QFontDatabase,
    QImage,
    QPainter,
    QPalette,
    QTextDocument,
)
from rapidfuzz.distance import Levenshtein

DPI = 300
DOTS_PER_METRE = round(DPI / 0.0254)

HEADLINE = "Niger: the junta turns to Moscow"
ARTICLE = [
    "Niamey, 6 December. The military government of Niger received a Russian delegation "
    "led by the deputy defence minister on Monday, the first visit of its kind since the "
    "coup of July, and both sides promised closer cooperation in security and training.",
    "The talks came a few days after the junta ended two European missions in the country "
    "and asked the French ambassador to leave. Officials in Niamey said the agreements "
    "signed this week cover equipment, instructors and the protection of the capital.",
    "Western diplomats fear the drift of the whole Sahel towards Moscow. Mali and Burkina "
    "Faso already host Russian instructors, and the three countries formed an alliance of "
    "their own in September after leaving the regional bloc.",
]
ARTICLE_FR = [
    "Niamey, le 6 décembre. Le gouvernement militaire du Niger a reçu lundi une délégation "
    "russe conduite par le vice-ministre de la Défense, la première visite de ce genre "
    "depuis le coup d'État de juillet.",
    "Les deux parties ont promis une coopération plus étroite en matière de sécurité et de "
    "formation, quelques jours après la fin de deux missions européennes dans le pays.",
    "Les diplomates occidentaux s'inquiètent de la dérive du Sahel tout entier vers Moscou. "
    "Le Mali et le Burkina Faso accueillent déjà des instructeurs russes.",
]
COLUMN_LEFT = [
    "Left column story. The harvest in the Tillaberi region was the best in ten years, "
    "farmers said on Tuesday, after rains came early and stayed late.",
    "Millet and sorghum prices fell by a third in the markets of the region within a month.",
]
COLUMN_RIGHT = [
    "Right column story. Teachers in Zinder went on strike over unpaid wages for the "
    "third time this year, closing most of the secondary schools of the town.",
    "Their union said the strike would go on until the ministry pays the arrears in full.",
]


def serif_family() -> str:
    families = set(QFontDatabase.families())
    return "DejaVu Serif" if "DejaVu Serif" in families else QFont("serif").defaultFamily()


def _html(headline: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"<h1>{headline}</h1>{body}" if headline else body


def render_page(
    columns: list[tuple[str, list[str]]], width_inches: float = 6.5, point_size: int = 11
) -> Image.Image:
    """The columns side by side on a white page at 300 dpi, as a printed page would be."""
    gutter = 0.4 * DPI
    width = round(width_inches * DPI)
    column_width = (width - gutter * (len(columns) - 1) - 0.6 * DPI) / len(columns)
    documents = []
    for headline, paragraphs in columns:
        document = QTextDocument()
        font = QFont(serif_family())
        font.setPointSizeF(point_size * DPI / 96)  # Qt lays out text at 96 logical dpi
        document.setDefaultFont(font)
        document.setDocumentMargin(0)
        document.setTextWidth(column_width)
        document.setHtml(_html(headline, paragraphs))
        documents.append(document)
    height = round(max(d.size().height() for d in documents) + 0.6 * DPI)
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.setDotsPerMeterX(DOTS_PER_METRE)
    image.setDotsPerMeterY(DOTS_PER_METRE)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    for n, document in enumerate(documents):
        painter.save()
        painter.translate(0.3 * DPI + n * (column_width + gutter), 0.3 * DPI)
        # Black ink whatever the desktop's palette (a dark theme would draw white text).
        context = QAbstractTextDocumentLayout.PaintContext()
        context.palette.setColor(QPalette.ColorRole.Text, Qt.GlobalColor.black)
        context.clip = QRectF(0, 0, column_width, document.size().height())
        document.documentLayout().draw(painter, context)
        painter.restore()
    painter.end()
    return _to_pillow(image)


def render_article(
    paragraphs: list[str] | None = None, headline: str = HEADLINE, **options: object
) -> Image.Image:
    return render_page([(headline, paragraphs or ARTICLE)], **options)  # type: ignore[arg-type]


def _to_pillow(image: QImage) -> Image.Image:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    picture = Image.open(io.BytesIO(bytes(buffer.data().data()))).convert("L")
    picture.info["dpi"] = (DPI, DPI)
    return picture


def dirty(image: Image.Image, seed: int = 16, degrees: float = 2.0) -> Image.Image:
    """A scanner's or a phone's copy: a slight blur, grey noise, speckle and a tilt."""
    rng = random.Random(seed)
    picture = image.filter(ImageFilter.GaussianBlur(0.6))
    noise = Image.frombytes("L", picture.size, rng.randbytes(picture.width * picture.height))
    noise = noise.filter(ImageFilter.GaussianBlur(0.5))  # grain, not single-pixel hiss
    picture = Image.blend(picture, noise, 0.18)
    pixels = picture.load()
    assert pixels is not None
    for _ in range(picture.width * picture.height // 400):
        x, y = rng.randrange(picture.width), rng.randrange(picture.height)
        pixels[x, y] = rng.choice((0, 255))
    return picture.rotate(degrees, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)


def encode(image: Image.Image, fmt: str) -> bytes:
    """The image as a file of format PNG, JPEG, TIFF, WEBP, or an image-only PDF."""
    out = io.BytesIO()
    options: dict[str, object] = {"dpi": (DPI, DPI)}
    if fmt == "JPEG":
        options["quality"] = 85
    if fmt == "WEBP":
        options = {"quality": 90}
    if fmt == "PDF":
        options = {"resolution": float(DPI)}
        image = image.convert("RGB")
    image.save(out, format=fmt, **options)
    return out.getvalue()


def normalized(text: str) -> str:
    """Text compared as a reader sees it: one space between words, typographic quotes and
    dashes as their plain forms."""
    text = unicodedata.normalize("NFC", text)
    for fancy, plain in (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"'), ("—", "-"), ("–", "-")):
        text = text.replace(fancy, plain)
    return " ".join(text.split())


def character_accuracy(read: str, truth: str) -> float:
    """1 - edit distance / length of the known text."""
    a, b = normalized(read), normalized(truth)
    return 1 - Levenshtein.distance(a, b) / max(1, len(b))
