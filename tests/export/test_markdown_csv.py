"""Markdown (a folder of files or one file) and CSV exports, read back as a user's tools would."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from clipper.export.common import ExportError
from clipper.export.csv_export import COLUMNS, write_csv
from clipper.export.markdown_export import (
    escape_markdown,
    slugify,
    write_markdown_book,
    write_markdown_files,
)
from tests.helpers.samples import Sample

# Imports, catch-up and exports must behave the same on a shared server.
pytestmark = pytest.mark.backends


def test_one_file_per_clipping_with_front_matter_and_links(sample: Sample, tmp_path: Path) -> None:
    keys = ["bamako", "niamey", "moscow"]
    ids = [sample.ids[k] for k in keys]
    result = write_markdown_files(sample.archive, tmp_path / "md", ids, "Russia in the Sahel")
    names = sorted(p.name for p in (tmp_path / "md").iterdir())
    assert names == [
        "001-assimi-goita-recoit-une-delegation-russe-a-bamako.md",
        "002-niger-s-junta-welcomes-russian-deputy-defence-minister-in.md",
        f"003-clipping-{sample.ids['moscow']}.md",
        "index.md",
    ]
    assert result.clippings == 3
    bamako = (tmp_path / "md" / names[0]).read_text(encoding="utf-8")
    assert bamako.startswith('---\ntitle: "Assimi Goïta reçoit une délégation russe à Bamako"\n')
    assert 'regions: ["Mali"]\ntopics: ["Defence", "Diplomacy"]\n' in bamako
    assert '\ndossiers: ["Russia in the Sahel"]\n' in bamako
    assert "\n# Assimi Goïta reçoit une délégation russe à Bamako\n" in bamako
    assert "**Journal du Sahel** · by Aminata Traoré · 4 December 2023" in bamako
    assert "<https://example.org/sahel/2023/12/04/goita-delegation-russe-bamako>" in bamako
    assert "## Editor’s notes\n\n> Vérifier la date exacte" in bamako
    # A related story in the export links to its file; one outside it is named as such.
    assert f"- [{escape_markdown(sample.title('niamey'))}]({names[1]}) *same event*: Same" in bamako
    assert "- Grain shipments to the Sahel: who pays? (not in this export) *background*" in bamako
    index = (tmp_path / "md" / "index.md").read_text(encoding="utf-8")
    assert "# Russia in the Sahel" in index
    assert f"3. [{sample.title('moscow')}]({names[2]}) — Вестник Сахеля" in index


def test_one_file_for_a_book_links_within_itself(sample: Sample, tmp_path: Path) -> None:
    ids = [sample.ids[k] for k in ("niamey", "bamako")]
    path = tmp_path / "book.md"
    write_markdown_book(sample.archive, path, ids, "Russia in the Sahel")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Russia in the Sahel\n\n2 clippings · 4 December 2023 – 5 December")
    niamey, bamako = sample.ids["niamey"], sample.ids["bamako"]
    contents = text.index("## Contents")
    assert text.index("1. [Niger's junta", contents) < text.index(f"(#clipping-{bamako})")
    assert f'<a id="clipping-{niamey}"></a>' in text and f'<a id="clipping-{bamako}"></a>' in text
    assert text.count("\n## ") == 3
    assert f"]( #clipping-{niamey})" not in text
    assert f"](#clipping-{niamey}) *same event*" in text


def test_markdown_text_shows_as_typed() -> None:
    assert escape_markdown("*not bold* and [not a link](x) <b>") == (
        r"\*not bold\* and \[not a link\](x) \<b\>"
    )
    assert escape_markdown("# not a heading") == r"\# not a heading"
    assert escape_markdown("1. not a list") == r"1\. not a list"
    assert slugify("Le général Goïta à Bamako !", "x") == "le-general-goita-a-bamako"
    assert slugify("Россия", "clipping-3") == "clipping-3"


def test_markdown_folder_cannot_be_a_file(sample: Sample, tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("x", encoding="utf-8")
    with pytest.raises(ExportError, match="is a file"):
        write_markdown_files(sample.archive, tmp_path / "taken", [sample.ids["bamako"]], "T")


def test_csv_of_the_metadata_opens_in_a_spreadsheet(sample: Sample, tmp_path: Path) -> None:
    archive = sample.archive
    archive.update(sample.ids["grain"], title='=HYPERLINK("http://x")')
    path = tmp_path / "clippings.csv"
    ids = [sample.ids[k] for k in ("niamey", "bamako", "grain")]
    assert write_csv(archive, path, ids).rows == 3
    assert path.read_bytes().startswith("\ufeff".encode())
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == list(COLUMNS)
    niamey, bamako, grain = rows
    assert niamey["title"] == sample.title("niamey")
    assert niamey["regions"] == "Niger; Russia"
    assert (niamey["notes"], niamey["links"]) == ("2", "2")
    assert niamey["dossiers"] == "Russia in the Sahel"
    assert bamako["author"] == "Aminata Traoré" and bamako["published"] == "2023-12-04"
    assert grain["published_precision"] == "month"
    # A formula stays text in a spreadsheet.
    assert grain["title"] == '\'=HYPERLINK("http://x")'
    assert int(niamey["words"]) > 300
