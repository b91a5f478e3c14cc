"""Pending import reviews: kept per clipping until dealt with, settled piece by piece, gone
with their clipping; and the operations on them, which undo and redo."""

from __future__ import annotations

import pytest

from clipper.core import operations as ops
from clipper.core.archive import Archive, NotFound
from clipper.core.drafts import ClippingDraft, Suggestion
from clipper.core.operations import UndoHistory
from clipper.core.views import ClippingFilter, ReviewSuggestion
from tests.helpers.archives import add

NIGER = ReviewSuggestion("region", "Niger", "NE", 0.9)
SECURITY = ReviewSuggestion("topic", "Security", None, 0.4)


def test_a_review_is_kept_until_everything_in_it_is_settled(archive: Archive) -> None:
    cid = add(archive, "The delegation landed in Niamey")
    review, _ = archive.add_review(
        cid, label="niamey.txt", title_guessed=True, suggestions=[NIGER, SECURITY]
    )
    assert [r.id for r in archive.pending_reviews()] == [review.id]
    left, _ = archive.settle_review(review.id, accepted=[("region", "niger")])
    assert left is not None
    assert [s.accepted for s in left.suggestions] == [True, False], "accepted ones stay listed"
    assert [s.name for s in left.open_suggestions] == ["Security"]
    left, _ = archive.settle_review(review.id, title=True)
    assert left is not None and not left.title_guessed
    gone, _ = archive.settle_review(review.id, accepted=[("topic", "Security")])
    assert gone is None and archive.pending_reviews() == []


def test_a_review_goes_with_its_clipping_and_shows_the_one_it_may_repeat(archive: Archive) -> None:
    first = add(archive, "AES summit in Bamako")
    second = add(archive, "AES summit, again")
    archive.add_review(second, label="again.txt", duplicate_of=first, similarity=0.93, held=True)
    [review] = archive.pending_reviews()
    assert (review.duplicate_of, review.duplicate_title, review.similarity) == (
        first,
        "AES summit in Bamako",
        0.93,
    )
    archive.trash([second])
    archive.purge([second])
    assert archive.pending_reviews() == []


def test_reviews_survive_closing_the_archive(archive_dir) -> None:  # type: ignore[no-untyped-def]
    with Archive.open(archive_dir) as first:
        cid = add(first, "Kept for later")
        first.add_review(cid, label="later.txt", suggestions=[NIGER])
    with Archive.open(archive_dir) as again:
        [review] = again.pending_reviews()
        assert review.label == "later.txt" and review.suggestions == (NIGER,)


def draft_with_suggestions() -> ClippingDraft:
    return ClippingDraft(
        title="The Russian deputy defence minister landed in Niamey",
        body="The Russian deputy defence minister landed in Niamey on Sunday.",
        title_guessed=True,
        regions=[Suggestion("Niger", "NE", 0.9)],
        topics=[Suggestion("Security", None, 0.4)],
    )


def test_storing_a_draft_keeps_its_review_in_the_same_transaction(archive: Archive) -> None:
    result = ops.store_for_review(draft_with_suggestions(), label="niamey.txt").apply(archive)
    added, review = result.value
    assert review is not None and review.clipping_id == added.id
    assert [(s.kind, s.name, s.score) for s in review.suggestions] == [
        ("region", "Niger", 0.9),
        ("topic", "Security", 0.4),
    ]
    assert review.title_guessed


def test_a_possible_duplicate_is_held_in_the_trash_until_kept(archive: Archive) -> None:
    first = add(archive, "AES summit in Bamako", "The ministers met in Bamako on Friday.")
    near = ClippingDraft(title="AES summit, again", body="The ministers met in Bamako. Again.")
    result = ops.store_for_review(near, duplicate_of=first, similarity=0.9).apply(archive)
    _added, review = result.value
    assert review is not None and review.held
    assert archive.count() == 1 and archive.count(ClippingFilter(in_trash=True)) == 1
    history = UndoHistory()
    history.execute(archive, ops.keep_duplicate(review.id, "AES summit, again"))
    assert archive.count() == 2 and archive.pending_reviews() == []
    history.undo(archive)
    assert archive.count() == 1 and archive.pending_reviews()[0].held
    history.redo(archive)
    assert archive.count() == 2


def test_accepting_and_dismissing_reviews_undo_and_redo(archive: Archive) -> None:
    _added, review = ops.store_for_review(draft_with_suggestions()).apply(archive).value
    cid = review.clipping_id
    history = UndoHistory()
    left = history.execute(archive, ops.accept_suggestions(review.id, [("region", "Niger")]))
    assert {t.name for t in archive.get(cid).tags} == {"Niger"}
    assert left.value[review.id] is not None
    history.undo(archive)
    assert archive.get(cid).tags == ()
    assert archive.review(review.id).open_suggestions == review.suggestions
    history.redo(archive)
    assert {t.name for t in archive.get(cid).tags} == {"Niger"}
    everything = history.execute(archive, ops.accept_reviews([review.id]))
    assert everything.value == {review.id: None}
    assert {t.name for t in archive.get(cid).tags} == {"Niger", "Security"}
    assert not archive.get(cid).title_guessed
    history.undo(archive)
    assert {t.name for t in archive.get(cid).tags} == {"Niger"}
    history.execute(archive, ops.dismiss_reviews([review.id]))
    with pytest.raises(NotFound):
        archive.review(review.id)
    history.undo(archive)
    assert archive.review(review.id).id == review.id
