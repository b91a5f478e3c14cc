"""Facets of a search: `Facet` (one more condition on the query, such as region:Niger), how
the typed query and the active facets combine (`compose_query`), and `FacetBar`, the chips
under the search field that add and remove them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QWidget

from clipper.core.search import facet_term
from clipper.ui.text import plain_tooltip
from clipper.ui.widgets import Chip, FlowLayout, plain_label

FACET_KINDS = ("topic", "region", "source", "month", "language")
FACETS_SHOWN = 5


@dataclass(frozen=True)
class Facet:
    kind: str
    value: str

    def query_term(self) -> str:
        """The condition this facet adds: the one whose count the facet showed (a source
        by its exact name, a topic or region with everything under it)."""
        return facet_term(self.kind, self.value)


def compose_query(text: str, facets: Sequence[Facet]) -> str:
    """The typed query narrowed by the active facets (each facet is one more condition)."""
    terms = [t.query_term() for t in facets]
    text = text.strip()
    if text and terms:
        return f"({text}) " + " ".join(terms)
    return text or " ".join(terms)


class FacetBar(QWidget):
    """The active facets (a click or × drops one), then the commonest values of each kind
    among the hits (a click narrows the search to one).

    Signals:
        changed(): a facet was added or removed: the search should run again.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("facets")
        self.active: list[Facet] = []
        self.flow = FlowLayout(self, spacing=5)
        self.hide()

    def show_counts(self, counts: Mapping[str, Sequence[tuple[str, int]]]) -> None:
        """Show the active facets, and the values `counts` offers (none: only the active)."""
        self.flow.clear()
        for facet in self.active:
            chip = Chip(
                f"{_facet_label(facet.kind)}: {facet.value}",
                kind="facet",
                removable=True,
                active=True,
            )
            chip.setObjectName("facetChip")
            chip.remove_clicked.connect(lambda facet=facet: self.remove(facet))
            chip.clicked.connect(lambda facet=facet: self.remove(facet))
            self.flow.addWidget(chip)
        for kind in FACET_KINDS:
            offered = [
                (str(value), count)
                for value, count in list(counts.get(kind, ()))[:FACETS_SHOWN]
                if Facet(kind, str(value)) not in self.active
            ]
            if offered:
                label = plain_label(f"{_facet_label(kind)}:", "facetKind")
                self.flow.addWidget(label)
            for value, count in offered:
                facet = Facet(kind, value)
                chip = Chip(f"{facet_text(kind, value)}  {count}", kind="facet")
                chip.setObjectName("facetChip")
                chip.setToolTip(plain_tooltip(f"Only {_facet_label(kind).lower()} {value}"))
                chip.setCursor(Qt.CursorShape.PointingHandCursor)
                chip.clicked.connect(lambda facet=facet: self.add(facet))
                self.flow.addWidget(chip)
        self.setVisible(self.flow.count() > 0)
        self.updateGeometry()

    def chips(self) -> list[Chip]:
        chips = []
        for i in range(self.flow.count()):
            item = self.flow.itemAt(i)
            widget = item.widget() if item is not None else None
            if isinstance(widget, Chip):
                chips.append(widget)
        return chips

    def add(self, facet: Facet) -> None:
        if facet not in self.active:
            self.active.append(facet)
        self.changed.emit()

    def clear_active(self) -> None:
        """Drop every active facet without searching again: the query or the list they
        narrowed is gone (a facet never follows the editor as an invisible filter)."""
        self.active.clear()

    def remove(self, facet: Facet) -> None:
        if facet in self.active:
            self.active.remove(facet)
        self.changed.emit()


def facet_text(kind: str, value: str) -> str:
    """How a facet value reads on its chip: months by name, languages by code."""
    if kind == "month":
        try:
            return dt.date.fromisoformat(f"{value}-01").strftime("%b %Y")
        except ValueError:
            return value
    if kind == "language":
        return value.upper()
    return value


def _facet_label(kind: str) -> str:
    return {
        "topic": "Topic",
        "region": "Region",
        "source": "Source",
        "month": "Month",
        "language": "Language",
    }.get(kind, kind.title())
