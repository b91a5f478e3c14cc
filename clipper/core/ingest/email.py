"""The e-mail reader (.eml, forwarded newsletters): headers give title and date, the best part
(text/plain, else HTML) gives the body; forwarding headers, "view in browser" lines,
unsubscribe footers and postal addresses are removed.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import email.utils
import logging
import re
from email.errors import (
    CloseBoundaryNotFoundDefect,
    HeaderParseError,
    InvalidBase64CharactersDefect,
    InvalidBase64LengthDefect,
    InvalidBase64PaddingDefect,
    MultipartInvariantViolationDefect,
    NoBoundaryInMultipartDefect,
    StartBoundaryNotFoundDefect,
)
from email.message import EmailMessage

from clipper.core.drafts import ClippingDraft
from clipper.core.ingest.base import IngestError
from clipper.core.ingest.clean import clean_lines
from clipper.core.ingest.compose import Metadata, build_draft
from clipper.core.ingest.dates import parse_date
from clipper.core.ingest.decode import normalize_text
from clipper.core.ingest.html import extract_html

log = logging.getLogger(__name__)

_SUBJECT_PREFIX = re.compile(r"^(?:\s*(?:fwd?|fw|tr|re|aw|wg|rv|réf|ref)\s*:\s*)+", re.IGNORECASE)
_FORWARD_MARKER = re.compile(
    r"^\s*(?:-{2,}\s*)?(?:forwarded message|original message|message transf[ée]r[ée]"
    r"|message d'origine|begin forwarded message"
    r"|d[ée]but du message (?:r[ée]exp[ée]di[ée]|transf[ée]r[ée]))"
    r"\s*:?\s*(?:-{2,})?\s*$",
    re.IGNORECASE,
)
_FORWARD_FIELD = re.compile(
    r"^\s*\*?(?P<field>from|de|date|sent|envoy[ée]|subject|objet|to|[àa]|cc|reply-to|r[ée]pondre"
    r" [àa])\s*\*?\s*:\s*(?P<value>.*)$",
    re.IGNORECASE,
)
# The email package's header parser fails in many ways on cut or garbled headers.
_PARSE_ERRORS = (HeaderParseError, IndexError, ValueError, TypeError, LookupError, AttributeError)
_WROTE = re.compile(r"^\s*(?:on .{5,80} wrote|le .{5,80} a [ée]crit)\s*:\s*$", re.IGNORECASE)


def _best_part(message: EmailMessage) -> tuple[str, str] | None:
    """('plain' | 'html', content) of the part a person would read."""
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return None
    try:
        content = body.get_content()
    except (LookupError, UnicodeError):
        payload = body.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if not isinstance(content, str):
        return None
    subtype = body.get_content_subtype()
    if subtype == "plain" and len(content.strip()) < 40:
        # Some newsletters carry a token plain part ("view this mail in HTML").
        html = message.get_body(preferencelist=("html",))
        if html is not None:
            html_content = html.get_content()
            if isinstance(html_content, str):
                return "html", html_content
    return ("html" if subtype == "html" else "plain"), content


def _strip_forwarding(text: str) -> tuple[str, dict[str, str]]:
    """Forwarding header blocks out of the text, and what they said about the original."""
    original: dict[str, str] = {}
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i].lstrip("> ").rstrip() if lines[i].startswith(">") else lines[i]
        if _FORWARD_MARKER.match(line) or _WROTE.match(line):
            i += 1
            # The header fields of the forwarded message follow until a blank line.
            while i < len(lines) and lines[i].strip():
                field = _FORWARD_FIELD.match(lines[i].lstrip("> "))
                if field:
                    name = field["field"].lower()
                    key = {
                        "de": "from",
                        "sent": "date",
                        "envoyé": "date",
                        "envoye": "date",
                        "objet": "subject",
                    }.get(name, name)
                    original.setdefault(key, field["value"].strip())
                i += 1
            continue
        out.append(re.sub(r"^(?:>\s?)+", "", lines[i]))
        i += 1
    return "\n".join(out), original


def _sender_name(value: str) -> str | None:
    name, address = email.utils.parseaddr(value)
    name = name.strip().strip('"')
    if name:
        return name
    return address.split("@")[-1] if "@" in address else None


def _header_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        parsed = None
    if parsed is not None:
        return parsed.date()
    return parse_date(value)


def _header(message: EmailMessage, name: str) -> str | None:
    """A header's text, or None when it is missing or too damaged to parse."""
    try:
        value = message[name]
    except _PARSE_ERRORS:
        return None
    return str(value) if value is not None else None


_MARKUP = re.compile(r"<!--.*?(?:-->|$)|<[^>]*>?", re.DOTALL)
_CUT_SHORT = (
    StartBoundaryNotFoundDefect,
    CloseBoundaryNotFoundDefect,
    MultipartInvariantViolationDefect,
    NoBoundaryInMultipartDefect,
)
_BAD_ENCODING = (
    InvalidBase64CharactersDefect,
    InvalidBase64PaddingDefect,
    InvalidBase64LengthDefect,
)


def _why_empty(message: EmailMessage, kind: str) -> str:
    """Why the part a person would read is blank: the mail is cut short, its encoding is
    broken, or it simply has nothing in it."""
    defects = [defect for part in message.walk() for defect in part.defects]
    what = "text" if kind == "plain" else "HTML"
    if any(isinstance(defect, _CUT_SHORT) for defect in defects):
        return f"the e-mail is cut short (its {what} part is missing or empty)"
    if any(isinstance(defect, _BAD_ENCODING) for defect in defects):
        return f"the e-mail is damaged (its {what} part's encoding is broken)"
    if message.is_multipart() or message.get_content_type() != "text/plain":
        return f"the e-mail's {what} part is empty"
    return "the e-mail is empty (it has headers but no text)"


def read_email(data: bytes, label: str) -> ClippingDraft:
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    try:
        part = _best_part(message)
    except _PARSE_ERRORS as exc:
        raise IngestError(f"{label}: the e-mail is damaged ({exc})") from None
    if part is None:
        if any(isinstance(defect, NoBoundaryInMultipartDefect) for defect in message.defects):
            raise IngestError(
                f"{label}: the e-mail is damaged (it has parts but no boundary between them)"
            )
        raise IngestError(f"{label}: the e-mail has no text or HTML part")
    kind, content = part
    if not content.strip():
        raise IngestError(f"{label}: {_why_empty(message, kind)}")
    if kind == "html":
        if not re.search(r"\w", _MARKUP.sub(" ", content)):
            # Nothing but tags and comments: the HTML parser would only log its complaints.
            raise IngestError(f"{label}: the e-mail's HTML part has no readable text")
        try:
            text, _found = extract_html(content, label)
        except IngestError:
            # The HTML reader's own words ("not a readable HTML page") would hide that this
            # is an e-mail, and which part of it failed.
            raise IngestError(f"{label}: the e-mail's HTML part has no readable text") from None
        # Extracted text has a paragraph per line; the text rules expect blank lines.
        text = text.replace("\n", "\n\n")
    else:
        text = normalize_text(content)
    text, original = _strip_forwarding(text)
    subject = _SUBJECT_PREFIX.sub("", original.get("subject") or _header(message, "subject") or "")
    sender = original.get("from") or _header(message, "from") or ""
    published = _header_date(original.get("date")) or _header_date(_header(message, "date"))
    cleaned = clean_lines(text, mode="text")
    meta = Metadata(
        title=subject.strip() or None,
        source=_sender_name(sender) if sender else None,
        published=published,
    )
    return build_draft(cleaned, label, "email", meta)
