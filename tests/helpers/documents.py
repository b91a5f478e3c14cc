"""Documents made for the import tests: the seed article, pages of the small extraction
corpus in tests/fixtures, PDFs written by hand and e-mails made with the email package."""

from __future__ import annotations

import gzip
import json
from email.message import EmailMessage

from tests.helpers.paths import FIXTURES

INGEST_FIXTURES = FIXTURES / "ingest"
SEED = INGEST_FIXTURES / "le-monde-niger-russia-2023-12-06.txt"
CORPUS = INGEST_FIXTURES / "corpus"


def corpus_page(prefix: str) -> tuple[str, str]:
    """(html, ground-truth body) of a fixture corpus page by the start of its id."""
    path = next((CORPUS / "html").glob(prefix + "*.html.gz"))
    truth = json.loads((CORPUS / "ground-truth.json").read_text(encoding="utf-8"))
    key = path.name.split(".", 1)[0]
    return gzip.decompress(path.read_bytes()).decode("utf-8"), truth[key]["articleBody"]


def _pdf_string(text: str) -> bytes:
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return b"(" + escaped.encode("cp1252") + b")"


def make_pdf(paragraphs: list[list[str]], title: str | None = None) -> bytes:
    """A one-page PDF with real text (Helvetica, WinAnsi): each paragraph a list of lines,
    paragraphs separated by an empty line, as a typeset article would be."""
    ops = [b"BT /F1 11 Tf 72 760 Td 14 TL"]
    for paragraph in paragraphs:
        for line in paragraph:
            ops.append(_pdf_string(line) + b" Tj T*")
        ops.append(b"T*")
    ops.append(b"ET")
    stream = b"\n".join(ops)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R"
        b" >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    if title:
        objects.append(b"<< /Title " + _pdf_string(title) + b" >>")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    info = f" /Info {len(objects)} 0 R" if title else ""
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R{info} >>\n".encode()
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


ARTICLE = [
    [
        "NIAMEY, Jan 28 (Reuters) - Niger, Mali and Burkina Faso said on Sunday they were",
        "leaving the Economic Community of West African States, accusing the bloc of",
        "becoming a threat to its members under the influence of foreign powers.",
    ],
    [
        "The three juntas, which seized power in coups between 2020 and 2023, said in a joint",
        "statement read on national television that the decision took effect immediately.",
    ],
    [
        "ECOWAS said it had not been formally notified and remained committed to finding a",
        "negotiated solution to the political impasse in the three Sahel countries.",
    ],
]


def make_email(
    subject: str,
    plain: str | None,
    html: str | None = None,
    sender: str = "Newsroom Digest <digest@example.org>",
    date: str = "Wed, 06 Dec 2023 18:30:00 +0100",
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "desk@example.org"
    message["Subject"] = subject
    message["Date"] = date
    if plain is not None:
        message.set_content(plain)
        if html is not None:
            message.add_alternative(html, subtype="html")
    elif html is not None:
        message.set_content(html, subtype="html")
    return bytes(message)
