"""Encodings, odd spaces and mojibake: what a text file's bytes become."""

from __future__ import annotations

import pytest

from clipper.core.ingest.base import IngestError
from clipper.core.ingest.decode import decode_bytes, looks_binary, normalize_text

FRENCH = "Publié le 5 décembre 2023 à 18h30 : la junte de Niamey reçoit « l'émissaire » russe."


@pytest.mark.parametrize(
    "encoded",
    [
        FRENCH.encode("utf-8"),
        b"\xef\xbb\xbf" + FRENCH.encode("utf-8"),
        FRENCH.encode("utf-16"),  # with its BOM
        b"\xfe\xff" + FRENCH.encode("utf-16-be"),
        FRENCH.encode("cp1252"),
        FRENCH.replace("«", '"').replace("»", '"').encode("latin-1"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-le-bom", "utf-16-be-bom", "cp1252", "latin-1"],
)
def test_each_encoding_decodes_to_the_same_french_text(encoded: bytes) -> None:
    text = decode_bytes(encoded, "note.txt")
    assert "Publié le 5 décembre 2023 à 18h30" in text
    assert "reçoit" in text and "émissaire" in text


def test_cp1252_punctuation_survives() -> None:
    text = "Ça coûte 5 € — dit l’élève « très cher »"
    assert decode_bytes(text.encode("cp1252"), "x") == text


def test_cyrillic_legacy_encoding_is_not_forced_into_western() -> None:
    text = "Привет, как дела? Это тест кодировки текста"
    assert decode_bytes(text.encode("cp1251"), "x") == text


def test_damaged_utf8_is_refused_with_the_offset() -> None:
    damaged = "Niamey, décembre".encode() + b"\xff\xfe broken" + "é".encode()
    expected = r"broken\.txt: not valid UTF-8 \(byte 0xff at offset 17\)"
    with pytest.raises(IngestError, match=expected):
        decode_bytes(damaged, "broken.txt")


def test_binary_junk_is_refused() -> None:
    junk = bytes(range(256)) * 40
    assert looks_binary(junk)
    with pytest.raises(IngestError, match=r"junk\.bin: this is binary data"):
        decode_bytes(junk, "junk.bin")


def test_mojibake_is_repaired_and_odd_spaces_made_plain() -> None:
    broken = "Article rÃ©servÃ© Ã\xa0 nos abonnÃ©s\u00a0: itâ€™s\u202fok\u200b."
    assert normalize_text(broken) == "Article réservé à nos abonnés : it’s ok."


def test_normalize_keeps_curly_quotes_and_text_that_is_already_right() -> None:
    text = "“Quoted” — l’Élysée, São Tomé, Goïta"
    assert normalize_text(text) == text


def test_windows_line_ends_become_newlines() -> None:
    assert normalize_text("one\r\ntwo\rthree  \n") == "one\ntwo\nthree\n"
