"""Bytes to clean Unicode: encoding detection, odd spaces, and mojibake repair.

UTF-8 (with or without BOM) and UTF-16 with a BOM are taken as declared; UTF-16 without a BOM
is told from binary data by where its NUL bytes fall. Bytes that are not
UTF-8 are handed to charset-normalizer (Latin-1/cp1252 and friends), unless they carry valid
UTF-8 multi-byte sequences too: then the file was meant to be UTF-8 and is damaged, which the
editor should hear about rather than receive a clipping full of wrong letters.
"""

from __future__ import annotations

import re
import unicodedata

import ftfy
from charset_normalizer import from_bytes

from clipper.core.ingest.base import IngestError

# Control characters that never occur in text (tab, newline, carriage return, form feed do).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
# UTF-8 lead bytes read as cp1252/Latin-1 and followed by a continuation byte read the same
# way ("Ã©", "â€™", "Ã\xa0"): the mark of mojibake, and cheap to look for before running ftfy.
_MOJIBAKE_HINT = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
    "\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)
_WESTERN = ("cp1252", "latin_1", "iso8859_15")
_ODD_SPACES = re.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_INVISIBLES = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_C0_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# What a text never holds more than a trace of: controls (beyond tab, newline, carriage return
# and form feed, category Cc all the same), unassigned and private-use code points, lone
# surrogates, line and paragraph separators.
_NOT_TEXT = frozenset({"Cn", "Co", "Cs", "Zl", "Zp"})

# ftfy's repairs that change more than broken encodings are switched off: curly quotes and
# full-width characters are what the author wrote.
_FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,
    uncurl_quotes=False,
    fix_character_width=False,
    fix_latin_ligatures=True,
    normalization="NFC",
)


def looks_binary(data: bytes) -> bool:
    """NUL bytes or many control characters: not text in any 8-bit or UTF-8 encoding."""
    sample = data[:8192]
    if not sample:
        return False
    if b"\x00" in sample:
        return True
    controls = sum(sample.count(bytes([b])) for b in _CONTROL_BYTES)
    return controls / len(sample) > 0.01


def utf16_without_bom(data: bytes) -> str | None:
    """ "utf-16-le" or "utf-16-be" when these bytes look like UTF-16 text with no BOM.

    Text in Latin, Greek or Cyrillic script written as UTF-16 has a NUL in every other byte
    (the high byte of each character) and almost none in the others. Text in other scripts
    (CJK) has no NULs; it is UTF-16 when it decodes to letters, marks, digits, punctuation and
    spaces only (binary data decodes to controls, unassigned code points or broken surrogates).
    """
    sample = data[:8192]
    sample = sample[: len(sample) - len(sample) % 2]
    pairs = len(sample) // 2
    if pairs < 8 or not looks_binary(sample):
        # Bytes that read as 8-bit or UTF-8 text are that text (ASCII pairs would decode to
        # CJK characters just as well).
        return None
    even_nuls, odd_nuls = sample[0::2].count(0), sample[1::2].count(0)
    if odd_nuls >= 0.3 * pairs and even_nuls <= 0.02 * pairs:
        candidates = ["utf-16-le"]
    elif even_nuls >= 0.3 * pairs and odd_nuls <= 0.02 * pairs:
        candidates = ["utf-16-be"]
    elif even_nuls <= 0.1 * pairs and odd_nuls <= 0.1 * pairs:
        # NULs only from the odd ASCII space or newline among CJK characters.
        candidates = ["utf-16-le", "utf-16-be"]
    else:
        return None
    for encoding in candidates:
        if _reads_as_text(sample, encoding):
            return encoding
    return None


def _reads_as_text(sample: bytes, encoding: str) -> bool:
    try:
        text = sample.decode(encoding)
    except UnicodeDecodeError:
        # A sample cut inside a surrogate pair decodes once its last unit is dropped.
        try:
            text = sample[:-2].decode(encoding)
        except UnicodeDecodeError:
            return False
    odd = sum(
        1
        for char in text
        if unicodedata.category(char) in _NOT_TEXT
        or (char < " " and char not in "\t\n\r\f")
        or char == "\x7f"
    )
    return odd <= 0.01 * len(text)


def decode_bytes(data: bytes, label: str) -> str:
    """The text these bytes encode, or IngestError naming why they are not text."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _decode_utf8(data[3:], label)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise IngestError(f"{label}: the UTF-16 text is damaged") from None
    if looks_binary(data):
        # UTF-16 text without a BOM looks binary (a NUL in every other byte) until decoded.
        utf16 = utf16_without_bom(data)
        if utf16 is None:
            raise IngestError(f"{label}: this is binary data, not text")
        try:
            return data.decode(utf16)
        except UnicodeDecodeError as exc:
            raise IngestError(
                f"{label}: the UTF-16 text (with no byte-order mark) is damaged at offset "
                f"{exc.start}"
            ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if _UTF8_MULTIBYTE.search(data):
            raise IngestError(
                f"{label}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})"
            ) from None
    matches = list(from_bytes(data))
    if not matches:
        raise IngestError(f"{label}: cannot tell which encoding this text is in")
    best = matches[0]
    # Short Western text fits several 8-bit code pages equally well; a newsroom's legacy
    # files are cp1252 (Windows) or Latin-1 far more often than Central European or Baltic.
    for match in matches:
        if (
            match.encoding in _WESTERN
            and match.chaos <= best.chaos + 0.01
            and match.coherence >= best.coherence - 0.01
        ):
            return str(match)
    return str(best)


def _decode_utf8(data: bytes, label: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise IngestError(
            f"{label}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start + 3})"
        ) from None


def normalize_text(text: str) -> str:
    """NFC text, mojibake repaired, odd spaces plain, invisible characters and controls gone."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _MOJIBAKE_HINT.search(text):
        text = ftfy.fix_text(text, _FTFY_CONFIG)
    text = _ODD_SPACES.sub(" ", text)
    text = _INVISIBLES.sub("", text)
    text = _C0_CONTROLS.sub("", text)
    text = unicodedata.normalize("NFC", text)
    return "\n".join(line.rstrip() for line in text.split("\n"))


# What changes how a printed line reads: controls (a newline in a file name splits its error
# line in two), the bidirectional overrides, embeddings and isolates (U+202E shows
# "report\u202etxt.exe" as "reportexe.txt"), line and paragraph separators, and the
# surrogates that stand for a file name's undecodable bytes.
_UNPRINTABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(char: str) -> str:
    code = ord(char)
    if char in _ESCAPES:
        return _ESCAPES[char]
    if 0xDC80 <= code <= 0xDCFF:  # os.fsdecode's stand-in for the byte code - 0xDC00
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """The text with everything that would change how a printed line reads escaped
    (\\n, \\x1b, \\u202e): for names and labels shown in messages, never for content."""
    return _UNPRINTABLE.sub(lambda match: _escape(match[0]), text)
