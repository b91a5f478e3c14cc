"""The cleaner and metadata on pasted text: the seed page, and rules it must apply to pages
it has never seen (French promos and bylines, wire datelines, newsletter footers)."""

from __future__ import annotations

import datetime as dt

import pytest

from clipper.core.ingest.clean import capture_promo, clean_lines
from clipper.core.ingest.compose import TITLE_MAX, guess_title
from clipper.core.ingest.dates import find_dates, parse_date
from clipper.core.ingest.text import read_text
from tests.helpers.documents import SEED
from tests.helpers.paths import SHARED_CORPUS

PROMOS = [
    "Macron ultimately orders military exit from Niger",
    "United States partially resumes military activities in Niger",
    "Burkina Faso is strengthening its alliance with Russia",
]


def test_seed_gives_the_article_and_its_metadata() -> None:
    draft = read_text(SEED.read_text(encoding="utf-8"), "pasted")
    assert draft.source == "Le Monde"
    assert draft.published == dt.date(2023, 12, 6)
    assert draft.language == "en"
    assert draft.body.startswith("As the last remaining French soldiers leave Niger")
    assert draft.body.endswith('to eventually achieve a federation."')
    assert draft.related_refs == PROMOS
    assert draft.extra["translated_from"] == "fr"
    assert draft.extra["original_site"] == "lemonde.fr"
    assert "Translation of an original article" in str(draft.extra["translation_note"])


def test_seed_body_has_none_of_the_chrome() -> None:
    body = read_text(SEED.read_text(encoding="utf-8"), "pasted").body
    for chrome in [
        "AMERICA ONE",
        "Remer",
        "Sponsor",
        "QWIKET",
        "Jun 26, 2025",
        "Images Le Monde",
        "Read more",
        "réservé",
        "Try for free",
        "daily lesson",
        "Translation of",
        "liable",
    ]:
        assert chrome not in body
    for promo in PROMOS:
        assert promo not in body
    assert "\nback\n" not in f"\n{body}\n" and "\ntopic\n" not in f"\n{body}\n"
    # Paragraphs survive, separated by blank lines.
    assert len(body.split("\n\n")) == 10


def test_seed_title_is_a_guess_from_the_first_sentence() -> None:
    draft = read_text(SEED.read_text(encoding="utf-8"), "pasted")
    assert draft.title_guessed
    assert len(draft.title) < TITLE_MAX
    assert draft.title.startswith("As the last remaining French soldiers leave Niger")
    assert draft.title.endswith("…")
    cut = draft.title.removesuffix("…")
    # Cut at a word: what is kept is a prefix of the sentence ending at a word boundary.
    first_sentence = draft.body.split(". ")[0]
    assert first_sentence.startswith(cut)
    assert first_sentence[len(cut)] == " "


def test_a_short_sentence_is_the_title_as_is() -> None:
    title = guess_title("Niger expels the EU mission. More follows.")
    assert title == "Niger expels the EU mission"


FRENCH_PASTE = """\
Le Monde Afrique
Politique

Au Mali, la junte annonce le report sine die de l'élection présidentielle

Par Morgane Le Cam (Dakar, correspondante)
Publié le 26 septembre 2023 à 10h15, modifié le 26 septembre 2023 à 18h02

Partager
Article réservé à nos abonnés

La présidentielle, initialement prévue en février 2024, est repoussée « pour des raisons \
techniques », a annoncé lundi le porte-parole du gouvernement de transition, à Bamako.

Lire aussi | Au Mali, le retrait de la Minusma s'accélère dans le nord du pays

Le colonel Abdoulaye Maïga a évoqué l'adoption de la nouvelle Constitution et un litige avec \
la société française Idemia, chargée du recensement électoral.

Le Monde Afrique

Lire aussi : Au Burkina Faso, le capitaine Traoré limoge le chef d'état-major

Il vous reste 72 % de cet article à lire. La suite est réservée aux abonnés.
Déjà abonné ? Se connecter
"""


def test_french_paste_gives_title_byline_date_and_references() -> None:
    draft = read_text(FRENCH_PASTE, "collé")
    assert draft.title == (
        "Au Mali, la junte annonce le report sine die de l'élection présidentielle"
    )
    assert not draft.title_guessed
    assert draft.author == "Morgane Le Cam"
    assert draft.published == dt.date(2023, 9, 26)
    assert draft.language == "fr"
    assert draft.body.startswith("La présidentielle, initialement prévue en février 2024")
    assert draft.body.endswith("chargée du recensement électoral.")
    assert draft.related_refs == [
        "Au Mali, le retrait de la Minusma s'accélère dans le nord du pays",
        "Au Burkina Faso, le capitaine Traoré limoge le chef d'état-major",
    ]
    for chrome in ["Partager", "abonnés", "Il vous reste", "Se connecter", "Lire aussi"]:
        assert chrome not in draft.body


WIRE_PASTE = """\
World News | Reuters
Niger junta revokes military deal with United States

By Moussa Aksar and Felix Onuah

NIAMEY, March 17 (Reuters) - Niger's ruling junta has revoked with immediate effect a \
military accord that allowed military personnel and civilian staff from the U.S. \
Department of Defense on its soil, a government spokesperson said on Saturday.

The U.S. has about 650 troops in Niger, where it operates a drone base in the north.

Advertisement · Scroll to continue

Colonel Amadou Abdramane said the decision followed a visit this week by a U.S. \
delegation led by Assistant Secretary of State for African Affairs Molly Phee.

Reporting by Moussa Aksar in Niamey and Felix Onuah in Abuja; Editing by Alexandra Hudson
Our Standards: The Thomson Reuters Trust Principles.
Share
"""


def test_wire_dateline_gives_source_and_date_and_credits_leave_the_body() -> None:
    cleaned = clean_lines(WIRE_PASTE, reference_date=dt.date(2024, 6, 1))
    assert cleaned.wire_source == "Reuters"
    assert cleaned.published == dt.date(2024, 3, 17)
    assert cleaned.author == "Moussa Aksar and Felix Onuah"
    assert cleaned.title == "Niger junta revokes military deal with United States"
    body = "\n\n".join(cleaned.paragraphs)
    assert body.startswith("NIAMEY, March 17 (Reuters) - Niger's ruling junta")
    assert body.endswith("Molly Phee.")
    assert "Advertisement" not in body and "Editing by" not in body and "Share" not in body
    assert "Moussa Aksar in Niamey" in str(cleaned.extra["credits"])


def test_wire_copy_names_the_agency_as_source() -> None:
    draft = read_text(WIRE_PASTE, "wire")
    assert draft.source == "Reuters"


def test_promo_lines_capture_headlines_in_english_and_french() -> None:
    assert capture_promo("Read more: Alibaba poised to launch record-breaking listing") == (
        True,
        "Alibaba poised to launch record-breaking listing",
    )
    assert capture_promo("Lire aussi | Le Niger et la Russie renforcent leur coopération") == (
        True,
        "Le Niger et la Russie renforcent leur coopération",
    )
    assert capture_promo("[Related: Salesforce keynote draws protesters]") == (
        True,
        "Salesforce keynote draws protesters",
    )
    # Sentences that merely start with such words are kept.
    assert capture_promo("More than 300 people were displaced by the floods.") == (False, None)
    assert capture_promo("Watch the river rise over the coming weeks, officials said.")[0] is False


def test_hard_wrapped_text_is_joined_into_paragraphs() -> None:
    text = (
        "The ministry said the mission had ended and that all personnel would leave\n"
        "the country by the end of the year, according to a statement read on the\n"
        "national broadcaster late on Monday evening.\n"
        "\n"
        "A second paragraph follows here, with enough words to count as prose text.\n"
    )
    cleaned = clean_lines(text)
    assert cleaned.paragraphs[0].startswith("The ministry said the mission had ended and that all")
    assert "leave the country by the end" in cleaned.paragraphs[0]
    assert len(cleaned.paragraphs) == 2


def test_dates_in_english_and_french() -> None:
    assert parse_date("6 Dec 2023") == dt.date(2023, 12, 6)
    assert parse_date("Jun 26, 2025 | |") == dt.date(2025, 6, 26)
    assert parse_date("December 6th, 2023") == dt.date(2023, 12, 6)
    assert parse_date("Publié le 5 décembre 2023 à 18h30") == dt.date(2023, 12, 5)
    assert parse_date("le 1er janvier 2024") == dt.date(2024, 1, 1)
    assert parse_date("mis à jour le 3 févr. 2024") == dt.date(2024, 2, 3)
    assert parse_date("2023-12-06T08:57:40+01:00") == dt.date(2023, 12, 6)
    assert parse_date("06/12/2023") == dt.date(2023, 12, 6)
    assert parse_date("no date at all 2023") is None
    assert [d.date for d in find_dates("from 30 November to 1 December 2023")] == [
        dt.date(2023, 12, 1)
    ]


def test_newsletter_footer_and_postal_address_are_removed() -> None:
    text = (
        "View this email in your browser\n\n"
        "Sahel Weekly\n\n"
        "The transitional authorities in Bamako announced on Monday that the referendum "
        "would go ahead, despite calls for a delay from opposition parties.\n\n"
        "Turnout is expected to be low in the north, where armed groups remain active.\n\n"
        "You are receiving this email because you signed up for our newsletter.\n"
        "Unsubscribe | Manage preferences\n"
        "Sahel Weekly, 67-69 avenue Pierre-Mendès-France, 75013 Paris\n"
    )
    body = "\n\n".join(clean_lines(text).paragraphs)
    assert body.startswith("The transitional authorities in Bamako")
    assert body.endswith("armed groups remain active.")


def _clean_recall(truth: str) -> float:
    from clipper.bench.ingest import page_counts

    draft = read_text(truth, "clean.txt")
    kept = draft.body if draft.title_guessed else f"{draft.title}\n{draft.body}"
    tp, _fp, fn = page_counts(truth, kept)
    return tp / (tp + fn)


def test_an_article_that_is_already_clean_loses_nothing() -> None:
    import json

    from tests.helpers.documents import CORPUS

    truths = json.loads((CORPUS / "ground-truth.json").read_text(encoding="utf-8"))
    for key, truth in truths.items():
        assert _clean_recall(truth["articleBody"]) >= 0.97, key


@pytest.mark.slow
@pytest.mark.skipif(not SHARED_CORPUS.is_dir(), reason="../shared corpus not available")
def test_the_181_hand_annotated_articles_keep_their_text_through_the_cleaner() -> None:
    import json
    import statistics

    truths = json.loads((SHARED_CORPUS / "ground-truth.json").read_text(encoding="utf-8"))
    recalls = [_clean_recall(truth["articleBody"]) for truth in truths.values()]
    assert statistics.fmean(recalls) >= 0.985
    assert sum(r < 0.9 for r in recalls) <= 5
