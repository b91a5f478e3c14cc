"""`clipper inbox`: near duplicates flagged at arrival, syndicated copies collapsed under one
item, keeping with or without the suggestions, skipping, and keeping all a query matches."""

from __future__ import annotations

import json
from typing import Any

from tests.helpers.feeds import Entry, article_page, rss, story
from tests.monitor.conftest import Desk

WIRE = story("The junta's withdrawal from ECOWAS", words="The three juntas signed a treaty.")
# The same wire copy as another outlet runs it: a sentence added at the end.
EDITED = [*WIRE[:-1], WIRE[-1] + " More reactions are expected on Monday."]


def serve(web: Any, path: str, title: str, paragraphs: list[str], site: str) -> str:
    web(path, 200, "text/html; charset=utf-8", article_page(title, paragraphs, site=site))
    return path


def feed(web: Any, path: str, title: str, entries: list[Entry]) -> str:
    return web(path, 200, "application/rss+xml", rss(title, entries, web.base))


def inbox(desk: Desk, *args: str) -> list[dict[str, Any]]:
    ran = desk.run("inbox", "list", "--json", *args)
    assert ran.code == 0, ran.err
    return json.loads(ran.out)  # type: ignore[no-any-return]


def test_a_near_duplicate_says_which_clipping_it_is_already(desk: Desk, web: Any) -> None:
    serve(web, "/afp/withdrawal", "Sahel juntas quit ECOWAS", WIRE, "AFP")
    assert desk.run("import", web.base + "/afp/withdrawal").code == 0
    serve(web, "/wire/withdrawal", "Juntas leave the bloc", EDITED, "Sahel Wire")
    desk.run("feeds", "add", feed(web, "/rss", "Wire", [Entry("Juntas leave", "/wire/withdrawal")]))
    assert desk.run("feeds", "poll").lines == ["feed #1 Wire: 1 new in the inbox"]
    (item,) = inbox(desk)
    assert (item["duplicate_of"], item["duplicate_source"]) == (1, "AFP")
    assert 0.8 <= item["similarity"] < 1.0
    listed = desk.run("inbox", "list").lines
    assert f"        already clipped as #1 from AFP ({item['similarity']:.0%} alike)" in listed


def test_syndicated_copies_collapse_under_one_item_and_go_with_it(desk: Desk, web: Any) -> None:
    serve(web, "/a/story", "Sahel juntas quit ECOWAS", WIRE, "AFP")
    serve(web, "/b/story", "Juntas leave the bloc", EDITED, "Sahel Wire")
    serve(web, "/c/story", "Sahel juntas quit ECOWAS", WIRE, "Bamako Daily")
    serve(web, "/d/other", "Uranium exports halted", story("Uranium exports", "Agadez"), "AFP")
    desk.run(
        "feeds", "add", feed(web, "/one", "One", [Entry("a", "/a/story"), Entry("d", "/d/other")])
    )
    desk.run(
        "feeds", "add", feed(web, "/two", "Two", [Entry("b", "/b/story"), Entry("c", "/c/story")])
    )
    polled = desk.run("feeds", "poll")
    assert polled.lines == [
        "feed #1 One: 2 new in the inbox",
        "feed #2 Two: 2 new in the inbox",
    ]
    items = inbox(desk)
    assert [(i["id"], i["copies"]) for i in items] == [(1, [3, 4]), (2, [])]
    counts = json.loads(desk.run("feeds", "list", "--json").out)
    assert [f["unread"] for f in counts] == [2, 0]
    assert [i["id"] for i in inbox(desk, "--copies")] == [1, 2, 3, 4]

    kept = desk.run("inbox", "keep", "1")
    assert kept.lines == [
        "kept item #1 as #1",
        "  its syndicated copies #3, #4 are skipped with it",
    ]
    assert [i["id"] for i in inbox(desk)] == [2]
    skipped = inbox(desk, "--state", "skipped")
    assert [(i["id"], i["note"]) for i in skipped] == [
        (3, "a copy of item #1, kept as #1"),
        (4, "a copy of item #1, kept as #1"),
    ]
    assert desk.run("search", "ECOWAS").lines[0] == "1 clipping(s)"


def test_keeping_with_the_suggestions_or_only_the_tags_asked_for(desk: Desk, web: Any) -> None:
    serve(web, "/a", "Wagner arrives in Niamey", story("The arrival of Wagner"), "Sahel Wire")
    serve(web, "/b", "Uranium exports halted", story("Uranium exports", "Agadez"), "Sahel Wire")
    entries = [Entry("a", "/a"), Entry("b", "/b")]
    desk.run("feeds", "add", feed(web, "/rss", "Wire", entries), "--tag", "topic:Security")
    desk.run("feeds", "poll")
    first, _second = inbox(desk)
    assert "Niger" in [r["name"] for r in first["regions"]]

    with_suggestions = json.loads(desk.run("inbox", "keep", "1", "--json").out)
    assert with_suggestions["ok"] and with_suggestions["created"]
    plain = desk.run("inbox", "keep", "2", "--no-suggestions", "--tag", "topic:Mining")
    assert plain.lines == ["kept item #2 as #2"]

    def tags(clipping_id: int) -> set[tuple[str, str]]:
        shown = json.loads(desk.run("show", str(clipping_id), "--json").out)
        return {(t["kind"], t["name"]) for t in shown["tags"]}

    assert {("topic", "Security"), ("region", "Niger")} <= tags(1)
    assert tags(2) == {("topic", "Security"), ("topic", "Mining")}


def test_keep_all_matching_a_query(desk: Desk, web: Any) -> None:
    pages = {
        "/a": ("Wagner arrives in Niamey", story("The arrival of Wagner")),
        "/b": ("Uranium exports halted", story("Uranium exports", "Agadez")),
        "/c": ("Wagner guards the mines", story("Wagner's new contract", "Bangui")),
    }
    for path, (title, paragraphs) in pages.items():
        serve(web, path, title, paragraphs, "Sahel Wire")
    desk.run(
        "feeds", "add", feed(web, "/rss", "Wire", [Entry(t, p) for p, (t, _b) in pages.items()])
    )
    desk.run("feeds", "poll")

    kept = desk.run("inbox", "keep", "--matching", "wagner AND region:Sahel", "--feed", "1")
    assert kept.code == 0, kept.err
    assert kept.lines == ["kept item #1 as #1"]
    assert [i["title"] for i in inbox(desk)] == [pages["/b"][0], pages["/c"][0]]
    none = desk.run("inbox", "keep", "--matching", "Kidal")
    assert (none.code, none.lines) == (0, ["no waiting item matches 'Kidal'"])
    bad = desk.run("inbox", "keep", "--matching", "wagner AND (")
    assert bad.code == 2 and bad.err.startswith("clipper: malformed query: ")
    usage = desk.run("inbox", "keep")
    assert (usage.code, usage.err) == (
        2,
        "clipper: give the ids of the items to keep, or --matching QUERY\n",
    )


def test_deciding_items_that_are_not_waiting_is_one_line_each(desk: Desk, web: Any) -> None:
    serve(web, "/a", "Wagner arrives in Niamey", story("The arrival of Wagner"), "Sahel Wire")
    desk.run("feeds", "add", feed(web, "/rss", "Wire", [Entry("a", "/a")]))
    desk.run("feeds", "poll")
    assert desk.run("inbox", "keep", "1").code == 0
    skipped = desk.run("inbox", "skip", "1", "9")
    assert skipped.code == 1
    assert skipped.err == (
        "error: inbox item #1 is kept, not waiting\nerror: no inbox item with id 9\n"
    )
    shown = desk.run("inbox", "show", "1")
    assert shown.lines[0] == "Wagner arrives in Niamey  [kept]"
    assert "kept as #1" in shown.lines
    assert desk.run("inbox", "show", "9").err == "clipper: no inbox item with id 9\n"
