"""The index never drifts from the archive: long random sequences of archive operations
(from two Archive instances on one folder, as the CLI and the app would), with catch-ups
interleaved, then checked by `parity_problems()` and by searching."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, precondition, rule

from clipper.core.archive import Archive, ArchiveError
from clipper.core.drafts import ClippingDraft
from clipper.core.paths import resolve_location
from clipper.core.views import ClippingFilter

WORDS = (
    "junta", "armée", "sécurité", "Goïta", "Niamey", "élection", "uranium", "mercenaires",
    "convoy", "délégation", "l'État", "d'Ouagadougou", "frontière", "rebels", "coup",
    "sanctions", "drought", "harvest",
)  # fmt: skip
TOPICS = ("Security", "Elections", "Mining")
REGIONS = ("Niger", "Mali", "Burkina Faso", "Tchad")

texts = st.lists(st.sampled_from(WORDS), min_size=1, max_size=6).map(" ".join)
tags = st.one_of(
    st.tuples(st.just("topic"), st.sampled_from(TOPICS)),
    st.tuples(st.just("region"), st.sampled_from(REGIONS)),
)


class ArchiveWithIndex(RuleBasedStateMachine):
    clippings = Bundle("clippings")

    def __init__(self) -> None:
        super().__init__()
        self.folder = tempfile.TemporaryDirectory()
        home = Path(self.folder.name) / "archive"
        self.archive = Archive(resolve_location(home))
        self.index = self.archive.index
        # A second instance on the same folder: the command line next to the app.
        self.other = Archive(resolve_location(home))
        self.markers: dict[int, str] = {}
        self.notes: dict[int, int] = {}
        self.count = 0

    def teardown(self) -> None:
        self.other.close()
        self.archive.close()
        self.folder.cleanup()

    def either(self, use_other: bool) -> Archive:
        return self.other if use_other else self.archive

    @rule(target=clippings, text=texts, language=st.sampled_from(["fr", "en", None]),
          tag=tags, use_other=st.booleans())  # fmt: skip
    def add(self, text: str, language: str | None, tag: tuple[str, str], use_other: bool) -> int:
        self.count += 1
        marker = f"zq{self.count}marker"
        draft = ClippingDraft(
            title=f"{text.split()[0]} {self.count}", body=f"{text} {marker}", language=language
        )
        cid = self.either(use_other).add(draft, [tag]).id
        self.markers[cid] = marker
        return cid

    @rule(cid=clippings, text=texts, retitle=st.booleans())
    def update(self, cid: int, text: str, retitle: bool) -> None:
        fields: dict[str, object] = {"body": f"{text} {self.markers[cid]}"}
        if retitle:
            fields["title"] = f"{text} again"
        self.attempt(lambda: self.archive.update(cid, **fields))

    @rule(cid=clippings, tag=tags, use_other=st.booleans())
    def tag(self, cid: int, tag: tuple[str, str], use_other: bool) -> None:
        self.attempt(lambda: self.either(use_other).add_tag(cid, *tag))

    @rule(cid=clippings, tag=tags)
    def untag(self, cid: int, tag: tuple[str, str]) -> None:
        self.attempt(lambda: self.archive.remove_tag(cid, *tag))

    @rule(cid=clippings, text=texts)
    def note(self, cid: int, text: str) -> None:
        def write() -> None:
            if cid in self.notes:
                self.archive.edit_note(self.notes.pop(cid), text)
            else:
                self.notes[cid], _changes = self.archive.add_note(cid, text)

        self.attempt(write)

    @rule(cid=clippings, use_other=st.booleans())
    def trash(self, cid: int, use_other: bool) -> None:
        self.attempt(lambda: self.either(use_other).trash([cid]))

    @rule(cid=clippings)
    def restore(self, cid: int) -> None:
        self.attempt(lambda: self.archive.restore([cid]))

    @rule(cid=clippings)
    def purge(self, cid: int) -> None:
        self.attempt(lambda: self.archive.purge([cid]))

    @rule(a=clippings, b=clippings, unlink=st.booleans())
    def link(self, a: int, b: int, unlink: bool) -> None:
        self.attempt(lambda: (self.archive.unlink if unlink else self.archive.link)(a, b))

    @rule(use_other=st.booleans())
    def catch_up(self, use_other: bool) -> None:
        self.either(use_other).index.catch_up()

    @precondition(lambda self: self.count > 0)
    @rule()
    def check(self) -> None:
        self.index.catch_up()
        assert self.index.parity_problems() == []
        live = set(self.archive.live_ids())
        for cid, marker in self.markers.items():
            found = {h.id for h in self.index.search(marker).hits}
            assert found == ({cid} if cid in live else set()), (cid, marker)
        for kind, name in [("topic", "Security"), ("region", "Niger")]:
            tag = self.archive.find_tag(kind, name)
            if tag is not None:
                expected = set(self.archive.list_ids(ClippingFilter(tag_ids=(tag.id,))))
                found = self.index.search(f'{kind}:"{name}"', page_size=500).hits
                assert {h.id for h in found} == expected

    @staticmethod
    def attempt(operation: Callable[[], object]) -> None:
        """Operations on purged clippings or missing tags are refused: that is fine here."""
        with contextlib.suppress(ArchiveError):
            operation()


ArchiveWithIndex.TestCase.settings = settings(
    max_examples=12,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_index_keeps_parity_with_the_archive = pytest.mark.slow(ArchiveWithIndex.TestCase)
