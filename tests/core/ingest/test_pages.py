"""Pages the HTML reader once got wrong, each through `clipper import --dry-run --json` as an
editor runs it: text in `<noscript>`, a listing of teasers under a post, an article without
one sentence of prose, a `.html` file that starts with a server's warning and a style sheet."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clipper.cli import main

PARAGRAPHS = [
    "The millet harvest around Maradi came in late this year, and the farmers I met in the"
    " villages east of the town said the rains had stopped twice in August before starting"
    " again.",
    "Prices at the Thursday market rose by a third over the month, and traders told me that"
    " grain from Nigeria had become scarce since the border closed to lorries in the summer.",
    "Several families have sent a son to work in the towns of the south until the next season,"
    " as they do in lean years, and the village schools have fewer pupils than in the spring.",
]
TEASERS = [
    "The road from Zinder to Agadez is open again after the rains, and the lorries that carry"
    " onions north have started running, though drivers say the checkpoints…",
    "A cooperative of women in Tahoua has bought its first mill, and the grinding that took"
    " each of them two hours a day now takes a few minutes, which leaves…",
    "Teachers in Dosso have not been paid since September, and some of them have begun to give"
    " lessons in their homes for a fee that many parents cannot…",
]
TITLE = "Harvest notes from Maradi"
HEAD = f"<html><head><title>{TITLE}</title></head><body>"


def _dry_run(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, page: str) -> dict:
    path = tmp_path / name
    path.write_text(page, encoding="utf-8")
    code = main(
        ["--archive", str(tmp_path / "archive"), "import", "--dry-run", "--json", str(path)]
    )
    [row] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == (0 if row["ok"] else 1)
    return row


def _paragraphs(texts: list[str]) -> str:
    return "".join(f"<p>{text}</p>" for text in texts)


def test_text_inside_noscript_is_kept_and_the_script_note_is_not(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Blogger pages carry the post for readers without scripts in <noscript>, sometimes one
    # block per paragraph: a short paragraph is text too.
    closing = "The school reopens on Monday."
    page = (
        HEAD
        + f"<div class='post'><h3>{TITLE}</h3>"
        + "<noscript><p>Please enable JavaScript to view this blog.</p></noscript>"
        + "".join(f"<noscript><p>{p}</p></noscript>" for p in [*PARAGRAPHS, closing])
        + "</div></body></html>"
    )
    row = _dry_run(tmp_path, capsys, "blog.html", page)
    assert row["ok"] is True
    assert row["body"].split("\n\n") == [*PARAGRAPHS, closing]


def test_a_listing_of_teasers_under_a_post_is_not_its_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = (
        HEAD
        + f"<div class='post'><h1>{TITLE}</h1>{_paragraphs(PARAGRAPHS)}{_paragraphs(TEASERS)}"
        + "</div></body></html>"
    )
    row = _dry_run(tmp_path, capsys, "post.html", page)
    assert row["ok"] is True and row["title"] == TITLE
    assert row["body"].split("\n\n") == PARAGRAPHS


def test_one_teaser_inside_the_text_stays(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A single sentence trailing off is the writer's; only a run of them is a listing.
    page = (
        HEAD
        + f"<article><h1>{TITLE}</h1>{_paragraphs([PARAGRAPHS[0], TEASERS[0], *PARAGRAPHS[1:]])}"
        + "</article></body></html>"
    )
    row = _dry_run(tmp_path, capsys, "post.html", page)
    assert row["body"].split("\n\n") == [PARAGRAPHS[0], TEASERS[0], *PARAGRAPHS[1:]]


PROGRAMME = [
    "Friday 8 pm: Orchestre Poly-Rythmo de Cotonou, main stage",
    "Friday 10 pm: Bombino and band, river stage",
    "Saturday 6 pm: Amadou et Mariam, main stage",
    "Saturday 9 pm: Tinariwen, main stage",
    "Sunday 4 pm: the children's choir of Niamey, river stage",
    "Sunday 7 pm: Mdou Moctar, main stage",
    "Tickets at the gate or at the Centre culturel franco-nigérien",
    "Doors open one hour before the first concert each day",
]


def test_a_long_text_without_a_sentence_is_still_an_article(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = (
        HEAD.replace(TITLE, "Festival programme")
        + "<article><h1>Festival programme</h1><ul>"
        + "".join(f"<li>{item}</li>" for item in PROGRAMME)
        + "</ul></article></body></html>"
    )
    row = _dry_run(tmp_path, capsys, "programme.html", page)
    assert row["ok"] is True and row["title"] == "Festival programme"
    assert [line.removeprefix("- ") for line in row["body"].split("\n\n")] == PROGRAMME


def test_a_few_short_lines_without_a_sentence_are_still_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = (
        HEAD.replace(TITLE, "Festival programme")
        + "<article><h1>Festival programme</h1><ul>"
        + "".join(f"<li>{item}</li>" for item in PROGRAMME[:3])
        + "</ul></article></body></html>"
    )
    row = _dry_run(tmp_path, capsys, "programme.html", page)
    assert row["ok"] is False
    assert "no article text found" in row["error"]


PHP_WARNING = (
    "<br />\n<b>Warning</b>:  Undefined variable $user in <b>/var/www/html/article.php</b>"
    " on line <b>12</b><br />\n"
)
STYLE_SHEET = (
    "<style>\n"
    + "".join(
        f".c{i} {{ margin: {i}px; padding: 0 {i}px; color: #{i:06x}; }}\n" for i in range(300)
    )
    + "</style>\n"
)
SCRIPT = "<script>\n" + "".join(f"var setting{i} = {i} * 2;\n" for i in range(400)) + "</script>\n"


@pytest.mark.parametrize(
    "start",
    [PHP_WARNING + STYLE_SHEET, STYLE_SHEET, SCRIPT],
    ids=["php-warning", "style", "script"],
)
def test_a_html_file_that_starts_with_something_else_is_read_as_a_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], start: str
) -> None:
    page = (
        start + HEAD + f"<article><h1>{TITLE}</h1>{_paragraphs(PARAGRAPHS)}</article></body></html>"
    )
    row = _dry_run(tmp_path, capsys, "article.html", page)
    assert row["ok"] is True and row["title"] == TITLE
    assert row["body"].split("\n\n") == PARAGRAPHS


def test_a_html_file_of_plain_text_is_still_read_as_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    row = _dry_run(tmp_path, capsys, "notes.html", f"{TITLE}\n\n" + "\n\n".join(PARAGRAPHS))
    assert row["ok"] is True and row["title"] == TITLE
    assert row["body"].split("\n\n") == PARAGRAPHS
