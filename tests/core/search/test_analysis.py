"""Analysis: what a typed word finds. Each pair goes through the user's path (store a
clipping, search the archive), then the tokenizer's own rules are pinned down."""

from __future__ import annotations

import unicodedata

import pytest

from clipper.core.archive import Archive
from clipper.core.search.analysis import WORDS, fold, stemmed_positions, words
from tests.helpers.archives import add, ids

DECOMPOSED_GOITA = unicodedata.normalize("NFD", "Goïta")


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("Le colonel Assimi Goïta a parlé.", "Goita"),
        ("Le colonel Assimi Goita a parlé.", "Goïta"),
        ("La sécurité au Sahel se dégrade.", "securite"),
        ("LA SÉCURITÉ AU SAHEL", "sécurité"),
        ("L'armée malienne est entrée à Kidal.", "armée"),
        ("L’armée malienne est entrée à Kidal.", "l'armée"),
        ("Une armée malienne.", "l’armée"),
        (f"Le colonel {DECOMPOSED_GOITA} a parlé.", "Goïta"),
        ("Le colonel Goïta a parlé.", DECOMPOSED_GOITA),
        ("Une œuvre collective.", "oeuvre"),
        ("Les élections présidentielles sont reportées.", "élection"),
        ("The elections were postponed.", "election"),
        ("La fin d'État de droit.", "etat"),
        ("Les réfugiés de Côte d'Ivoire.", "Ivoire"),
        ("Jusqu'à Niamey, la route est coupée.", "Niamey"),
        ("Mali's junta extended the transition.", "Mali"),
        ("Qu'il parte, disent les manifestants.", "manifestant"),
    ],
)
def test_a_typed_word_finds_the_stored_text(archive: Archive, stored: str, typed: str) -> None:
    wanted = add(archive, "Clipping", stored, language="fr")
    add(archive, "Other", "Nothing to see in this unrelated text about rainfall.", language="fr")
    assert ids(archive, typed) == {wanted}


def test_folding_is_case_accent_and_normal_form_blind() -> None:
    assert fold("Goïta") == fold("GOITA") == fold(DECOMPOSED_GOITA) == "goita"
    assert fold("SÉCURITÉ") == "securite"
    assert fold("Œuvre") == "oeuvre"


def test_decomposed_text_splits_into_the_same_words_as_composed_text() -> None:
    composed = "Le colonel Goïta reçoit l'armée à Niamey"
    assert words(unicodedata.normalize("NFD", composed)) == words(composed)
    assert words(composed) == ["le", "colonel", "goita", "recoit", "armee", "a", "niamey"]


def test_elided_articles_and_possessives_take_no_position() -> None:
    # "armée de l'air": the l' goes and "air" follows "de", so the phrase still matches.
    positions = stemmed_positions(["l'armée de l'air"], "fr")
    assert positions == {WORDS.term("armee", "fr"): [0], "fr:de": [1], "fr:air": [2]}
    assert words("qu'il jusqu'à lorsqu'on Mali's") == ["il", "a", "on", "mali"]


def test_a_phrase_across_an_elision_is_found(archive: Archive) -> None:
    wanted = add(archive, "Aviation", "Le chef de l'armée de l'air a démissionné.", language="fr")
    add(archive, "Other", "L'air de la ville et l'armée de terre.", language="fr")
    assert ids(archive, '"armée de l\'air"') == {wanted}


def test_french_and_english_stems_are_both_tried_for_a_query_word(archive: Archive) -> None:
    french = add(archive, "Fr", "Les gouvernements africains négocient.", language="fr")
    english = add(archive, "En", "African governments negotiate.", language="en")
    assert ids(archive, "gouvernement") == {french}
    assert ids(archive, "government") == {english}
    assert ids(archive, "africain") == {french}
    assert ids(archive, "negotiating") == {english}
