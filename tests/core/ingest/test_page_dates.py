"""A date written in words on a page, through `clipper import --dry-run --json` in a process of
its own: found, and found with dateparser held to the page's languages (it used to load and
compile every locale it knows on the first such date, seconds per import run)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import html as lxml_html

from clipper.core.ingest.page_dates import UNDECLARED, declared_languages

BODY = (
    "<p>" + "O governo de transição em Niamey recebeu uma delegação russa esta semana, e os"
    " ministros falaram de cooperação militar, de cereais e de energia para a região. "
    * 12
    + "</p>"
)

# What the child process runs: the editor's command, then which languages dateparser loaded.
CHILD = """
import json, sys
import dateparser.languages.loader as loader
from clipper.cli import main
code = main(["--archive", sys.argv[2], "import", "--dry-run", "--json", sys.argv[1]])
print(json.dumps(sorted(loader.LocaleDataLoader._loaded_languages)))
sys.exit(code)
"""


def _page(lang_attribute: str) -> str:
    return (
        f"<html{lang_attribute}><head><title>Delegação russa em Niamey</title></head><body>"
        "<article><h1>Delegação russa em Niamey</h1>"
        '<p class="date">12 de março de 2021</p>'
        f"{BODY}</article></body></html>"
    )


def _import_in_child(tmp_path: Path, page: str) -> tuple[dict, list[str]]:
    path = tmp_path / "pagina.html"
    path.write_text(page, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), str(tmp_path / "archive")],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).resolve().parents[3],
    )
    assert done.returncode == 0, done.stderr
    *report_lines, loaded_line = done.stdout.strip().splitlines()
    report = json.loads("\n".join(report_lines))
    return report, json.loads(loaded_line)


def _published(report: dict) -> str | None:
    assert report["ok"], report
    return report["published"]


def test_a_date_in_words_is_read_in_the_language_the_page_declares(tmp_path: Path) -> None:
    report, loaded = _import_in_child(tmp_path, _page(' lang="pt-BR"'))
    assert _published(report) == "2021-03-12"
    # Portuguese, and the two always tried; not dateparser's two hundred locales.
    assert set(loaded) <= {"pt", "en", "fr"}
    assert "pt" in loaded


def test_a_page_that_declares_no_language_is_read_in_the_common_news_languages(
    tmp_path: Path,
) -> None:
    report, loaded = _import_in_child(tmp_path, _page(""))
    assert _published(report) == "2021-03-12"
    assert set(loaded) <= set(UNDECLARED)


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ('<html lang="pt-BR"><head></head><body></body></html>', ("pt",)),
        (
            '<html lang="xx"><head><meta property="og:locale" content="fr_FR"></head></html>',
            ("fr",),
        ),
        (
            '<html><head><meta http-equiv="Content-Language" content="de, en"></head></html>',
            ("de", "en"),
        ),
        ("<html><head></head><body></body></html>", ()),
    ],
)
def test_declared_languages_are_dateparsers_codes(markup: str, expected: tuple[str, ...]) -> None:
    assert declared_languages(lxml_html.fromstring(markup)) == expected


def test_htmldate_outside_an_import_keeps_its_own_parser(tmp_path: Path) -> None:
    # trafilatura's own calls and the benchmark's bare htmldate must meet the library as it
    # is, every language included, even after Clipper has dated a page in this process.
    from htmldate import extractors

    from clipper.core.ingest.html import read_html

    draft = read_html(_page(' lang="pt-BR"'), "pagina.html")
    assert draft.published is not None and draft.published.isoformat() == "2021-03-12"
    assert extractors.get_external_parser().languages is None
