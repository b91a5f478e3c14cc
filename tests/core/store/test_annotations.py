"""Notes on clippings, and links between two clippings with a note saying why."""

from __future__ import annotations

import pytest

from clipper.core.archive import Archive, InvalidInput, NotFound
from tests.helpers.archives import draft

pytestmark = pytest.mark.backends


def test_notes_add_edit_delete(archive: Archive) -> None:
    cid = archive.add(draft("a")).id
    note_id, changes = archive.add_note(cid, "  Check the Flightradar24 track.  ")
    assert changes.notes and changes.clippings == {cid}
    archive.edit_note(note_id, "Checked: Bamako, Ouagadougou, Niamey.")
    assert [n.text for n in archive.get(cid).notes] == ["Checked: Bamako, Ouagadougou, Niamey."]
    archive.edit_note(note_id, "   ")  # emptying a note deletes it
    assert archive.get(cid).notes == ()
    with pytest.raises(InvalidInput):
        archive.add_note(cid, " ")
    with pytest.raises(NotFound):
        archive.delete_note(note_id)


def test_links_are_undirected_and_carry_a_note(archive: Archive) -> None:
    mali = archive.add(draft("Mali receives Yevkurov")).id
    burkina = archive.add(draft("Burkina receives Yevkurov")).id
    changes = archive.link(
        burkina, mali, "Yevkurov tour: Bamako and Ouagadougou stops", "same-event"
    )
    assert changes.links and changes.clippings == {mali, burkina}
    (from_mali,) = archive.get(mali).links
    (from_burkina,) = archive.get(burkina).links
    assert from_mali.other_id == burkina and from_burkina.other_id == mali
    assert from_mali.note == from_burkina.note == "Yevkurov tour: Bamako and Ouagadougou stops"
    assert from_mali.other_title == "Burkina receives Yevkurov"
    archive.link(mali, burkina, "Same delegation", None)  # linking again edits the link
    assert [(v.note, v.kind) for v in archive.get(burkina).links] == [("Same delegation", None)]
    with pytest.raises(InvalidInput, match="itself"):
        archive.link(mali, mali, "x")
    with pytest.raises(InvalidInput, match="link kind"):
        archive.link(mali, burkina, "x", "cousin")
    archive.unlink(burkina, mali)
    assert archive.get(mali).links == ()
    with pytest.raises(NotFound):
        archive.unlink(mali, burkina)
