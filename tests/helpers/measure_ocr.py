"""Character accuracy and time of OCR on scans made here, side by side for the two ways of
running Tesseract that were weighed: pytesseract on the image (what Clipper does) and
OCRmyPDF on an image-only PDF with a text sidecar (when `ocrmypdf` is installed).

    QT_QPA_PLATFORM=offscreen python -m tests.helpers.measure_ocr [--repeat N]

Small sizes only (one page per case); the timings are wall-clock on whatever the machine is
doing, so compare the two columns of one run, not runs on different days.
"""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from PIL import Image
from PySide6.QtWidgets import QApplication

from clipper.core.ingest.ocr import ocr_images, tesseract_version
from tests.helpers.scans import (
    ARTICLE,
    ARTICLE_FR,
    HEADLINE,
    character_accuracy,
    dirty,
    encode,
    render_article,
)


def with_pytesseract(image: Image.Image, languages: str) -> str:
    return "\n\n".join(ocr_images([image], languages, "measure").paragraphs)


def with_ocrmypdf(image: Image.Image, languages: str) -> str:
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "in.pdf", Path(folder) / "out.pdf"
        sidecar = Path(folder) / "out.txt"
        source.write_bytes(encode(image, "PDF"))
        subprocess.run(
            [
                "ocrmypdf",
                "-q",
                "-l",
                languages,
                "--sidecar",
                str(sidecar),
                "--output-type",
                "pdf",
                str(source),
                str(target),
            ],
            check=True,
            env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"},
        )
        return sidecar.read_text(encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    _app = QApplication.instance() or QApplication([])
    english = render_article()
    french = render_article(ARTICLE_FR, headline="Le Niger se tourne vers Moscou")
    in_english = HEADLINE + " " + " ".join(ARTICLE)
    in_french = "Le Niger se tourne vers Moscou " + " ".join(ARTICLE_FR)
    noisy_english = dirty(english)
    noisy_french = dirty(french, seed=3)
    cases = [
        ("clean 300 dpi, en", english, in_english, "eng+fra"),
        ("noise + 2°, en", noisy_english, in_english, "eng+fra"),
        ("noise + 2°, JPEG, en", _jpeg(noisy_english), in_english, "eng+fra"),
        ("noise + 2°, fr (eng+fra)", noisy_french, in_french, "eng+fra"),
        ("noise + 2°, fr (fra)", noisy_french, in_french, "fra"),
    ]
    engines = [("pytesseract", with_pytesseract)]
    if shutil.which("ocrmypdf"):
        engines.append(("ocrmypdf", with_ocrmypdf))
    print(f"tesseract {tesseract_version()}")
    print(f"{'case':28} " + " ".join(f"{name:>24}" for name, _ in engines))
    for label, image, truth, languages in cases:
        cells = []
        for _name, engine in engines:
            started = time.perf_counter()
            for _ in range(args.repeat):
                text = engine(image, languages)
            seconds = (time.perf_counter() - started) / args.repeat
            cells.append(f"{character_accuracy(text, truth) * 100:6.2f}% {seconds:6.2f} s")
        print(f"{label:28} " + " ".join(f"{cell:>24}" for cell in cells))


def _jpeg(image: Image.Image) -> Image.Image:
    """The image after a JPEG round trip (what a phone or a cheap scanner hands over)."""
    return Image.open(io.BytesIO(encode(image, "JPEG")))


if __name__ == "__main__":
    main()
