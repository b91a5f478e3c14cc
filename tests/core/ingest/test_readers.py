"""Each reader on real or realistically made input: HTML pages from the benchmark corpus,
hostile HTML, e-mails made with the email package, PDFs written by hand, .docx written by
python-docx, Markdown, and sniffing by content before extension."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader, PdfWriter

from clipper.bench.ingest import page_counts
from clipper.core.ingest import InputItem, read_item
from clipper.core.ingest.base import IngestError
from clipper.core.ingest.batch import read_bytes
from clipper.core.ingest.documents import read_docx, read_pdf
from clipper.core.ingest.email import read_email
from clipper.core.ingest.html import read_html
from clipper.core.ingest.sniff import (
    DOCX,
    EMAIL,
    HTML,
    IMAGE,
    MARKDOWN,
    PDF,
    TEXT,
    Refused,
    sniff,
)
from tests.helpers.documents import ARTICLE, corpus_page, make_email, make_pdf


def _precision_recall(truth: str, body: str) -> tuple[float, float]:
    tp, fp, fn = page_counts(truth, body)
    return tp / (tp + fp), tp / (tp + fn)


@pytest.mark.parametrize("page", ["7916ecca", "0dd13570", "e7994d55", "82b6d780", "b3c19dd5"])
def test_html_reader_body_matches_the_hand_annotated_article(page: str) -> None:
    html, truth = corpus_page(page)
    draft = read_html(html, f"{page}.html")
    precision, recall = _precision_recall(truth, draft.body)
    assert precision >= 0.95 and recall >= 0.95, (precision, recall)
    assert draft.title and not draft.title_guessed
    assert draft.language in ("en", "pt")


def test_html_reader_removes_what_bare_extraction_keeps() -> None:
    # A Brazilian page whose sidebar of quotes bare trafilatura keeps (precision 0.20).
    html, truth = corpus_page("b3c19dd5")
    import trafilatura

    bare_precision, _ = _precision_recall(truth, trafilatura.extract(html) or "")
    precision, _ = _precision_recall(truth, read_html(html, "page.html").body)
    assert bare_precision < 0.5 < 0.95 <= precision


def test_ap_page_gives_wire_source_date_and_site() -> None:
    html, _ = corpus_page("e7994d55")
    draft = read_html(html, "ap.html")
    assert draft.title == "UK Tories under fire for Twitter name switch during debate"
    assert draft.source == "Associated Press"
    assert draft.published == dt.date(2019, 11, 20)
    assert draft.body.startswith("LONDON (AP) — Britain's Conservative Party")


HOSTILE = """<!doctype html><html><head>
<title>Niger: the junta receives a Russian delegation</title>
<script>document.cookie; alert('head')</script><style>p { color: red }</style>
<link rel="stylesheet" href="https://evil.example/x.css"></head>
<body onload="steal()"><article>
<h1>Niger: the junta receives a Russian delegation</h1>
<p onclick="alert('p')">General Abdourahamane Tiani received the Russian deputy defence minister in
Niamey on Monday, in the first visit by a Russian official since the coup in July.</p>
<img src="https://tracker.example/pixel.gif" onerror="alert('img')" alt="tracker pixel">
<p>The two sides signed a protocol on military cooperation whose content was not made public,
a government adviser said. <a href="javascript:alert('link')">Click to share</a></p>
<iframe src="https://ads.example/frame"></iframe><object data="https://x.example/y.swf"></object>
<p>Niger has also ended two European security missions and repealed a law against migrant
smuggling, turning away from its former Western partners.</p>
<script>alert('body')</script><noscript>Enable scripts to read more</noscript>
</article></body></html>"""


def test_nothing_active_or_remote_survives_the_html_reader() -> None:
    draft = read_html(HOSTILE, "hostile.html")
    everything = " ".join(
        [draft.title, draft.body, draft.standfirst, str(draft.extra), *draft.related_refs]
    )
    for trace in [
        "alert",
        "script",
        "javascript",
        "onclick",
        "onload",
        "onerror",
        "steal",
        "color: red",
        "evil.example",
        "tracker",
        "ads.example",
        "swf",
        "Click to share",
        "Enable scripts",
        "<",
    ]:
        assert trace not in everything
    assert draft.body.startswith("General Abdourahamane Tiani received the Russian deputy")
    assert draft.body.endswith("turning away from its former Western partners.")
    assert len(draft.body.split("\n\n")) == 3


def test_a_page_with_no_article_is_an_error() -> None:
    page = (
        "<html><head><title>Home</title></head><body><nav><a href='/'>Home</a> "
        "<a href='/world'>World</a> <a href='/sport'>Sport</a></nav><footer>© 2024</footer>"
        "</body></html>"
    )
    with pytest.raises(IngestError, match=r"^empty\.html: no article"):
        read_html(page, "empty.html")


def test_a_cookie_wall_is_an_error_not_a_clipping() -> None:
    wall = """<html><head><title>Before you continue</title></head><body><div class="consent">
    <h2>We value your privacy</h2>
    <p>We and our 842 partners use cookies and similar technologies to store and access
    information on your device, for personalised ads and content, ad and content measurement,
    audience research and services development. With your consent, we and our partners may use
    precise geolocation data. You may accept all cookies, reject all or manage your privacy
    settings and consent preferences at any time, including your right to object to legitimate
    interest, by clicking on the privacy settings link in the footer of this site.</p>
    <p>Accept all. Reject all. Manage preferences. Privacy policy. Cookie policy. Vendors.</p>
    </div></body></html>"""
    with pytest.raises(IngestError, match=r"^wall\.html: the page is only a cookie or consent"):
        read_html(wall, "wall.html")


NEWSLETTER_PLAIN = """\
---------- Forwarded message ---------
From: Le Monde Afrique <newsletters@lemonde.fr>
Date: Wed, Dec 6, 2023 at 6:30 PM
Subject: Le Niger se tourne vers Moscou
To: <desk@example.org>


Voir la version en ligne

Le Niger se tourne vers Moscou

Alors que les derniers soldats français quittent le Niger, les premiers responsables russes \
sont accueillis par la junte du général Abdourahamane Tiani.

Lundi 4 décembre, le général a reçu le vice-ministre russe de la défense, Iounous-Bek \
Ievkourov, avec tous les honneurs.

Vous recevez cet e-mail car vous êtes inscrit à la newsletter Le Monde Afrique.
Se désinscrire | Gérer mes préférences
Le Monde, 67-69 avenue Pierre-Mendès-France, 75013 Paris
"""


def test_forwarded_newsletter_gives_the_article_and_the_original_headers() -> None:
    data = make_email("Fwd: Le Niger se tourne vers Moscou", NEWSLETTER_PLAIN)
    draft = read_email(data, "digest.eml")
    assert draft.title == "Le Niger se tourne vers Moscou"
    assert draft.source == "Le Monde Afrique"
    assert draft.published == dt.date(2023, 12, 6)
    assert draft.origin == "email"
    assert draft.language == "fr"
    assert draft.body.startswith("Alors que les derniers soldats français quittent le Niger")
    assert draft.body.endswith("avec tous les honneurs.")
    for chrome in [
        "Forwarded",
        "Voir la version",
        "désinscrire",
        "préférences",
        "75013",
        "inscrit",
    ]:
        assert chrome not in draft.body


def test_an_html_only_newsletter_is_read_through_the_html_reader() -> None:
    html = (
        "<html><body><p><a href='https://example.org/view'>View in browser</a></p>"
        "<h1>Sahel Weekly: Bamako postpones the vote</h1>"
        "<p>The transitional authorities in Bamako announced on Monday that the presidential "
        "election planned for February would be postponed for technical reasons.</p>"
        "<p>Opposition parties denounced a manoeuvre to keep the junta in power.</p>"
        "<p><a href='https://example.org/unsub'>Unsubscribe</a> from this newsletter.</p>"
        "</body></html>"
    )
    data = make_email("Sahel Weekly: Bamako postpones the vote", None, html)
    draft = read_email(data, "weekly.eml")
    assert draft.title == "Sahel Weekly: Bamako postpones the vote"
    assert draft.published == dt.date(2023, 12, 6)
    assert draft.body.startswith("The transitional authorities in Bamako")
    assert "Unsubscribe" not in draft.body and "View in browser" not in draft.body


def test_pdf_text_comes_back_as_paragraphs_with_its_metadata(article_pdf: bytes) -> None:
    draft = read_pdf(article_pdf, "wire.pdf")
    assert draft.title == "Sahel juntas quit West African bloc"
    assert draft.source == "Reuters"
    paragraphs = draft.body.split("\n\n")
    assert len(paragraphs) == 3
    assert paragraphs[0] == " ".join(ARTICLE[0])
    assert paragraphs[2].endswith("in the three Sahel countries.")


def test_password_protected_pdf_gets_a_clear_error(article_pdf: bytes) -> None:
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(article_pdf)))
    writer.encrypt(user_password="secret", owner_password="owner")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(IngestError, match=r"^locked\.pdf: the PDF is password-protected$"):
        read_pdf(buffer.getvalue(), "locked.pdf")


def test_image_only_pdf_gets_a_clear_error() -> None:
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(IngestError, match=r"^scan\.pdf: the PDF has no text layer"):
        read_pdf(buffer.getvalue(), "scan.pdf")


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.95])
def test_truncated_pdf_gets_a_clear_error(article_pdf: bytes, keep: float) -> None:
    with pytest.raises(IngestError, match=r"^cut\.pdf: the PDF is (truncated|damaged)"):
        read_pdf(article_pdf[: int(len(article_pdf) * keep)], "cut.pdf")


def _docx_bytes() -> bytes:
    document = docx.Document()
    document.core_properties.author = "Aïssata Maïga"
    document.add_heading("Ouagadougou hosts the AES defence ministers", level=1)
    document.add_paragraph(
        "The defence ministers of Mali, Burkina Faso and Niger met in Ouagadougou on Friday "
        "to set up a joint force of five thousand soldiers."
    )
    document.add_paragraph(
        "The force will be headquartered in Niamey, the ministers said in a final communiqué."
    )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_gives_heading_as_title_and_paragraphs() -> None:
    draft = read_docx(_docx_bytes(), "aes.docx")
    assert draft.title == "Ouagadougou hosts the AES defence ministers"
    assert draft.author == "Aïssata Maïga"
    assert draft.body.split("\n\n") == [
        "The defence ministers of Mali, Burkina Faso and Niger met in Ouagadougou on Friday "
        "to set up a joint force of five thousand soldiers.",
        "The force will be headquartered in Niamey, the ministers said in a final communiqué.",
    ]


def test_a_docx_that_is_a_zip_of_something_else_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("photos/niamey.jpg", b"\xff\xd8\xff\xe0 not really")
        archive.writestr("notes.txt", "holiday pictures")
    with pytest.raises(IngestError, match=r"^fake\.docx: this is a zip archive of other files"):
        read_bytes(buffer.getvalue(), "fake.docx", "fake.docx")


def test_markdown_loses_its_syntax_and_gives_its_heading() -> None:
    text = (
        "# Niger ends EU security missions\n\n"
        "The junta in **Niamey** has [denounced](https://example.org/a) the agreements "
        "governing *Eucap Sahel* and the EU military partnership mission.\n\n"
        "![map](https://example.org/map.png)\n\n"
        "- Eucap Sahel had 130 staff.\n- EUMPM was set up in 2022.\n"
    )
    draft = read_bytes(text.encode(), "note.md", "note.md")
    assert draft.title == "Niger ends EU security missions"
    assert draft.body.startswith("The junta in Niamey has denounced the agreements")
    assert "**" not in draft.body and "](" not in draft.body and "map.png" not in draft.body
    assert draft.original_media_type == "text/markdown"


def test_sniffing_trusts_content_over_the_extension(article_pdf: bytes) -> None:
    assert sniff(article_pdf, "report.txt") == PDF
    assert sniff(b"<!DOCTYPE html><html><body><p>x</p></body></html>", "page.txt") == HTML
    assert sniff(make_email("Hello", "Body text here."), "mail.txt") == EMAIL
    assert sniff(_docx_bytes(), "document.pdf") == DOCX
    assert sniff(b"Plain words about Niamey.", "notes.html") == TEXT
    assert sniff(b"# Title\n\nSome *text* and [a link](http://x.org).", "a.md") == MARKDOWN
    # A scan is read by OCR whatever its name says; a GIF is still no article.
    assert sniff(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "article.html") == IMAGE
    with pytest.raises(Refused, match="GIF image"):
        sniff(b"GIF89a" + b"\x00" * 64, "article.html")


def test_dropped_html_text_and_pasted_text_become_drafts() -> None:
    html_drop = InputItem(label="dropped page", text=HOSTILE, media_type="text/html")
    draft = read_item(html_drop)
    assert draft.origin == "paste" and draft.original_media_type == "text/html"
    assert "alert" not in draft.body
    data_drop = InputItem(label="dropped bytes", data=HOSTILE.encode(), media_type="text/html")
    assert read_item(data_drop).body == draft.body
    pasted = InputItem(label="pasted", text="Niamey, 4 December. " + " ".join(ARTICLE[1]))
    assert read_item(pasted).origin == "paste"


def test_pdf_file_through_read_item_keeps_the_original(tmp_path: Path) -> None:
    path = tmp_path / "wire.pdf"
    path.write_bytes(make_pdf(ARTICLE))
    draft = read_item(InputItem(label=str(path), path=path))
    assert draft.original == path.read_bytes()
    assert draft.original_filename == "wire.pdf"
    assert draft.original_media_type == "application/pdf"
    assert [r.name for r in draft.regions][:3] == ["Niger", "Mali", "Burkina Faso"]


FRENCH_PAGE = """<html lang="fr"><head>
<title>Au Niger, la junte se tourne vers Moscou - Le Monde</title>
<meta property="og:site_name" content="Le Monde.fr">
<meta property="article:published_time" content="2023-12-06T18:30:00+01:00">
<meta property="og:title" content="Au Niger, la junte se tourne vers Moscou"></head><body>
<header><nav><a href="/">Accueil</a> <a href="/afrique">Afrique</a></nav></header>
<article><h1>Au Niger, la junte se tourne vers Moscou</h1>
<p class="meta"><span class="article__author">Par Benjamin Roger</span></p>
<p>Alors que les derniers soldats français quittent le Niger, les premiers responsables russes
sont déjà accueillis par la junte du général Abdourahamane Tiani, qui a reçu lundi le
vice-ministre russe de la défense.</p>
<p>Lire aussi | Article réservé à nos abonnés Au Niger, Emmanuel Macron ordonne le retrait</p>
<p>Comme les juntes du Mali et du Burkina Faso, les nouveaux maîtres de Niamey ont annoncé le
« renforcement de la coopération de défense » avec Moscou, selon un conseiller.</p>
<p>Partager</p><p>Il vous reste 60 % de cet article à lire. La suite est réservée aux abonnés.</p>
</article><footer>© Le Monde 2023</footer></body></html>"""


def test_french_page_gives_site_byline_date_promo_and_a_clean_body() -> None:
    draft = read_html(FRENCH_PAGE, "lemonde.html")
    assert draft.title == "Au Niger, la junte se tourne vers Moscou"
    assert draft.source == "Le Monde"
    assert draft.author == "Benjamin Roger"
    assert draft.published == dt.date(2023, 12, 6)
    assert draft.language == "fr"
    assert draft.related_refs == ["Au Niger, Emmanuel Macron ordonne le retrait"]
    paragraphs = draft.body.split("\n\n")
    assert len(paragraphs) == 2
    assert paragraphs[0].startswith("Alors que les derniers soldats français")
    assert paragraphs[1].endswith("selon un conseiller.")
