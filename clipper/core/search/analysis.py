"""Text analysis for the search index: one fast tokenizer shared by indexing, queries and
highlighting, so all three always agree on what a word is.

A token is a run of word characters (combining marks included, so text stored in decomposed
Unicode tokenizes like its composed form). Each token is NFC-normalized, case-folded and
accent-folded ("Goïta" -> "goita", "SÉCURITÉ" -> "securite"); a French elided article or
pronoun before an apostrophe (l', d', qu', j', n', s', c', m', t', jusqu', lorsqu',
puisqu') is dropped, as is an English possessive 's. The folded word is then stemmed with
the document's language (French or English snowball); a query word is looked up under
both stems, because the query does not know the language of the text it should find.

Everything per word is cached: news vocabulary is Zipf-distributed, so after a few hundred
articles nearly every token is a dictionary hit and analysis costs one regex match and one
lookup per word. This is what makes indexing several times faster than Whoosh's own
analyzer chain.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator

from whoosh.lang.porter2 import stem as english_stem
from whoosh.lang.snowball.french import FrenchStemmer

# A word: word characters plus the combining marks (U+0300-036F and friends) that \w leaves
# out, so text stored in decomposed Unicode splits into the same words as composed text.
MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
WORD_RE = re.compile(rf"[\w{MARKS}]+")
# Left out of every field, query and highlight: French elided articles and pronouns (the
# "l" of "l'armée", the "qu" of "qu'il") and the "s" of an English possessive. Apostrophes
# split words, so these only ever stand alone; dropping them outright is both correct and
# the cheapest way to do it. Dropped words take no position, so "armée de l'air" is still
# the phrase armée-de-air wherever it appears.
DROPPED = frozenset(
    {"l", "d", "j", "n", "s", "c", "m", "t", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu"}
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


def fold(word: str) -> str:
    """NFC, case folding and accent folding of one word: 'Goïta' -> 'goita', 'Œuvre' -> 'oeuvre'."""
    word = unicodedata.normalize("NFC", word).translate(_LIGATURES).casefold()
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def stem_language(language: str | None) -> str:
    """The stemmer used for a document: French for French, English for everything else."""
    return FRENCH if language and language.lower().startswith("fr") else ENGLISH


_french = FrenchStemmer()
_STEMMERS: dict[str, Callable[[str], str]] = {FRENCH: _french.stem, ENGLISH: english_stem}


class WordCache:
    """Folded forms and stems of the words seen so far; bounded, and safe to share by threads.

    Plain dict reads and writes are atomic in CPython, so lookups take no lock; only the
    occasional reset when a table is full does.
    """

    def __init__(self, limit: int = _CACHE_LIMIT) -> None:
        self.limit = limit
        self._folded: dict[str, str] = {}
        # language -> token as written -> stem of its folded form: the one lookup per word
        # on the indexing path.
        self._token_stems: dict[str, dict[str, str]] = {lang: {} for lang in STEM_LANGUAGES}
        self._stems: dict[str, dict[str, str]] = {lang: {} for lang in STEM_LANGUAGES}
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._folded.clear()
            for table in (*self._token_stems.values(), *self._stems.values()):
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

    def token_stem(self, token: str, language: str) -> str:
        """The stem of a token as written ("Armée" -> "arme"), "" for a word left out."""
        table = self._token_stems[language]
        found = table.get(token)
        if found is None:
            found = self.stem(self.folded(token), language)
            self._store(table, token, found)
        return found

    def stems(self, folded: str) -> tuple[str, ...]:
        """Every stem a word may have in the index (one per language), without repeats."""
        first = self.stem(folded, FRENCH)
        second = self.stem(folded, ENGLISH)
        return (first,) if first == second else (first, second)


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


def stemmed_positions(
    sections: tuple[str, ...] | list[str], language: str, seen: set[str] | None = None
) -> tuple[dict[str, list[int]], int]:
    """Stem -> positions for the words of several sections of text, and the next position.

    Sections (title, standfirst, body, notes...) are separated by a gap of positions so a
    phrase never matches across two of them. The tokens go into `seen` when given, so the
    spelling lexicon costs no second pass over the text. This loop is the indexing hot
    path: one regex pass and one dictionary lookup per word.
    """
    table = WORDS._token_stems[language]
    token_stem = WORDS.token_stem
    positions: defaultdict[str, list[int]] = defaultdict(list)
    pos = 0
    for section in sections:
        if not section:
            continue
        tokens = WORD_RE.findall(section)
        if seen is not None:
            seen.update(tokens)
        keys = [table.get(token) or token_stem(token, language) for token in tokens]
        if "" in keys:
            keys = [key for key in keys if key]
        for pos, key in enumerate(keys, pos):  # noqa: B020
            positions[key].append(pos)
        pos += SECTION_GAP
    return positions, pos


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
