"""A deterministic synthetic newsroom corpus for the benchmarks: French and English articles
of 300-1,500 words drawn from a Zipf vocabulary, with sources, dates, 1-4 topics, 1-3
regions, elided French articles (l'armée, d'État) and French names with accents.

The word, name and syllable lists are data files, `words/*.txt` next to this module. The same
seed always gives the same articles, so two benchmark runs compare like with like.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.resources import files

from clipper.core.drafts import ClippingDraft


def _word_list(name: str) -> list[str]:
    """The entries of `words/<name>.txt`, one a line, in the file's order: the order is the
    Zipf rank of a word, so reordering a file changes every corpus."""
    text = (files("clipper.bench") / "words" / f"{name}.txt").read_text(encoding="utf-8")
    return text.splitlines()


# Most common first. fr.txt and en.txt repeat a few words, as the lists always did: removing
# them would shift every later rank and so change every corpus.
FRENCH_WORDS = _word_list("fr")
ENGLISH_WORDS = _word_list("en")
FIRST_NAMES = _word_list("first_names")
LAST_NAMES = _word_list("last_names")
SOURCES = tuple(_word_list("sources"))
TOPICS = tuple(_word_list("topics"))
REGIONS = tuple(_word_list("regions"))
_SYLLABLES = _word_list("syllables")
_VOWELS = frozenset("aeiouéèêhâîôû")


@dataclass(frozen=True)
class SyntheticArticle:
    draft: ClippingDraft
    tags: tuple[tuple[str, str], ...]


class NewsCorpus:
    """Articles from one seed. `vocabulary` is the common part of every language's Zipf list."""

    def __init__(self, seed: int = 7, tail_words: int = 30_000) -> None:
        self.seed = seed
        rng = random.Random(seed)
        tail: list[str] = []
        seen: set[str] = set()
        while len(tail) < tail_words:
            word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))
            if word not in seen:
                seen.add(word)
                tail.append(word)
        names = [*LAST_NAMES, *FIRST_NAMES]
        self.tail = tail
        self.vocabulary = {
            "fr": self._zipf(FRENCH_WORDS + names + tail),
            "en": self._zipf(ENGLISH_WORDS + names + tail),
        }

    @staticmethod
    def _zipf(words: list[str], exponent: float = 1.05) -> tuple[list[str], list[float]]:
        weights = [1.0 / (rank**exponent) for rank in range(1, len(words) + 1)]
        return words, list(itertools.accumulate(weights))

    def words(self, language: str, count: int, rng: random.Random) -> list[str]:
        words, cumulative = self.vocabulary[language]
        return rng.choices(words, cum_weights=cumulative, k=count)

    def _sentences(self, language: str, count: int, rng: random.Random) -> Iterator[str]:
        remaining = count
        while remaining > 0:
            length = min(remaining, rng.randint(8, 28))
            remaining -= length
            words = self.words(language, length, rng)
            if language == "fr":
                # Elide the article before a vowel, as French does: "l'armée", "d'État".
                for i in range(1, len(words)):
                    if words[i - 1] in ("le", "la", "de", "que") and words[i][0] in _VOWELS:
                        words[i - 1] = {"le": "l'", "la": "l'", "de": "d'", "que": "qu'"}[
                            words[i - 1]
                        ]
            if rng.random() < 0.3:
                words[rng.randrange(len(words))] = self.person(rng)
            if rng.random() < 0.2:
                words[rng.randrange(len(words))] = rng.choice(REGIONS)
            text = " ".join(words).replace("' ", "'")
            yield text[0].upper() + text[1:] + "."

    def person(self, rng: random.Random) -> str:
        return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"

    def article(self, number: int) -> SyntheticArticle:
        """Article `number` of this corpus; the same number always gives the same article."""
        rng = random.Random(self.seed * 1_000_003 + number)
        language = "fr" if rng.random() < 0.6 else "en"
        length = rng.randint(300, 1500)
        paragraphs: list[str] = []
        while length > 0:
            size = min(length, rng.randint(40, 140))
            length -= size
            paragraphs.append(" ".join(self._sentences(language, size, rng)))
        title = next(self._sentences(language, rng.randint(6, 12), rng)).rstrip(".")
        standfirst = next(self._sentences(language, rng.randint(20, 40), rng))
        start = dt.date(2019, 1, 1)
        published = start + dt.timedelta(days=rng.randrange(6 * 365))
        tags = [("topic", t) for t in rng.sample(TOPICS, rng.randint(1, 4))]
        tags += [("region", r) for r in rng.sample(REGIONS, rng.randint(1, 3))]
        draft = ClippingDraft(
            title=f"{title} ({number})",
            body="\n\n".join(paragraphs),
            standfirst=standfirst,
            source=rng.choice(SOURCES),
            author=self.person(rng) if rng.random() < 0.8 else None,
            published=published,
            language=language,
            origin="paste",
        )
        return SyntheticArticle(draft, tuple(tags))

    def articles(self, count: int, first: int = 0) -> Iterator[SyntheticArticle]:
        for number in range(first, first + count):
            yield self.article(number)
