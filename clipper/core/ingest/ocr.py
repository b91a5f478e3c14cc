"""Reading scans: images (PNG, JPEG, TIFF, WebP) and the image-only pages of PDFs, through
Tesseract by way of pytesseract.

Why pytesseract and not OCRmyPDF: both run the same Tesseract. Measured side by side with
`python -m tests.helpers.measure_ocr` on the scans the tests make (a known article at 300
dpi, clean, and with blur, grain, speckle and a 2° tilt), on 2 shared cores: pytesseract got
100% of the characters right clean and noisy, 100% after JPEG, in 2.5-8 s a page; OCRmyPDF
got the same or less (97.8% after JPEG) in 10-21 s, since it also rebuilds a PDF with
Ghostscript, a text layer we would throw away, and needs a PDF round trip even for a PNG.
pytesseract also gives each word's block, paragraph and line, which is what keeps a
multi-column page in Tesseract's reading order here.

A page that has a text layer keeps it; only pages without text are read, unless the caller
forces OCR. What was read is recorded in the draft's `extra["ocr"]`; the original bytes are
kept by the pipeline, so the window can show the scan beside the text.
"""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from clipper.core.drafts import ClippingDraft
from clipper.core.ingest.base import IngestError
from clipper.core.ingest.clean import clean_lines
from clipper.core.ingest.compose import Metadata, build_draft, detect_language
from clipper.core.ingest.decode import normalize_text

if TYPE_CHECKING:
    from PIL.Image import Image

log = logging.getLogger(__name__)

OCR_AUTO, OCR_FORCE = "auto", "force"
OCR_MODES = (OCR_AUTO, OCR_FORCE)
INSTALL_HINT = (
    "Tesseract is not installed; install it to read scans "
    "(Debian/Ubuntu: sudo apt-get install tesseract-ocr tesseract-ocr-eng tesseract-ocr-fra; "
    "macOS: brew install tesseract tesseract-lang)"
)
DEFAULT_LANGUAGES = ("eng", "fra")
# ISO 639-1 (what the archive stores) to Tesseract's traineddata names.
TESSERACT_LANGUAGE = {
    "en": "eng",
    "fr": "fra",
    "de": "deu",
    "es": "spa",
    "it": "ita",
    "pt": "por",
    "nl": "nld",
    "ar": "ara",
    "ru": "rus",
    "uk": "ukr",
    "pl": "pol",
    "tr": "tur",
    "ha": "hau",
    "sw": "swa",
}
# A page with fewer word characters than this in its text layer counts as a scan.
MIN_TEXT_LAYER_CHARS = 20
# Below this width an image is a logo or an icon, not a page: never worth reading.
MIN_SCAN_PIXELS = 200
# One page must never hang an import: Tesseract takes 1-5 s for a 300-dpi page.
PAGE_TIMEOUT_SECONDS = 180
MEDIA_TYPES = {
    "PNG": "image/png",
    "JPEG": "image/jpeg",
    "MPO": "image/jpeg",
    "TIFF": "image/tiff",
    "WEBP": "image/webp",
}


@dataclass(frozen=True)
class OcrText:
    """What Tesseract read on some pages: paragraphs in reading order, and how sure it was."""

    paragraphs: list[str]
    languages: str
    confidence: float | None


def tesseract_version() -> str | None:
    """Tesseract's version, or None when the program (or pytesseract) is missing."""
    try:
        import pytesseract
    except ImportError:
        return None
    try:
        return str(pytesseract.get_tesseract_version()).split()[0]
    except (pytesseract.TesseractNotFoundError, OSError):
        return None


def installed_languages() -> list[str]:
    import pytesseract

    try:
        return [lang for lang in pytesseract.get_languages(config="") if lang != "osd"]
    except (pytesseract.TesseractNotFoundError, OSError):
        return []


def _require_tesseract(label: str) -> None:
    try:
        import pytesseract  # noqa: F401  (only whether it imports)
    except ImportError:
        raise IngestError(
            f"{label}: reading scans needs pytesseract (pip install pytesseract)"
        ) from None
    if tesseract_version() is None:
        raise IngestError(f"{label}: {INSTALL_HINT}")


def languages_for(language: str | None, installed: Sequence[str]) -> str:
    """Tesseract's -l argument: the clipping's language when known and installed, English and
    French otherwise (those that are installed)."""
    wanted = TESSERACT_LANGUAGE.get((language or "").lower())
    if wanted and wanted in installed:
        return wanted
    chosen = [lang for lang in DEFAULT_LANGUAGES if lang in installed]
    if not chosen and installed:
        chosen = [installed[0]]
    return "+".join(chosen) or "eng"


def open_image(data: bytes, label: str) -> list[Image]:
    """The pages of an image file (a multi-page TIFF has several), or IngestError."""
    from PIL import Image as PILImage
    from PIL import ImageOps, ImageSequence, UnidentifiedImageError

    try:
        image = PILImage.open(io.BytesIO(data))
        # Upright as the camera meant it (a phone stores the turn in EXIF), so that a region
        # the window crops is the region read.
        frames = [
            ImageOps.exif_transpose(frame.copy()) or frame.copy()
            for frame in ImageSequence.Iterator(image)
        ]
        for frame in frames:
            frame.format = image.format  # a copy forgets which format it came from
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        log.debug("%s: Pillow could not open the image: %s", label, exc)
        raise IngestError(f"{label}: the image is damaged or cut short") from None
    if not frames:
        raise IngestError(f"{label}: the image has no pages")
    return frames


def _prepared(image: Image) -> Image:
    """Greyscale, and scaled up when a phone photo or a low-resolution scan is small:
    Tesseract reads best with letters about 30 pixels high."""
    from PIL import Image as PILImage
    from PIL import ImageFilter

    if image.mode in ("RGBA", "LA", "P"):
        background = PILImage.new("RGB", image.size, "white")
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    grey = image.convert("L")
    if grey.width < 1200:
        factor = 1200 / grey.width
        grey = grey.resize((1200, round(grey.height * factor)), PILImage.Resampling.LANCZOS)
    # A 3x3 median takes out speckle (scanner dust, JPEG noise) without thinning the letters.
    return grey.filter(ImageFilter.MedianFilter(3))


def ocr_images(images: Iterable[Image], languages: str, label: str) -> OcrText:
    """Read the images in turn; a paragraph is one Tesseract paragraph, in its block order."""
    import pytesseract

    # Tesseract's own threads fight each other on a busy machine: measured on two shared
    # cores, one thread read a page in 3.0 s, the default four in 6.4 s.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    paragraphs: list[str] = []
    confidences: list[float] = []
    for image in images:
        try:
            data = pytesseract.image_to_data(
                _prepared(image),
                lang=languages,
                config="--psm 3",
                output_type=pytesseract.Output.DICT,
                timeout=PAGE_TIMEOUT_SECONDS,
            )
        except pytesseract.TesseractNotFoundError:
            raise IngestError(f"{label}: {INSTALL_HINT}") from None
        except RuntimeError as exc:  # pytesseract's timeout
            raise IngestError(f"{label}: reading the scan took too long ({exc})") from None
        except pytesseract.TesseractError as exc:
            raise IngestError(f"{label}: Tesseract could not read the scan ({exc})") from None
        page_paragraphs, page_confidences = _paragraphs(data)
        paragraphs.extend(page_paragraphs)
        confidences.extend(page_confidences)
    confidence = round(sum(confidences) / len(confidences), 1) if confidences else None
    return OcrText(paragraphs, languages, confidence)


def _paragraphs(data: dict[str, list[Any]]) -> tuple[list[str], list[float]]:
    """Tesseract's words grouped into its paragraphs (block, paragraph) and lines, in the
    order it gives them: on a multi-column page that is column by column."""
    groups: dict[tuple[int, int], dict[int, list[str]]] = {}
    confidences: list[float] = []
    for i, word in enumerate(data["text"]):
        word = (word or "").strip()
        if not word:
            continue
        key = (int(data["block_num"][i]), int(data["par_num"][i]))
        groups.setdefault(key, {}).setdefault(int(data["line_num"][i]), []).append(word)
        conf = float(data["conf"][i])
        if conf >= 0:
            confidences.append(conf)
    paragraphs = []
    for lines in groups.values():
        text = ""
        for words in lines.values():
            line = " ".join(words)
            if text.endswith("-") and line[:1].islower():
                text = text[:-1] + line  # a word hyphenated at the end of a line
            else:
                text = f"{text} {line}" if text else line
        paragraphs.append(text)
    return paragraphs, confidences


def _read_images(images: list[Image], label: str, language: str | None) -> OcrText:
    _require_tesseract(label)
    installed = installed_languages()
    first = ocr_images(images, languages_for(language, installed), label)
    if language is None:
        # Read again in the text's own language when it is not English and Tesseract has
        # it: with eng+fra a French scan loses its accents (measured: "reçu" came out "recu",
        # 98.9% of characters right, against 100% read with fra alone).
        found = detect_language(" ".join(first.paragraphs))
        better = languages_for(found, installed)
        if found and better not in ("eng", first.languages):
            return ocr_images(images, better, label)
    return first


def ocr_record(text: OcrText, pages: Sequence[int], crop: Sequence[int] | None = None) -> dict:
    """What `extra["ocr"]` says of a clipping read by OCR."""
    record: dict[str, object] = {
        "engine": f"tesseract {tesseract_version() or ''}".strip(),
        "languages": text.languages,
        "pages": list(pages),
    }
    if text.confidence is not None:
        record["confidence"] = text.confidence
    if crop is not None:
        record["crop"] = list(crop)
    return record


def read_image(
    data: bytes,
    label: str,
    language: str | None = None,
    crop: tuple[int, int, int, int] | None = None,
) -> ClippingDraft:
    """A draft from a scanned or photographed clipping; with `crop`, from that region of its
    first page only (the article the editor chose on a full newspaper page)."""
    images = open_image(data, label)
    media_type = MEDIA_TYPES.get(images[0].format or "", "image/png")
    pages = list(range(1, len(images) + 1))
    if crop is not None:
        images, pages = [_cropped(images[0], crop, label)], [1]
    text = _read_images(images, label, language)
    if not text.paragraphs:
        raise IngestError(f"{label}: no text found in the image")
    cleaned = clean_lines(normalize_text("\n\n".join(text.paragraphs)), mode="text")
    meta = Metadata(extra={"ocr": ocr_record(text, pages, crop)})
    draft = build_draft(cleaned, label, "file", meta)
    draft.original_media_type = media_type
    return draft


def _cropped(image: Image, box: tuple[int, int, int, int], label: str) -> Image:
    left, top, right, bottom = box
    left, top = max(0, left), max(0, top)
    right, bottom = min(image.width, right), min(image.height, bottom)
    if right - left < 20 or bottom - top < 20:
        raise IngestError(f"{label}: the region is too small to read")
    return image.crop((left, top, right, bottom))


def page_needs_ocr(page_text: str) -> bool:
    return sum(ch.isalnum() for ch in page_text) < MIN_TEXT_LAYER_CHARS


def pdf_page_images(page: Any) -> list[Image]:
    """The scans on a PDF page (pypdf page): its images big enough to be a page or a column."""
    images = []
    try:
        for file in page.images:
            image = file.image
            if image is not None and min(image.size) >= MIN_SCAN_PIXELS:
                images.append(image)
    except Exception as exc:  # an image pypdf cannot decode is skipped, the page goes on
        log.warning("an image on a PDF page could not be decoded: %s", exc)
    return images


def ocr_pdf_pages(
    reader: Any, texts: list[str], label: str, force: bool = False
) -> tuple[list[str], dict | None]:
    """The text of each page: its text layer, or what OCR reads on its images when it has
    none (or when forced). Returns the texts and `extra["ocr"]` (None when nothing was read)."""
    wanted = [n for n, text in enumerate(texts) if force or page_needs_ocr(text)]
    scans = {n: pdf_page_images(reader.pages[n]) for n in wanted}
    scans = {n: images for n, images in scans.items() if images}
    if not scans:
        return texts, None
    result = list(texts)
    confidences, languages = [], []
    for n, images in scans.items():
        read = _read_images(images, label, None)
        if read.paragraphs:
            result[n] = "\n\n".join(read.paragraphs)
        if read.confidence is not None:
            confidences.append(read.confidence)
        if read.languages not in languages:
            languages.append(read.languages)
    confidence = round(sum(confidences) / len(confidences), 1) if confidences else None
    summary = OcrText([], ", ".join(languages), confidence)
    return result, ocr_record(summary, [n + 1 for n in scans])


# -- what the window shows and re-reads ------------------------------------------------------


def scan_pages(data: bytes, media_type: str | None) -> list[Image]:
    """The scanned pages of an original: an image's frames, or a PDF's page images."""
    if media_type == "application/pdf" or data[:5] == b"%PDF-":
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data), strict=False)
        pages: list[Image] = []
        for page in reader.pages:
            pages.extend(pdf_page_images(page)[:1])
        return pages
    return open_image(data, "the original")


def page_png(image: Image) -> bytes:
    """A page as PNG bytes (what the window draws)."""
    out = io.BytesIO()
    picture = image if image.mode in ("RGB", "L", "RGBA") else image.convert("RGB")
    picture.save(out, format="PNG")
    return out.getvalue()


def read_region(
    data: bytes,
    media_type: str | None,
    page: int,
    box: tuple[int, int, int, int] | None,
    language: str | None,
) -> tuple[str, dict]:
    """Read one region (left, top, right, bottom, in the page's pixels) of page `page` (from
    0) of an original again: the article the editor cropped out of a full newspaper page.
    Returns the cleaned body and the `extra["ocr"]` record."""
    pages = scan_pages(data, media_type)
    if not 0 <= page < len(pages):
        raise IngestError(f"the original has no scanned page {page + 1}")
    image = pages[page] if box is None else _cropped(pages[page], box, "the scan")
    _require_tesseract("the scan")
    text = ocr_images([image], languages_for(language, installed_languages()), "the scan")
    if not text.paragraphs:
        raise IngestError("no text found in that region")
    # Not cleaned: the editor chose the region, so every line of it is the article's.
    body = normalize_text("\n\n".join(text.paragraphs)).strip()
    return body, ocr_record(text, [page + 1], box)
