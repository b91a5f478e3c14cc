"""The plan of a clipping book, before any layout: sections of the table of contents, the order
of the clippings, the date range. Plain Python, so the grouping rules are tested without Qt.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from clipper.core.text import fold
from clipper.core.views import ClippingDetail, TagNode, TagRef

log = logging.getLogger(__name__)

GROUPINGS = ("region", "topic", "date", "none")
PAPERS = ("a4", "letter")

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class BookOptions:
    """What the editor chose: title, grouping, paper; `exported_on` is fixed in tests."""

    title: str
    group_by: str = "none"
    paper: str = "a4"
    description: str = ""
    exported_on: dt.date | None = None

    def __post_init__(self) -> None:
        if self.group_by not in GROUPINGS:
            raise ValueError(f"group by one of {', '.join(GROUPINGS)}, not {self.group_by!r}")
        if self.paper not in PAPERS:
            raise ValueError(f"paper is one of {', '.join(PAPERS)}, not {self.paper!r}")


@dataclass(frozen=True)
class TocEntry:
    """One line of the table of contents.

    A clipping about two regions is listed under both; its pages sit under the first one, and
    the later listing (`first_listing` False) points back to the same page.
    """

    clipping_id: int
    title: str
    source: str | None
    date_label: str
    first_listing: bool = True


@dataclass(frozen=True)
class TocSection:
    heading: str | None
    entries: tuple[TocEntry, ...]


@dataclass(frozen=True)
class BookPlan:
    options: BookOptions
    sections: tuple[TocSection, ...]
    # Clippings in the order their pages appear in the book.
    order: tuple[int, ...]
    details: Mapping[int, ClippingDetail]
    # The section a clipping's pages sit in, for the running header.
    section_of: Mapping[int, str | None] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return self.options.title

    @property
    def count(self) -> int:
        return len(self.order)

    @property
    def date_range(self) -> str:
        return date_range_label(self.details.values())

    @property
    def exported_on(self) -> dt.date:
        return self.options.exported_on or dt.date.today()


def format_date(date: dt.date | None, precision: str = "day") -> str:
    """'6 December 2023', 'December 2023' or '2023', as precise as the clipping's date is."""
    if date is None:
        return ""
    if precision == "year":
        return str(date.year)
    if precision == "month":
        return f"{MONTHS[date.month - 1]} {date.year}"
    return f"{date.day} {MONTHS[date.month - 1]} {date.year}"


def date_range_label(details: Iterable[ClippingDetail]) -> str:
    dated = sorted(
        ((d.published, d.published_precision) for d in details if d.published is not None),
        key=lambda pair: pair[0],
    )
    if not dated:
        return "Undated"
    first, last = format_date(*dated[0]), format_date(*dated[-1])
    return first if first == last else f"{first} – {last}"


def broader_tags(nodes: Iterable[TagNode]) -> dict[int, set[int]]:
    """For each tag, every tag above it: parents up the tree and groupings it belongs to."""
    direct = {n.id: {*((n.parent_id,) if n.parent_id else ()), *n.group_ids} for n in nodes}
    result: dict[int, set[int]] = {}
    for tag_id in direct:
        seen: set[int] = set()
        stack = list(direct[tag_id])
        while stack:
            above = stack.pop()
            if above not in seen and above != tag_id:
                seen.add(above)
                stack.extend(direct.get(above, ()))
        result[tag_id] = seen
    return result


def most_specific(tags: Sequence[TagRef], broader: Mapping[int, set[int]]) -> list[TagRef]:
    """The tags not above another of the same clipping's tags: Niger, not Sahel and Niger."""
    covered: set[int] = set()
    for tag in tags:
        covered |= broader.get(tag.id, set())
    return [t for t in tags if t.id not in covered]


def _sort_key(name: str) -> str:
    return fold(name)


def _entry(detail: ClippingDetail, first: bool = True) -> TocEntry:
    return TocEntry(
        clipping_id=detail.id,
        title=detail.title,
        source=detail.source,
        date_label=format_date(detail.published, detail.published_precision),
        first_listing=first,
    )


def _by_tags(
    details: Sequence[ClippingDetail], kind: str, broader: Mapping[int, set[int]]
) -> list[tuple[str | None, list[ClippingDetail]]]:
    groups: dict[str, list[ClippingDetail]] = defaultdict(list)
    untagged: list[ClippingDetail] = []
    for detail in details:
        tags = [t for t in detail.tags if t.kind == kind]
        specific = most_specific(tags, broader)
        if not specific:
            untagged.append(detail)
        for tag in specific:
            groups[tag.name].append(detail)
    ordered: list[tuple[str | None, list[ClippingDetail]]] = [
        (name, groups[name]) for name in sorted(groups, key=_sort_key)
    ]
    if untagged:
        ordered.append((f"No {kind}", untagged))
    return ordered


def _by_month(details: Sequence[ClippingDetail]) -> list[tuple[str | None, list[ClippingDetail]]]:
    dated = sorted((d for d in details if d.published), key=lambda d: d.published or dt.date.min)
    groups: dict[tuple[int, int], list[ClippingDetail]] = defaultdict(list)
    for detail in dated:
        assert detail.published is not None
        month = 0 if detail.published_precision == "year" else detail.published.month
        groups[(detail.published.year, month)].append(detail)
    ordered: list[tuple[str | None, list[ClippingDetail]]] = []
    for year, month in sorted(groups):
        heading = str(year) if month == 0 else f"{MONTHS[month - 1]} {year}"
        ordered.append((heading, groups[(year, month)]))
    undated = [d for d in details if d.published is None]
    if undated:
        ordered.append(("Undated", undated))
    return ordered


def plan_book(
    details: Sequence[ClippingDetail],
    options: BookOptions,
    broader: Mapping[int, set[int]] | None = None,
) -> BookPlan:
    """Group the clippings as asked; within a group they keep the order they came in.

    `broader` maps each tag to the tags above it (see `broader_tags`), so that a clipping
    tagged Sahel and Niger is filed under Niger only.
    """
    broader = broader or {}
    if options.group_by in ("region", "topic"):
        groups = _by_tags(details, options.group_by, broader)
    elif options.group_by == "date":
        groups = _by_month(details)
    else:
        groups = [(None, list(details))]
    placed: set[int] = set()
    order: list[int] = []
    section_of: dict[int, str | None] = {}
    sections = []
    for heading, members in groups:
        entries = []
        for detail in members:
            first = detail.id not in placed
            if first:
                placed.add(detail.id)
                order.append(detail.id)
                section_of[detail.id] = heading
            entries.append(_entry(detail, first))
        sections.append(TocSection(heading, tuple(entries)))
    return BookPlan(
        options=options,
        sections=tuple(sections),
        order=tuple(order),
        details={d.id: d for d in details},
        section_of=section_of,
    )
