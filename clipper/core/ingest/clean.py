"""The cleaner: site chrome out of article text, by general rules rather than per-site ones.

Each line is classified by its shape (words, punctuation, capitals, separators), by
repetition (a short line seen twice is chrome), by position (before the first and after the
last line of prose) and by known patterns in English and French ("Read more", "Lire aussi",
"Article réservé à nos abonnés", "Sign up", "Share", "Advertisement", newsletter footers,
image credits, wire datelines). What the chrome tells is kept as metadata: the source, the
published date, the byline, the headlines of promoted stories, a translation note.

Two modes: `text` for pasted or saved text, where everything before the first paragraph of
prose is a header to read and drop; `extracted` for text an extractor already cut out of a
page, where only lines matching a rule go.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from clipper.core.ingest.dates import DateMatch, find_date_without_year, find_dates
from clipper.core.ingest.dates import fold as date_fold

_WORD = re.compile(r"[^\W\d_][\w'’.-]*", re.UNICODE)
_TOKEN = re.compile(r"\w+", re.UNICODE)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_SENTENCE_END = re.compile(r"[.!?…。！？]['\"”’»)\]]*$|[\"”»]$")
_TABLE_ROW = re.compile(r"^\|(?:[^|]*\|){2,}\s*$")
_BULLET = re.compile(r"^(?:[-•*·▪►»]|\d{1,2}[.)])\s+")
_DOMAIN = re.compile(
    r"\b((?:[a-z0-9-]+\.)+(?:fr|com|net|org|info|co\.uk|uk|de|be|ch|ca|sn|ne|ml))\b"
)


def _vocabulary(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _rx(*alternatives: str) -> re.Pattern[str]:
    """A pattern matched against folded text (lower case, no accents)."""
    return re.compile("|".join(alternatives))


# "Read more ..." promos: whatever follows the marker is a headline to capture.
_PROMO = _rx(
    r"^\[?\s*(?:read more|read also|also read|read next|read the full story|see also|see more"
    r"|related(?: articles?| stories| story| coverage| content| posts?| news| link)?"
    r"|recommended|more on this|more from [\w .'-]+?|don'?t miss|must read|watch|listen"
    r"|also on [\w.-]+"
    r"|lire aussi|a lire aussi|a lire egalement|lire egalement|lire la suite|voir aussi"
    r"|a voir aussi|sur le meme sujet|retrouvez|pour aller plus loin|a lire|decryptage"
    r"|leggi anche|leia tambem|veja tambem|lee tambien|lesen sie auch|lees ook"
    r"|more|related post)\s*(?::|\||-|–|—|>|»)?\s*(?=\S|$)"
)
# Paywall markers that sit between a promo marker and its headline.
_PAYWALL_PREFIX = _rx(
    r"^(?:article reserve a nos abonnes|reserve a nos abonnes|abonnes|subscribers? only"
    r"|premium|exclusive|members only)\s*(?::|\||-|–|—)?\s*"
)
_PAYWALL_LINE = _rx(
    r"^(?:article reserve (?:a nos|aux) abonnes|reserve aux abonnes|subscribers? only"
    r"|premium content"
    r"|already a subscriber\??|deja abonne\s*\??|the rest of this article is reserved"
    r"|la suite de cet article est reservee|to continue reading|pour lire la suite"
    r"|il vous reste \d+(?:[.,]\d+)? ?% de cet article|la suite est reservee aux abonnes)"
)
# Calls to action: a short line built around one of these is an ad or a subscription nag.
_CTA = _rx(
    r"\b(?:sign up|subscribe|unsubscribe|try (?:it )?for free|free trial|start (?:your )?trial"
    r"|click here|download (?:our|the) app|get the [\w ]{1,30} app|follow us|follow (?:him|her|them"
    r"|[\w .@]{1,40}) on (?:twitter|facebook|instagram|x|linkedin|tiktok)|in your inbox"
    r"|to your inbox|newsletters?|view (?:this email |it )?in (?:your )?browser|manage (?:your )?"
    r"(?:preferences|subscription)|abonnez-vous|je m'abonne|s'abonner|inscrivez-vous"
    r"|essai gratuit|essayez gratuitement|cliquez ici|suivez-nous|telechargez l'application"
    r"|voir (?:la version|ce message) (?:en ligne|dans (?:votre|le) navigateur)|se desabonner"
    r"|desinscri(?:re|ption)|thanks for signing up|there was an error processing"
    r"|enable (?:javascript|scripts)|javascript (?:is )?(?:disabled|required)"
    r"|activez (?:le )?javascript|our standards|trust principles|editorial standards"
    r"|corrections policy|code of (?:ethics|conduct)|charte (?:deontologique|editoriale))\b"
)
_CTA_START = _rx(
    r"^(?:try for free|subscribe|sign up|register|join (?:now|us|our)|get (?:access|the)|buy now"
    r"|shop now|learn more|click|download|follow|s'abonner|je m'abonne|abonnez|essayez|decouvrir"
    r"|en savoir plus|share|partager)\b"
)
_AD = _rx(
    r"^(?:advertisement|advertising|ad|ads|publicite|pub|sponsored(?: content| by)?|sponsor"
    r"|sponsorise|contenu sponsorise|promoted|partner content|paid content|annonce"
    r"|story continues below(?: advertisement)?|article continues below|continue reading below"
    r"|la suite apres cette publicite|scroll to continue)\b"
)
_SHARE = _rx(
    r"^(?:share(?: this| on| article| story| via)?|partager(?: sur| cet article)?|tweet|email"
    r"|e-mail|print|imprimer|copy link|copier le lien|save|sauvegarder|facebook|twitter|x"
    r"|linkedin|whatsapp|pinterest|reddit|telegram|messenger)\b"
)
_CREDIT = _rx(
    r"^(?:images?|photos?|photograph|picture|pictures|illustration|credits?|credit photo"
    r"|photo credit|image source|source image|source photo|video|crédit)\s*[:\-–—|]?\s",
    r"^\(?(?:photo|image|credit)s?\s*:",
    r"©",
    r"\bgetty images\b|\bshutterstock\b|\bafp photo\b|\bap photo\b|\breuters/",
    r"^(?:copyright|\(c\)|all rights reserved|tous droits reserves)",
    r"\ball rights reserved\b|\btous droits reserves\b|\breproduction interdite\b",
)
# A photo's caption ends with its credit in brackets ("(AP Photo/Sam Mednick)", "(Photo:
# Issouf Sanogo/AFP)"); agencies and aggregators close their copy with boilerplate. Either
# goes whatever its length.
_CAPTION = _rx(
    r"\((?:[\w .'-]{0,40}\b)?(?:photo|photograph|image|picture|foto)s?\s*(?:/|:|by\b)[^()]{1,80}\)"
    r"\s*$",
    r"\((?:ap|afp|reuters|getty images|epa|anadolu)/[^()]{1,60}\)\s*$",
)
_AGENCY_FOOTER = _rx(
    r"\bmay not be (?:published, )?(?:published|broadcast|rewritten|redistributed)[\w ,]*"
    r"(?:rewritten|redistributed)\b",
    r"^copyright \d{4},? (?:the )?associated press\b",
    r"\ballafrica publishes around \d+ reports a day\b",
    r"^(?:distributed|provided|syndicated) by (?:allafrica|syndigate)\b",
    r"^copyright \d{4} [\w .&'-]{1,60}\. distributed by allafrica\b",
    r"^(?:\(c\)|©)? ?(?:copyright )?(?:\d{4} )?(?:thomson )?reuters\b.{0,40}all rights reserved",
    r"\bafp\b.{0,30}\btous droits de reproduction\b",
)
_TRANSLATION = _rx(
    r"\b(?:translation|translated) (?:of|from) (?:an? )?(?:original )?(?:article|story|text"
    r"|piece|french|english|spanish|german|the)",
    r"\btraduit (?:de l'|du |de la )",
    r"\bthis article (?:was )?(?:originally )?(?:published|written) in (?:french|spanish|german"
    r"|arabic|portuguese|italian)",
)
_LANGUAGES = {
    "french": "fr",
    "english": "en",
    "spanish": "es",
    "german": "de",
    "arabic": "ar",
    "portuguese": "pt",
    "italian": "it",
    "francais": "fr",
    "anglais": "en",
    "espagnol": "es",
    "allemand": "de",
    "arabe": "ar",
}
_CREDITS_LINE = _rx(
    r"^\(?(?:additional |with |further )?(?:reporting|writing|editing|research|compiled|edited"
    r"|reported|translated|graphics|production) (?:by|and editing by)\b",
    r"\bcontributed (?:reporting|to this (?:report|story|article))\b",
    r"^(?:associated press|ap|afp|reuters) (?:writers?|correspondents?|reporters?)\b.*"
    r"\bcontributed\b",
    r"^\(?editing by\b",
)
_CONTACT = _rx(
    r"^[\w.+-]+@[\w-]+\.[\w.]+$",
    r"^(?:twitter\.com|facebook\.com|instagram\.com)/\S+$",
    r"^@\w+$",
    r"^(?:have a (?:news )?tip|reach (?:the )?(?:reporter|writer|author)s?|contact (?:the )?"
    r"(?:reporter|writer|author)|follow (?:the )?(?:reporter|writer|author|us))\b",
    r"\bmay be reached at\b|\bcan be reached at\b",
)
# Postal addresses in newsletter footers: a street number and a street word, or a postcode
# before a capitalised town.
_ADDRESS = re.compile(
    r"\b\d{1,5}(?:[-–]\d{1,5})?(?: bis| ter)?,? (?:rue|avenue|av\.|boulevard|bd|place|quai|all[ée]e"
    r"|chemin|impasse|route)\b"
    r"|\b\d{1,5} [\w .'-]{1,40}\b(?:street|st\.|avenue|ave\.?|road|rd\.|boulevard|blvd\.?"
    r"|lane|drive|suite|floor)\b"
    r"|\b(?:CS|BP|PO Box|P\.O\. Box) ?\d+",
    re.IGNORECASE,
)
_POSTCODE_TOWN = re.compile(
    r"\b(?:\d{5}|[A-Z]{2} \d{5}(?:-\d{4})?|\d{4} [A-Z]{2}|[A-Z]\d[A-Z] ?\d[A-Z]\d"
    r"|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}),? [A-ZÀ-Ý][\w-]+(?: CEDEX)?\b"
)
_READING_TIME = _rx(
    r"^(?:temps de lecture|tempo de leitura|reading time|lesezeit)\b",
    r"^\d+\s*(?:min(?:ute)?s?)\.?\s*(?:read|de lecture|lecture)\b",
)
_LABEL = re.compile(r"^[\w'’ ]{2,30}:\s")
_TAXONOMY = _rx(
    r"^(?:filed under|tags?|topics?|categories|category|categorie|mots-cles|themes?)\s*:"
)
_RELATED_HEADING = _rx(
    r"^(?:related(?: stories| articles| posts| content| coverage| news| reading| links)?"
    r"|you (?:may|might) (?:also )?like|recommended(?: for you| stories| reading)?"
    r"|more (?:from|on|in|stories|news|to explore|like this)\b.*"
    r"|most (?:read|popular|viewed|shared)\b.*|popular(?: on .*| now| stories)?"
    r"|trending(?: now| stories)?|don'?t miss|what to read next"
    r"|read next|further reading|top stories|latest(?: news| stories)?|editor'?s picks"
    r"|also in the news|more headlines|a lire aussi|sur le meme sujet|les plus lus"
    r"|dans la meme rubrique|a voir aussi|nos articles|les plus partages|a la une|en continu"
    r"|you may also be interested in"
    # Portuguese, Spanish, Italian, German, Dutch: the peers' pages carry these too.
    r"|(?:voce )?(?:tambem )?pode gostar|artigos relacionados"
    r"|(?:tambien )?te puede interesar|articulos relacionados|noticias relacionadas"
    r"|potrebbe (?:anche )?interessarti|articoli correlati"
    r"|(?:das )?konnte (?:sie|dich) auch interessieren|ahnliche (?:artikel|beitrage)"
    r"|weitere (?:artikel|beitrage|nachrichten)|mehr zum thema|verwandte artikel"
    r"|gerelateerde artikelen|meer nieuws)\s*(?::|\.\.\.|…)?$"
)
_COMMENTS_HEADING = _rx(
    r"^(?:\d+\s+)?(?:comments?|commentaires?|reactions?|responses?|replies|komentar|comentarios"
    r"|kommentare)\s*(?:\(\d+\))?:?$",
    r"^(?:leave a (?:reply|comment)|post a comment|add a comment|join the discussion"
    r"|comments are closed|show (?:new |all )?comments|loading comments|read all comments"
    r"|view all comments|top rated comments|want to join the discussion|tell us what you think"
    r"|laisser un commentaire|reagissez|ajouter un commentaire|tinggalkan balasan"
    r"|all comments|comment policy|discussion)\b",
)
_NAV_WORDS = _vocabulary(
    """
    back topic topics menu home next previous prev share print email tweet comments comment
    more top search subscribe login signin signup log sign in up close open accueil retour
    partager imprimer suivant precedent newsletter follow advertisement publicite ad
    sponsored video videos photo photos audio podcast live direct en fr world news latest
    section sections navigation skip content to main page article articles index sitemap
    contact about rss feed feeds more less read story stories the a de la le les et and or
    you your
    """
)
_BYLINE = re.compile(
    r"^(?i:by|par|de|written by|words by|story by|texte|text)\s*:?\s+"
    r"(?P<names>[A-ZÀ-Ý][\w'’.-]+"
    r"(?:\s+(?:[A-ZÀ-Ý][\w'’.-]*|de|da|van|von|der|le|la|du|al|el|bin|ben)){0,4}"
    r"(?:\s*(?:,|and|et|&)\s*[A-ZÀ-Ý][\w'’.-]+(?:\s+[A-ZÀ-Ý][\w'’.-]*){0,4}){0,3})"
    r"(?P<rest>.*)$"
)
_BYLINE_REST_OK = re.compile(
    r"^\s*(?:$|[,|–—-]\s*(?:\w[\w .&'-]{0,40})$|\(\w[\w ,.&'-]{0,40}\)$"
    r"|\s+(?:in|à|a)\s+[A-ZÀ-Ý][\w .-]{0,40}$)"
)
_WIRE_DATELINE = re.compile(
    r"^(?P<place>[A-ZÀ-Ý][\w.'’ -]{1,40}?(?:,\s*[A-ZÀ-Ý][\w.'’]+(?: [A-ZÀ-Ý][\w.'’]+)?)?)\s*,?\s*"
    r"(?P<date>(?:[A-Z][a-zé]{2,8}\.?\s+\d{1,2}|\d{1,2}\s+[a-zé]{3,9}\.?)(?:,?\s+\d{4})?)?\s*"
    r"\((?P<agency>Reuters|AFP|AP|Bloomberg|dpa|DPA|Xinhua|UPI|Anadolu|IANS|PTI|ANSA|EFE|APS)\)"
    r"\s*[-–—:]+\s*"
)
_AGENCIES = {"AP": "Associated Press", "DPA": "dpa", "APS": "Algérie Presse Service"}
_DATE_LINE_WORDS = _vocabulary(
    """
    published publie publiee posted updated update mis a jour le la on at am pm gmt utc cet
    cest est edt pst pdt bst et h hrs heure heures date dated modifie modified last first
    aujourd hui today le le du au of by
    """
)
_PROSE_MIN_WORDS = 20
_HEADLINE_MAX_CHARS = 200
_TRAILER_MAX_LINES = 4


_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Lower-case text without accents, as `clipper.core.text.fold`, fast on plain ASCII."""
    if text.isascii():
        return text.casefold()
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text)).casefold()


def name_key(text: str) -> str:
    """Folded words joined by single spaces: `clipper.core.text.name_key`, computed faster."""
    return " ".join(_TOKEN.findall(fold(text)))


def words(text: str) -> list[str]:
    """The words of a line; each two characters of CJK script count as one word."""
    found = _WORD.findall(text)
    cjk = len(_CJK.findall(text))
    if cjk:
        found = [w for w in found if not _CJK.match(w)] + ["字"] * (cjk // 2)
    return found


def is_prose(line: str) -> bool:
    """A line that reads as running text: sentences that end like sentences, or a line too
    long to be a headline. Headlines, labels and menu items end without punctuation."""
    count = len(words(line))
    if count >= _PROSE_MIN_WORDS and not _BULLET.match(line):
        return True
    return count >= 3 and bool(_SENTENCE_END.search(line))


def _squash(text: str) -> str:
    return "".join(_TOKEN.findall(fold(text)))


@dataclass
class Line:
    text: str
    block: int
    kind: str = "text"  # text | drop | prose; drop lines never reach the body
    reason: str = ""


@dataclass
class CleanResult:
    """The cleaned paragraphs and what the chrome told about the article."""

    paragraphs: list[str]
    references: list[str] = field(default_factory=list)
    title: str | None = None
    source: str | None = None
    source_evidence: int = 0
    author: str | None = None
    published: dt.date | None = None
    wire_source: str | None = None
    # Prose above the headline or the byline that is the article's summary.
    standfirst: str = ""
    extra: dict[str, object] = field(default_factory=dict)
    dropped: list[tuple[str, str]] = field(default_factory=list)


def split_lines(text: str, lines_are_paragraphs: bool = False) -> list[Line]:
    """Non-empty lines, numbered by block (blocks are separated by blank lines); a block of
    hard-wrapped lines becomes one line, so that a wrapped sentence is classified whole.
    Extracted text has one paragraph per line: then every line is a block of its own."""
    if lines_are_paragraphs:
        return [Line(t.strip(), n) for n, t in enumerate(text.split("\n")) if t.strip()]
    lines: list[Line] = []
    block = 0
    current: list[str] = []

    def flush() -> None:
        if _hard_wrapped(current):
            lines.append(Line(" ".join(current), block))
        else:
            lines.extend(Line(t, block) for t in current)
        current.clear()

    for raw in text.split("\n"):
        stripped = raw.strip()
        if not stripped:
            if current:
                flush()
            block += 1
            continue
        current.append(stripped)
    if current:
        flush()
    return lines


def capture_promo(line: str) -> tuple[bool, str | None]:
    """(is this a promo line, the headline it promotes if it names one)."""
    folded = fold(line)
    m = _PROMO.match(folded)
    if m is None:
        return False, None
    rest_start = m.end()
    rest_folded = folded[rest_start:]
    p = _PAYWALL_PREFIX.match(rest_folded)
    if p is not None:
        rest_start += p.end()
    headline = line[rest_start:].strip().strip("[]").strip(" :|-–—").strip()
    if m.end() == 0:
        return False, None
    marker = folded[: m.end()].strip(" [:|-–—>»")
    # "More", "Watch", "Listen" alone are promos only when a separator or a paywall marker
    # follows them; otherwise they start ordinary sentences ("More than 300 people...").
    if marker in {"more", "watch", "listen", "retrouvez", "a lire", "recommended", "decryptage"}:
        separated = re.match(r"^\[?\s*\w+(?: \w+)?\s*[:|»>–—]", folded) is not None
        if not separated and p is None:
            return False, None
    if not headline:
        return True, None
    if is_prose(headline) and len(headline) > _HEADLINE_MAX_CHARS:
        return False, None
    if len(words(headline)) < 2:
        return True, None
    return True, headline


def _is_date_line(line: str) -> list[DateMatch]:
    """The dates of a line that is nothing but a date (with 'Published', times, separators)."""
    found = find_dates(line)
    if not found:
        if re.fullmatch(r"(?:updated|mis a jour|publie)?[^a-z]*\d{1,2}[:h]\d{2}.*", fold(line)):
            rest = re.sub(r"\d{1,2}[:h.]\d{2}|[ap]\.?m\.?|\b[a-z]{2,4}\b", " ", fold(line))
            if not re.search(r"[a-z]{5,}", rest):
                return [DateMatch(dt.date.min, 0, 0, has_year=False)]
        return []
    rest = date_fold(line)
    for match in reversed(found):
        rest = rest[: match.start] + " " + rest[match.end :]
    rest = re.sub(r"\d{1,2}[:h.]\d{2}(?::\d{2})?(?:[+-]\d{2}:?\d{2}|z)?|\bt\d|\d+", " ", rest)
    leftover = [w for w in re.findall(r"[a-z]+", rest) if w not in _DATE_LINE_WORDS]
    if len(leftover) <= 1 and len(words(line)) <= 12:
        return found
    return []


def byline_names(line: str) -> str | None:
    """The names in a byline ("By Ousmane Diallo and Jane Doe, Reuters"), or None."""
    return _byline(line)


# Where a byline's names end: the words that start its date ("By Jane Doe Updated 5 May").
_BYLINE_NAMES_END = re.compile(
    r"\s+(?:Updated|Published|Posted|Last updated|Mis à jour|Publié|Modifié)\b.*$", re.IGNORECASE
)


def _byline(line: str) -> str | None:
    m = _BYLINE.match(line)
    if m is None or len(line) > 120:
        return None
    names, rest = m["names"], m["rest"]
    cut = _BYLINE_NAMES_END.search(names)
    if cut is not None:
        names, rest = names[: cut.start()], names[cut.start() :] + rest
    # The names pattern also takes ", Associated Press" or ", Niamey": give such parts back
    # to the rest until the rest reads as a byline's ("By Ousmane Diallo, Reuters" and
    # "Par Jean Dupont à Niamey" are bylines; "By the end of the year, ..." is a sentence).
    chunks = names.split(",")
    while rest and not _BYLINE_REST_OK.match(rest) and not find_dates(rest):
        if len(chunks) < 2:
            return None
        rest = "," + chunks.pop() + rest
    # A place among the names is the dateline's, not a writer ("By Ousmane Diallo, Niamey").
    kept = [c for c in chunks if not _is_place(c)]
    names = ",".join(kept).strip(" ,")
    names = re.sub(r"\s+(?:,|and|et|&)\s*$", "", names)
    if len(names.split()) < 2 and "," not in names:
        return None
    return names


def _is_place(text: str) -> bool:
    """Whether the whole text is one region's name, capital or city ("Niamey", "Mali")."""
    from clipper.core.regions import region_matcher  # the gazetteer loads on first use

    text = text.strip()
    if not text or len(text) > 40:
        return False
    found = region_matcher().mentions(text)
    return len(found) == 1 and name_key(found[0].text) == name_key(text)


def _translation(line: str) -> dict[str, object] | None:
    folded = fold(line)
    if not _TRANSLATION.search(folded) or len(line) > 400:
        return None
    note: dict[str, object] = {"translation_note": line}
    language = re.search(
        r"\bin (\w+)\b|\ben (\w+)\b|\bfrom (\w+)\b|\bdu (\w+)\b|de l'(\w+)", folded
    )
    if language:
        name = next(g for g in language.groups() if g)
        if name in _LANGUAGES:
            note["translated_from"] = _LANGUAGES[name]
    domain = _DOMAIN.search(folded)
    if domain:
        note["original_site"] = domain.group(1)
    return note


def is_widget_label(text: str) -> bool:
    """A button's or a link's label ("Share", "Print", "Click to share", "Log in"), not
    words of a sentence."""
    folded = fold(text).strip()
    count = len(words(text))
    if not folded or count > 5:
        return False
    return bool(
        _SHARE.match(folded)
        or _CTA_START.match(folded)
        or _CTA.search(folded)
        or re.match(r"^(?:click|tap) to \w+", folded)
        or _is_nav(text)
    )


def _is_nav(line: str) -> bool:
    tokens = _TOKEN.findall(fold(line))
    return not tokens or (len(tokens) <= 3 and all(t in _NAV_WORDS for t in tokens))


def _separator_chrome(line: str, count: int) -> bool:
    """Breadcrumbs and widget rows: 'Home | World | Africa', '| Remer,MN', 'a · b · c'
    (`count` is the line's number of words)."""
    separators = len(re.findall(r"[|·•›»>]", line))
    if separators == 0 or count > 8:
        return False
    return separators >= 2 or line.startswith(("|", "·", "›")) or line.endswith(("|", "›"))


def classify(line: str) -> tuple[str, str]:
    """('drop', why) for a line that is chrome wherever it stands, else ('keep', '')."""
    folded = fold(line).strip()
    if _TABLE_ROW.match(line):
        return "keep", ""
    if not re.search(r"[^\W\d_]", line):
        return "drop", "no letters"
    # Most rules only apply to short lines: the word count is tested before the pattern.
    count = len(words(line))
    if count <= 40 and _AD.match(folded):
        return "drop", "advertisement"
    if _PAYWALL_LINE.match(folded):
        return "drop", "paywall"
    if count <= 120 and _AGENCY_FOOTER.search(folded):
        return "drop", "agency footer"
    if count <= 80 and _CAPTION.search(folded):
        return "drop", "caption"
    if count <= 8 and _COMMENTS_HEADING.match(folded):
        return "drop", "comments"
    if _READING_TIME.match(folded):
        return "drop", "reading time"
    if len(line) <= 200 and _TAXONOMY.match(folded):
        return "drop", "taxonomy"
    if count <= 40 and _CONTACT.search(folded):
        return "drop", "contact"
    if count <= 4 and _SHARE.match(folded) and not _SENTENCE_END.search(line):
        return "drop", "share"
    if count <= 30 and _CTA.search(folded):
        return "drop", "call to action"
    if count <= 5 and _CTA_START.match(folded):
        return "drop", "call to action"
    if count <= 14 and _CREDIT.search(folded):
        return "drop", "credit"
    if _separator_chrome(line, count):
        return "drop", "separators"
    if (
        count <= 16
        and (_ADDRESS.search(line) or ("," in line and _POSTCODE_TOWN.search(line)))
        and not _BULLET.match(line)
        and not _SENTENCE_END.search(line)
    ):
        return "drop", "postal address"
    if _is_nav(line):
        return "drop", "navigation"
    return "keep", ""


def clean_lines(
    text: str, mode: str = "text", reference_date: dt.date | None = None
) -> CleanResult:
    """Clean article text; see the module docstring for the two modes."""
    if mode == "text":
        text = join_hyphenated(text)
    lines = split_lines(text, lines_are_paragraphs=mode == "extracted")
    result = CleanResult(paragraphs=[])
    if not lines:
        return result
    if mode == "text":
        _drop_running_headers(lines)
    reference_date = reference_date or dt.date.today()

    prose_flags = [is_prose(line.text) for line in lines]
    short_keys = Counter(
        name_key(line.text)
        for line, prose in zip(lines, prose_flags, strict=True)
        if len(line.text) <= 80 and not prose
    )
    first_prose = next((i for i, p in enumerate(prose_flags) if p), len(lines))
    last_prose = max((i for i, p in enumerate(prose_flags) if p), default=-1)
    rough_first, rough_last = first_prose, last_prose
    inside_keys = {name_key(line.text) for line in lines[rough_first : rough_last + 1]}

    dates_at: dict[int, list[DateMatch]] = {}
    published_hint: dict[int, bool] = {}
    bylines: list[tuple[int, str]] = []
    wire: tuple[int, re.Match[str]] | None = None

    def drop(index: int, reason: str) -> None:
        lines[index].kind = "drop"
        lines[index].reason = reason

    skip_until_prose = False
    teasers_seen = False
    for i, line in enumerate(lines):
        text_ = line.text
        folded = fold(text_)

        if skip_until_prose:
            bulleted = bool(_BULLET.match(text_))
            # A teaser is cut short with an ellipsis: another story's opening, not this one's.
            teaser = text_.endswith(("…", "...")) and len(text_) <= 800
            teasers_seen = teasers_seen or teaser
            if (
                bulleted
                or teaser
                # A list of other stories' openings runs to the end of the page.
                or (teasers_seen and mode == "extracted")
                or not (prose_flags[i] and _SENTENCE_END.search(text_))
            ):
                is_promo, headline = capture_promo(text_)
                if headline:
                    result.references.append(headline)
                elif not prose_flags[i] and not teaser and _is_headline(text_):
                    result.references.append(text_.strip(" |-–—•·"))
                drop(i, "related list")
                continue
            skip_until_prose = False

        translation = _translation(text_)
        if translation is not None:
            result.extra.update(translation)
            drop(i, "translation note")
            continue
        # A heading over a list of other stories ("Related", "Lire aussi" alone): every
        # headline of the list is a reference, not only the first.
        if _RELATED_HEADING.match(folded.strip()) and i > first_prose:
            drop(i, "related heading")
            skip_until_prose = True
            # Between the article's last paragraph and the list of other stories, short
            # loose lines are its footer: tags, categories, share rows.
            j = i - 1
            while j > first_prose and not prose_flags[j] and len(words(lines[j].text)) <= 12:
                if lines[j].kind != "drop":
                    drop(j, "footer")
                j -= 1
            continue
        is_promo, headline = capture_promo(text_)
        if is_promo:
            if headline:
                result.references.append(headline)
            elif i + 1 < len(lines) and not prose_flags[i + 1]:
                # The marker stands alone and the headline is the next line ("Lire aussi |").
                following = lines[i + 1].text
                if len(words(following)) >= 2 and len(following) <= _HEADLINE_MAX_CHARS:
                    result.references.append(following.strip(" |-–—"))
                    drop(i + 1, "promoted headline")
            drop(i, "promo")
            continue
        if lines[i].kind == "drop":
            continue
        if _CREDITS_LINE.search(folded) and len(words(text_)) <= 60:
            credits = result.extra.setdefault("credits", [])
            assert isinstance(credits, list)
            credits.append(text_.strip("() "))
            drop(i, "credits")
            continue
        found = _is_date_line(text_)
        if found:
            real = [d for d in found if d.date != dt.date.min]
            if real:
                dates_at[i] = real
                published_hint[i] = bool(re.search(r"publi|posted|\bdate", folded)) and not bool(
                    re.search(r"updated|mis a jour|modifi", folded)
                )
            drop(i, "date")
            continue
        author = _byline(text_)
        if author is not None and (i <= first_prose + 2 or not prose_flags[i]):
            bylines.append((i, author))
            dates = find_dates(text_)
            if dates:
                dates_at[i] = dates
            drop(i, "byline")
            continue
        if wire is None and i <= first_prose + 1:
            m = _WIRE_DATELINE.match(text_)
            if m is not None:
                wire = (i, m)
        kind, reason = classify(text_)
        if kind == "drop":
            drop(i, reason)
            continue
        if (
            short_keys.get(name_key(text_), 0) >= 2
            and not prose_flags[i]
            and len(text_) <= 80
            # Inside the article a repeated line is structure (a table, a schedule, an
            # embedded post's attribution), and so are its repeats outside it.
            and not rough_first <= i <= rough_last
            and name_key(text_) not in inside_keys
        ):
            drop(i, "repeated")
            continue
        if prose_flags[i]:
            line.kind = "prose"

    if mode == "extracted":
        _drop_teaser_lists(lines, prose_flags, drop)

    # Menus and tag clouds: a run of very short lines with no sentence among them.
    _drop_link_runs(lines, drop)

    # The ad rule: a call to action takes its whole short block with it (the pitch above
    # "Try for free" is part of the same ad).
    for line in lines:
        if line.reason == "call to action":
            block = [j for j, other in enumerate(lines) if other.block == line.block]
            block_chars = sum(len(lines[j].text) for j in block)
            if 1 < len(block) <= 3 and block_chars <= 400:
                for j in block:
                    if lines[j].kind != "drop":
                        drop(j, "ad block")

    # Comments: a comments heading in the second half ends the article.
    total = sum(len(line.text) for line in lines)
    seen = 0
    for i, line in enumerate(lines):
        if line.reason == "comments" and seen >= total / 2:
            for j in range(i, len(lines)):
                if lines[j].kind != "drop":
                    drop(j, "comments")
            break
        seen += len(line.text)

    # Where the article's prose starts and ends, now that chrome is out of the way.
    kept_prose = [i for i, line in enumerate(lines) if line.kind == "prose"]
    first_prose = kept_prose[0] if kept_prose else len(lines)
    last_prose = kept_prose[-1] if kept_prose else -1
    if mode == "text":
        first_prose = _header_end(lines, first_prose, bylines, result)
        _read_header(lines, first_prose, result, dates_at, published_hint)
        inside_keys = {
            name_key(line.text)
            for line in lines[first_prose : last_prose + 1]
            if line.kind != "drop"
        }
        # A few loose lines after the last paragraph are a site's footer; a long run of
        # them is a list that belongs to the article (tour dates, a product list).
        trailer = [
            i
            for i in range(last_prose + 1, len(lines))
            if lines[i].kind != "drop"
            and not _SENTENCE_END.search(lines[i].text)
            and name_key(lines[i].text) not in inside_keys
        ]
        introduced = last_prose >= 0 and lines[last_prose].text.endswith(":")
        if len(trailer) <= _TRAILER_MAX_LINES and not introduced:
            for i in trailer:
                drop(i, "trailer")
        # After the last real paragraph, short "Label: ..." lines are a site's footer.
        long_lines = [
            i
            for i, line in enumerate(lines)
            if line.kind == "prose" and len(words(line.text)) >= 15
        ]
        for i in range(long_lines[-1] + 1 if long_lines else len(lines), len(lines)):
            text_ = lines[i].text
            if lines[i].kind != "drop" and len(words(text_)) < 15 and _LABEL.match(text_):
                drop(i, "trailer")

    # Metadata from what was dropped.
    if bylines:
        result.author = bylines[0][1]
    if result.published is None and dates_at:
        result.published = _choose_date(dates_at, published_hint, first_prose)
    if wire is not None:
        _index, m = wire
        result.wire_source = _AGENCIES.get(m["agency"], m["agency"])
        if result.published is None and m["date"]:
            full = find_dates(m["date"])
            if full:
                result.published = full[0].date
            else:
                partial = find_date_without_year(m["date"], reference_date)
                if partial is not None:
                    result.published = partial.date

    result.dropped = [(line.text, line.reason) for line in lines if line.kind == "drop"]
    result.paragraphs = _paragraphs([line for line in lines if line.kind != "drop"])
    return result


_TEASER_END = re.compile(
    r"\w[,;:]?\s*(?:…|\.\.\.)\s*(?:\[?(?:read more|lire la suite|mehr|leia mais|leer m[aá]s)\]?)?$",
    re.IGNORECASE,
)


def _is_teaser(text: str) -> bool:
    """Another story's opening cut short with an ellipsis, as listings show them."""
    return 80 <= len(text) <= 800 and _TEASER_END.search(text) is not None


def _drop_teaser_lists(
    lines: list[Line], prose_flags: list[bool], drop: Callable[[int, str], None]
) -> None:
    """Two teasers in a row after the article's text start a list of other stories (a blog's
    listing under the post); it runs to the end of the page."""
    first_prose = next((i for i, p in enumerate(prose_flags) if p), len(lines))
    for i in range(first_prose + 1, len(lines) - 1):
        if _is_teaser(lines[i].text) and _is_teaser(lines[i + 1].text):
            for j in range(i, len(lines)):
                if lines[j].kind != "drop":
                    drop(j, "related list")
            return


# A word broken at a line's end by a hyphen ("legisla-" / "tive"), and the same break
# after the lines were joined with a space ("legisla- tive"), as text copied from a PDF
# has them. "two- or three-day" keeps its hyphen: the word after it is a conjunction.
_BROKEN_WORD = re.compile(
    r"(?<=[^\W\d_]{2})-(?:[ \t]*\n[ \t]*| )(?=[a-zà-ÿ]{2})(?!(?:and|or|et|ou|und|oder|y|o)\b)"
)


def join_hyphenated(text: str) -> str:
    """Words a PDF's line breaks cut in two, whole again."""
    return _BROKEN_WORD.sub("", text)


# A PDF's running header or footer: the journal's or the paper's name, a page number.
_PAGE_NUMBER = re.compile(r"^\d{1,4}\b|\b\d{1,4}$")


def _drop_running_headers(lines: list[Line]) -> None:
    """Lines that come back page after page, the same but for their page number (or the
    same in capitals), are a PDF's running header or footer, wherever they stand."""
    groups: dict[str, list[int]] = {}
    for i, line in enumerate(lines):
        text_ = line.text
        if len(text_) > 120 or is_prose(text_):
            continue
        key = name_key(re.sub(r"\d+", "#", text_))
        if key:
            groups.setdefault(key, []).append(i)
    for indexes in groups.values():
        if len(indexes) < 2:
            continue
        texts = [lines[i].text for i in indexes]
        numbered = all(_PAGE_NUMBER.search(t) for t in texts) and len(set(texts)) > 1
        # Capitals that end with a colon are a speaker's name in a transcript.
        masthead = all(t.isupper() and len(words(t)) >= 2 and not t.endswith(":") for t in texts)
        if numbered or masthead:
            for i in indexes:
                lines[i].kind = "drop"
                lines[i].reason = "running header"


def _is_headline(text: str) -> bool:
    """A line that reads as a story's headline in a list of related stories."""
    count = len(words(text))
    return (
        3 <= count <= 30
        and len(text) <= _HEADLINE_MAX_CHARS
        and text[:1].isupper()
        and not text.isupper()
        and not text.endswith(":")
        and classify(text)[0] == "keep"
    )


def _is_menu_item(text: str) -> bool:
    return (
        len(words(text)) <= 3
        and not re.search(r"\d", text)
        and not _SENTENCE_END.search(text)
        and not _TABLE_ROW.match(text)
        and not _BULLET.match(text)
    )


def _drop_link_runs(lines: list[Line], drop: Callable[[int, str], None]) -> None:
    prose = [i for i, line in enumerate(lines) if line.kind == "prose"]
    first, last = (prose[0], prose[-1]) if prose else (len(lines), -1)
    i = 0
    while i < len(lines):
        if lines[i].kind == "drop" or not _is_menu_item(lines[i].text):
            i += 1
            continue
        j = i
        while j < len(lines) and (lines[j].kind == "drop" or _is_menu_item(lines[j].text)):
            j += 1
        run = [k for k in range(i, j) if lines[k].kind != "drop"]
        outside = j <= first or i > last
        if len(run) >= 6 or (outside and len(run) >= 3):
            for k in run:
                drop(k, "menu")
        i = j


def _choose_date(
    dates_at: dict[int, list[DateMatch]], published_hint: dict[int, bool], first_prose: int
) -> dt.date:
    """An explicit 'Published' date; else the date line nearest above the article's text."""
    for index in sorted(dates_at):
        if published_hint.get(index):
            return dates_at[index][0].date
    before = [i for i in dates_at if i < first_prose]
    index = max(before) if before else min(dates_at)
    return dates_at[index][0].date


_EDITOR_NOTE = _rx(
    r"^(?:editor'?s'? note|note (?:de la redaction|aux lecteurs)|n\.d\.l\.r\.?|update|mise a jour"
    r"|correction|clarification|rectificatif|precision)\s*[:.–—-]"
)
_COOKIE_WORDS = re.compile(
    r"\b(?:cookies?|consent|consentement|privacy|confidentialite|partners?|partenaires|traceurs"
    r"|tracking|personali[sz]e|personnaliser|accept(?:er)?|preferences)\b"
)
# How far down a pasted text its byline may stand and still close the header.
_BYLINE_WITHIN = 12


def _is_cookie_banner(folded: str) -> bool:
    return "cookie" in folded and len(set(_COOKIE_WORDS.findall(folded))) >= 3


def _header_end(
    lines: list[Line], first_prose: int, bylines: list[tuple[int, str]], result: CleanResult
) -> int:
    """Where the article's text starts in pasted text. What stands above the headline (a
    cookie banner, an editor's note, a standfirst) is prose, but the header goes on to the
    byline: those lines are read for what they are, and the headline stays a title. A cookie
    banner at the top or the end of the paste goes."""
    kept = [i for i, line in enumerate(lines) if line.kind != "drop"]
    top = set(kept[:_BYLINE_WITHIN])
    # A consent banner copied with the end of the page goes too.
    for i in reversed(kept[-3:]):
        if _is_cookie_banner(fold(lines[i].text)) and len(words(lines[i].text)) <= 120:
            lines[i].kind, lines[i].reason = "drop", "cookie banner"
    for i in range(len(lines)):
        if i not in top or lines[i].kind == "drop":
            continue
        folded = fold(lines[i].text)
        if _is_cookie_banner(folded) and len(words(lines[i].text)) <= 120:
            lines[i].kind, lines[i].reason = "drop", "cookie banner"
        elif _EDITOR_NOTE.match(folded) and i <= first_prose + 1:
            result.extra.setdefault("editor_note", lines[i].text)
            lines[i].kind, lines[i].reason = "drop", "editor's note"
    byline = next((b for b, _author in bylines if b in top or b < first_prose + 4), None)
    prose = [i for i, line in enumerate(lines) if line.kind == "prose"]
    if byline is not None and any(i > byline for i in prose):
        above = [i for i in prose if i < byline]
        if len(above) <= 2 and any(_headline_shaped(lines[j].text) for j in range(byline)):
            for i in above:
                if not result.standfirst:
                    result.standfirst = lines[i].text
                lines[i].kind, lines[i].reason = "drop", "standfirst"
    return next((i for i, line in enumerate(lines) if line.kind == "prose"), len(lines))


def _headline_shaped(text: str) -> bool:
    count = len(_TOKEN.findall(text))
    return (
        3 <= count <= 30
        and len(text) <= _HEADLINE_MAX_CHARS
        and text[:1].isupper()
        and not _SENTENCE_END.search(text.rstrip("?!"))
    )


# What a photo's caption says and a headline does not: when and where the picture was taken.
_CAPTION_LIKE = re.compile(
    r"\b(?:on|le|this) (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|lundi|mardi"
    r"|mercredi|jeudi|vendredi|samedi|dimanche)\b|\b(?:pictured|photographed|file photo)\b"
    r"|\bon (?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? \d{1,2}\b",
    re.IGNORECASE,
)


def _read_header(
    lines: list[Line],
    first_prose: int,
    result: CleanResult,
    dates_at: dict[int, list[DateMatch]],
    published_hint: dict[int, bool],
) -> None:
    """Everything above the first paragraph of prose is a header: read it, then drop it."""
    header = list(range(first_prose))
    if not header:
        return
    date_index: int | None = None
    if dates_at:
        explicit = [i for i in sorted(dates_at) if published_hint.get(i)]
        before = [i for i in dates_at if i < first_prose]
        if explicit:
            date_index = explicit[0]
        elif before:
            date_index = max(before)
    if date_index is not None:
        result.published = dates_at[date_index][0].date

    # Domains the page names ("Images Le Monde.fr", "published in French on lemonde.fr")
    # corroborate a source line: "Le Monde" squashed is the domain's "lemonde".
    page_text = " ".join(line.text for line in lines)
    domains = {d.split(".")[-2] for d in _DOMAIN.findall(fold(page_text)) if "." in d}
    repeated = Counter(name_key(lines[i].text) for i in header)
    best: tuple[int, int, str] | None = None
    for i in header:
        text_ = lines[i].text
        count = len(words(text_))
        if not 1 <= count <= 5 or re.search(r"\d", text_) or not text_[0].isupper():
            continue
        if lines[i].reason not in ("", "repeated", "navigation"):
            continue
        if text_.isupper() and count > 1:
            # All-capital lines above a paste are mastheads of whoever republished it.
            continue
        score = 0
        if repeated[name_key(text_)] >= 2:
            score += 2
        if date_index is not None and abs(i - date_index) == 1:
            score += 2
        if _squash(text_) in domains:
            score += 3
        if score and (best is None or score > best[0]):
            best = (score, -i, text_)
    if best is not None and best[0] >= 2:
        result.source = best[2]
        result.source_evidence = best[0]

    best_title: tuple[tuple[int, int], str] | None = None
    for i in header:
        line = lines[i]
        if line.kind == "drop":
            continue
        text_ = line.text
        # Numbers count here: "Story number 9" and "G5 Sahel dissolved" are headlines.
        count = len(_TOKEN.findall(text_))
        if (
            3 <= count <= 30
            and len(text_) <= _HEADLINE_MAX_CHARS
            and text_[0].isupper()
            and not text_.isupper()
            and not text_.endswith(":")
            and " | " not in text_
            and text_ != result.source
        ):
            # The headline is the longest such line (section labels and kickers are short),
            # but a line that says when and where a picture was taken is its caption.
            rank = (0 if _CAPTION_LIKE.search(text_) else 1, count)
            if best_title is None or rank > best_title[0]:
                best_title = (rank, text_.lstrip("#").strip())
    if best_title is not None:
        result.title = best_title[1]
    for i in header:
        if lines[i].kind != "drop":
            lines[i].kind = "drop"
            lines[i].reason = "header"


def _paragraphs(lines: list[Line]) -> list[str]:
    """Each kept line is a paragraph (wrapped lines were joined when they were split)."""
    return [line.text for line in lines]


def _hard_wrapped(texts: list[str]) -> bool:
    """Lines of one paragraph broken at a fixed width (plain-text mail, PDF text, old files)."""
    if len(texts) < 2:
        return False
    widths = [len(t) for t in texts[:-1]]
    widest = max(widths)
    if widest > 100 or widest < 40:
        return False
    if any(_BULLET.match(t) or _TABLE_ROW.match(t) or capture_promo(t)[0] for t in texts):
        return False
    if _BYLINE.match(texts[0]) and len(texts[0]) <= 120:
        # A byline block: the names, then a title, a place or a date on lines of their own.
        return False
    if all(t[:1].isupper() for t in texts[1:]) and not any(
        t.endswith(("-", ",")) for t in texts[:-1]
    ):
        # Every line starts a sentence or a headline: a list of headlines, not a paragraph
        # broken at a width (most of a wrapped paragraph's lines start inside a sentence).
        return False
    # Wrapped lines fill the width, and most breaks fall inside a sentence.
    filled = sum(1 for w in widths if w >= 0.6 * widest)
    inside = sum(
        1
        for before, after in itertools.pairwise(texts)
        if not re.search(r"[.!?:;…\"”»]$", before) or after[:1].islower()
    )
    return filled >= 0.8 * len(widths) and inside >= 0.5 * (len(texts) - 1)
