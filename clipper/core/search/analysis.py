"""Text analysis for the search index: one fast tokenizer shared by indexing, queries and
highlighting, so all three always agree on what a word is.

A token is a run of word characters (combining marks included, so text stored in decomposed
Unicode tokenizes like its composed form). Each token is case-folded and accent-folded
("Goïta" -> "goita", "SÉCURITÉ" -> "securite"), then recomposed (NFC), so that Hangul stays
in syllables and the voicing marks of kana, which are letters rather than accents (ガ is not
カ), are kept; a French elided article or pronoun before an apostrophe (l', d', qu', j',
n', s', c', m', t', jusqu', lorsqu', puisqu') is dropped, as is an English possessive 's.

Each folded word is indexed twice: as itself (`words`: what prefixes, fuzzy words and "did
you mean" are matched against, so a typo or a prefix never depends on a stemmer), and as its
stem in the document's language (French or English snowball), tagged with that language
("fr:arme", "en:armi"). A query word is looked up under both tagged stems: it does not know
the language of the text it should find, but each stem only finds texts of its own language,
so English "news" never finds French "new".

Everything per word is cached: news vocabulary is Zipf-distributed, so after a few hundred
articles nearly every token is a dictionary hit and analysis costs one regex match and a
lookup or two per word. This is what makes indexing several times faster than Whoosh's own
analyzer chain.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from whoosh.lang.porter2 import exceptional_forms as _english_exceptions
from whoosh.lang.porter2 import stem as english_stem
from whoosh.lang.snowball.french import FrenchStemmer

# A word: word characters plus the combining marks (U+0300-036F and friends, and the kana
# voicing marks) that \w leaves out, so text stored in decomposed Unicode splits into the
# same words as composed text.
MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f\u3099\u309a"
WORD_RE = re.compile(rf"[\w{MARKS}]+")
# Left out of every field, query and highlight: French elided articles and pronouns (the
# "l" of "l'armée", the "qu" of "qu'il") and the "s" of an English possessive. Apostrophes
# split words, so these only ever stand alone; dropping them outright is both correct and
# the cheapest way to do it. Dropped words take no position, so "armée de l'air" is still
# the phrase armée-de-air wherever it appears. (And "": what a lone combining mark folds to.)
DROPPED = frozenset(
    {"l", "d", "j", "n", "s", "c", "m", "t", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu", ""}
)
# Letters that NFKD does not decompose but a reader expects to match their plain form.
_LIGATURES = str.maketrans(
    {"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l",
     "đ": "d", "Đ": "d", "ı": "i"}
)  # fmt: skip
MAX_TOKEN_LENGTH = 60
# Gap left between sections of one field (title, body, notes...) so phrases never span them.
SECTION_GAP = 100
FRENCH, ENGLISH = "fr", "en"
STEM_LANGUAGES = (FRENCH, ENGLISH)
_CACHE_LIMIT = 300_000


# Combining marks that are part of a letter rather than an accent on it: the voicing marks of
# kana (ガ is カ with U+3099 once decomposed). Folding keeps them.
_KEPT_MARKS = frozenset("\u3099\u309a")


def fold(word: str) -> str:
    """Case and accent folding of one word, recomposed: 'Goïta' -> 'goita', 'Œuvre' -> 'oeuvre',
    'МОСКВА' -> 'москва', '한국' -> '한국', 'ガス' -> 'ガス'."""
    word = unicodedata.normalize("NFC", word).translate(_LIGATURES).casefold()
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFKD", word)
    stripped = "".join(
        ch for ch in decomposed if ch in _KEPT_MARKS or not unicodedata.combining(ch)
    )
    # Decomposition splits Hangul syllables into jamo (and kana from their marks): put them
    # back together, so a folded word is written as a text writes it.
    return unicodedata.normalize("NFC", stripped)


def stem_language(language: str | None) -> str:
    """The stemmer used for a document: French for French, English for everything else."""
    return FRENCH if language and language.lower().startswith("fr") else ENGLISH


def stem_term(stem: str, language: str) -> str:
    """The index term of a stem of a text in `language` (FRENCH or ENGLISH): "fr:arme"."""
    return f"{language}:{stem}"


_french = FrenchStemmer()
_STEMMERS: dict[str, Callable[[str], str]] = {FRENCH: _french.stem, ENGLISH: english_stem}


def _irregular_stems() -> dict[str, tuple[str, ...]]:
    """Index term -> the words stemmed to it by a rule of their own, not by cutting a suffix
    (Porter2's exceptional forms: "dying" -> "die", "skies" -> "sky"): a stem usually starts
    as its word does, and these are the words for which it may not."""
    found: dict[str, list[str]] = defaultdict(list)
    for word, stem in _english_exceptions.items():
        if word != stem:
            found[stem_term(stem, ENGLISH)].append(word)
    return {term: tuple(words) for term, words in found.items()}


IRREGULAR_STEMS = _irregular_stems()


class WordCache:
    """Folded forms and stems of the words seen so far; bounded, and safe to share by threads.

    Plain dict reads and writes are atomic in CPython, so lookups take no lock; only the
    occasional reset when a table is full does.
    """

    def __init__(self, limit: int = _CACHE_LIMIT) -> None:
        self.limit = limit
        self._folded: dict[str, str] = {}
        # language -> token as written -> tagged stem term of its folded form: the one
        # lookup per word on the indexing path.
        self._token_terms: dict[str, dict[str, str]] = {lang: {} for lang in STEM_LANGUAGES}
        self._stems: dict[str, dict[str, str]] = {lang: {} for lang in STEM_LANGUAGES}
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._folded.clear()
            for table in (*self._token_terms.values(), *self._stems.values()):
                table.clear()

    def _store(self, table: dict[str, str], key: str, value: str) -> None:
        if len(table) >= self.limit:
            with self._lock:
                table.clear()
        table[key] = value

    def folded(self, token: str) -> str:
        found = self._folded.get(token)
        if found is None:
            found = fold(token)[:MAX_TOKEN_LENGTH]
            self._store(self._folded, token, found)
        return found

    def stem(self, folded: str, language: str) -> str:
        """The stem of a folded word, or "" for a word left out (see DROPPED)."""
        table = self._stems[language]
        found = table.get(folded)
        if found is None:
            # Very short words and numbers are left alone: stemming "as" or "2023" only
            # merges unrelated words.
            if folded in DROPPED:
                found = ""
            elif len(folded) > 3 and not folded.isdigit():
                found = _STEMMERS[language](folded)
            else:
                found = folded
            self._store(table, folded, found)
        return found

    def term(self, folded: str, language: str) -> str:
        """The index term of a folded word in a text of `language`: its stem tagged with the
        language ("fr:arme"), or "" for a word left out."""
        stem = self.stem(folded, language)
        return stem_term(stem, language) if stem else ""

    def token_term(self, token: str, language: str) -> str:
        """The index term of a token as written ("Armée" -> "fr:arme"), "" if left out."""
        table = self._token_terms[language]
        found = table.get(token)
        if found is None:
            found = self.term(self.folded(token), language)
            self._store(table, token, found)
        return found

    def terms(self, folded: str) -> tuple[str, ...]:
        """Every term a query word may have in the index: one per language (none for a word
        left out)."""
        if folded in DROPPED:
            return ()
        return tuple(self.term(folded, language) for language in STEM_LANGUAGES)

    def entries(self, texts: tuple[str, ...] | list[str], language: str) -> WordEntries:
        """What this cache holds (computing it where it must) for the words of `texts` in a
        text of `language`: to be `learn`ed by another process's cache. An import worker
        sends these with the page it read, so that the batch's process indexes the page
        without stemming any of its words again (stemming a real page's new words was a
        sixth of what that process spent)."""
        tokens = sorted({token for text in texts if text for token in WORD_RE.findall(text)})
        token_term = self.token_term
        terms = [token_term(token, language) for token in tokens]
        return WordEntries(language, tokens, [self.folded(t) for t in tokens], terms)

    def learn(self, entries: WordEntries) -> None:
        """Take in what another process's cache computed (`entries`): the same values this
        one would compute, since they depend on the word and language alone."""
        folded_table = self._folded
        terms = self._token_terms.get(entries.language)
        if terms is None:
            return
        for token, folded, term in zip(entries.tokens, entries.folded, entries.terms, strict=True):
            if token not in folded_table:
                self._store(folded_table, token, folded)
            if token not in terms:
                self._store(terms, token, term)


@dataclass(frozen=True)
class WordEntries:
    """Tokens as written in some text, each with its folded form and its index term in a text
    of `language` (see `WordCache.entries`)."""

    language: str
    tokens: list[str]
    folded: list[str]
    terms: list[str]


WORDS = WordCache()


def iter_words(text: str) -> Iterator[tuple[str, int, int]]:
    """(folded word, start, end) for every word of `text`, offsets into `text` itself."""
    folded = WORDS.folded
    for match in WORD_RE.finditer(text):
        word = folded(match.group())
        if word not in DROPPED:
            yield word, match.start(), match.end()


def words(text: str) -> list[str]:
    """The folded words of `text`, in order."""
    folded = WORDS.folded
    found = [folded(token) for token in WORD_RE.findall(text)]
    return [word for word in found if word not in DROPPED]


def folded_tokens(text: str) -> list[str]:
    """The folded form of every token of `text`, in order, elided words included ("qu" of
    "qu*": a prefix is letters, not a word)."""
    folded = WORDS.folded
    return [word for word in map(folded, WORD_RE.findall(text)) if word]


def analyze(
    sections: tuple[str, ...] | list[str], language: str
) -> tuple[dict[str, list[int]], dict[str, int]]:
    """The two analyses of several sections of a text in `language`: tagged stem ->
    positions, and folded word -> how often it occurs.

    Sections (title, standfirst, body, notes...) are separated by a gap of positions so a
    phrase never matches across two of them. This loop is the indexing hot path: one regex
    pass, two dictionary lookups per word and a count done in C.
    """
    table = WORDS._token_terms[language]
    token_term = WORDS.token_term
    folded_table = WORDS._folded
    folded = WORDS.folded
    positions: defaultdict[str, list[int]] = defaultdict(list)
    counts: Counter[str] = Counter()
    pos = 0
    for section in sections:
        if not section:
            continue
        tokens = WORD_RE.findall(section)
        counts.update([folded_table.get(token) or folded(token) for token in tokens])
        keys = [table.get(token) or token_term(token, language) for token in tokens]
        if "" in keys:
            keys = [key for key in keys if key]
        for pos, key in enumerate(keys, pos):  # noqa: B020
            positions[key].append(pos)
        pos += SECTION_GAP
    for dropped in DROPPED.intersection(counts):
        del counts[dropped]
    return positions, counts


def stemmed_positions(sections: tuple[str, ...] | list[str], language: str) -> dict[str, list[int]]:
    """Tagged stem -> positions for the words of several sections of text (see `analyze`)."""
    return analyze(sections, language)[0]


def plain_positions(sections: tuple[str, ...] | list[str]) -> tuple[dict[str, list[int]], int]:
    """Folded word -> positions, without stemming (names: authors, sources)."""
    positions: defaultdict[str, list[int]] = defaultdict(list)
    pos = 0
    for section in sections:
        if not section:
            continue
        for pos, word in enumerate(words(section), pos):  # noqa: B020
            positions[word].append(pos)
        pos += SECTION_GAP
    return positions, pos
