"""The command line of monitoring: `clipper feeds`, `watch`, `inbox`, `saved` and `digest`,
over `clipper.core.monitor.Monitor`. `clipper.cli` owns the main parser and calls
`add_monitor_parsers` and `MONITOR_COMMANDS` from here.

Exit codes as in `clipper.cli`: 0 all good, 1 some feed, folder, entry or item failed,
2 bad usage (a malformed query or rule, an unknown id or name).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from clipper.cli_json import print_json

if TYPE_CHECKING:
    from clipper.core.archive import Archive
    from clipper.core.monitor import Monitor, PollOutcome
    from clipper.core.paths import ArchiveLocation

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
INBOX_STATES = ("new", "kept", "skipped", "dropped", "known", "failed")


class _Usage(Exception):
    """Bad arguments, an unknown id, a malformed query: exit code 2."""


def _fail(message: str) -> None:
    print(f"clipper: {message}", file=sys.stderr)


def add_monitor_parsers(sub: Any) -> None:
    """The monitoring commands, on the main parser's subcommands."""
    p = sub.add_parser("feeds", help="follow RSS/Atom feeds into the inbox")
    verbs = p.add_subparsers(dest="verb", metavar="VERB", required=True)
    q = verbs.add_parser("add", help="follow a feed")
    q.add_argument("url", metavar="URL")
    q.add_argument("--name", metavar="N", help="what to call it (default: the feed's title)")
    q.add_argument("--tag", action="append", default=[], metavar="KIND:NAME")
    q.add_argument("--rule", metavar="QUERY", help="only entries this query matches arrive")
    q.add_argument("--every", type=int, default=30, metavar="MINUTES", help="poll interval (30)")
    q.add_argument("--no-check", action="store_true", help="add it without fetching it first")
    q = verbs.add_parser("list", help="the feeds followed, with their inbox counts")
    q.add_argument("--json", action="store_true")
    q = verbs.add_parser("remove", help="stop following a feed")
    q.add_argument("id", type=int, metavar="ID")
    q = verbs.add_parser("poll", help="fetch every due feed once")
    q.add_argument("--all", action="store_true", help="every feed, due or not")
    q.add_argument("--json", action="store_true", help="one JSON object per feed")

    p = sub.add_parser("watch", help="watch folders whose new files go to the inbox")
    verbs = p.add_subparsers(dest="verb", metavar="VERB", required=True)
    q = verbs.add_parser("add", help="watch a folder")
    q.add_argument("folder", metavar="DIR")
    q.add_argument("--move-to", metavar="DIR", help="move each file read there")
    q.add_argument("--tag", action="append", default=[], metavar="KIND:NAME")
    q = verbs.add_parser("list", help="the folders watched")
    q.add_argument("--json", action="store_true")
    q = verbs.add_parser("remove", help="stop watching a folder (its files stay)")
    q.add_argument("id", type=int, metavar="ID")
    q = verbs.add_parser("poll", help="read the new files of every watched folder")
    q.add_argument("--json", action="store_true", help="one JSON object per folder")

    p = sub.add_parser("inbox", help="what feeds and watch folders brought in")
    verbs = p.add_subparsers(dest="verb", metavar="VERB", required=True)
    q = verbs.add_parser("list", help="the items waiting (or in another state)")
    q.add_argument("--feed", type=int, metavar="ID")
    q.add_argument("--folder", type=int, metavar="ID")
    q.add_argument("--state", choices=[*INBOX_STATES, "all"], default="new")
    q.add_argument("--copies", action="store_true", help="list syndicated copies on their own")
    q.add_argument("--json", action="store_true")
    q = verbs.add_parser("show", help="one item, with its text")
    q.add_argument("id", type=int, metavar="ID")
    q.add_argument("--json", action="store_true")
    q = verbs.add_parser("keep", help="store items in the library")
    q.add_argument("ids", type=int, nargs="*", metavar="ID")
    q.add_argument("--matching", metavar="QUERY", help="every waiting item this query matches")
    q.add_argument("--feed", type=int, metavar="ID", help="with --matching: this feed's items")
    q.add_argument("--tag", action="append", default=[], metavar="KIND:NAME")
    q.add_argument(
        "--no-suggestions", action="store_true", help="only the feed's tags and --tag ones"
    )
    q.add_argument("--json", action="store_true")
    q = verbs.add_parser("skip", help="let items go (they never come back)")
    q.add_argument("ids", type=int, nargs="+", metavar="ID")

    p = sub.add_parser("saved", help="saved searches and what is new in them")
    verbs = p.add_subparsers(dest="verb", metavar="VERB", required=True)
    q = verbs.add_parser("add", help="save a search")
    q.add_argument("name", metavar="NAME")
    q.add_argument("query", metavar="QUERY")
    q.add_argument("--tag", action="append", default=[], metavar="KIND:NAME", help="a facet")
    q.add_argument("--source", metavar="NAME", help="a facet: clippings of this source")
    q.add_argument("--lang", metavar="CODE", help="a facet: clippings in this language")
    q = verbs.add_parser("list", help="saved searches with how many clippings are new")
    q.add_argument("--json", action="store_true")
    q = verbs.add_parser("run", help="run a saved search (it counts as opened)")
    q.add_argument("name", metavar="NAME")
    q.add_argument("--since", metavar="WHEN", help="only clippings imported since: 1d, 2024-01-31")
    q.add_argument("--limit", type=int, default=20)
    q.add_argument("--json", action="store_true")
    q = verbs.add_parser("remove", help="forget a saved search")
    q.add_argument("name", metavar="NAME")

    p = sub.add_parser("digest", help="a saved search's new clippings as a PDF or HTML digest")
    p.add_argument("name", metavar="NAME", help="the saved search")
    p.add_argument("--since", metavar="WHEN", help="1d, 12h, 2w or a date (default: last opened)")
    output = p.add_mutually_exclusive_group(required=True)
    output.add_argument("--pdf", metavar="FILE")
    output.add_argument("--html", metavar="FILE")
    p.add_argument("--group-by", choices=["region", "topic"], default="region")
    p.add_argument("--paper", choices=["a4", "letter"], default="a4")
    p.add_argument("--title", metavar="TEXT", help="the digest's title")


# -- helpers ----------------------------------------------------------------------------------


def _tags(specs: Sequence[str]) -> list[tuple[str, str]]:
    from clipper.core.archive import InvalidInput, parse_tag_spec

    try:
        return [parse_tag_spec(spec) for spec in specs]
    except InvalidInput as exc:
        raise _Usage(str(exc)) from exc


def _run(location: ArchiveLocation, work: Callable[[Archive, Monitor], int]) -> int:
    """Open the archive, run `work`, and turn a user's mistake into exit code 2."""
    from clipper.core.archive import Archive, ArchiveError
    from clipper.core.monitor import Monitor
    from clipper.core.search import QuerySyntaxError

    try:
        with Archive(location) as archive:
            return work(archive, Monitor(archive))
    except QuerySyntaxError as exc:
        _fail(f"malformed query: {exc}")
    except (ArchiveError, _Usage) as exc:
        _fail(str(exc))
    return EXIT_USAGE


def _when(moment: dt.datetime | None) -> str:
    """A UTC time from the archive as the editor's local time."""
    if moment is None:
        return "never"
    return moment.replace(tzinfo=dt.UTC).astimezone().strftime("%Y-%m-%d %H:%M")


def _in(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    seconds = (moment - dt.datetime.now(dt.UTC).replace(tzinfo=None)).total_seconds()
    if seconds < 90:
        return "in a minute"
    if seconds < 5400:
        return f"in {round(seconds / 60)} min"
    if seconds < 129600:
        return f"in {round(seconds / 3600)} h"
    return f"in {round(seconds / 86400)} days"


def _tag_text(tags: Sequence[tuple[str, str]]) -> str:
    return ", ".join(f"{kind}:{name}" for kind, name in tags)


def _counts_by_source(monitor: Monitor) -> dict[tuple[str, int], Any]:
    found: dict[tuple[str, int], Any] = {}
    for counts in monitor.inbox_counts():
        if counts.feed_id is not None:
            found[("feed", counts.feed_id)] = counts
        elif counts.watch_id is not None:
            found[("folder", counts.watch_id)] = counts
    return found


# -- feeds ------------------------------------------------------------------------------------


def cmd_feeds(args: argparse.Namespace, location: ArchiveLocation) -> int:
    return {
        "add": _feeds_add,
        "list": _feeds_list,
        "remove": _feeds_remove,
        "poll": _feeds_poll,
    }[args.verb](args, location)


def _feeds_add(args: argparse.Namespace, location: ArchiveLocation) -> int:
    def work(archive: Archive, monitor: Monitor) -> int:
        from clipper.core.search import QuerySyntaxError

        tags = _tags(args.tag)
        if args.every < 1:
            raise _Usage("--every is at least 1 minute")
        try:
            feed = monitor.add_feed(
                args.url,
                args.name,
                tags=tags,
                rule=args.rule,
                interval_minutes=args.every,
                check=not args.no_check,
            )
        except QuerySyntaxError as exc:
            raise _Usage(f"the rule is not a valid query: {exc}") from exc
        print(
            f"following feed #{feed.id} {feed.name} ({feed.url}), every {feed.interval_minutes} min"
        )
        if feed.rule:
            print(f"  rule: {feed.rule}")
        if feed.tags:
            print(f"  tags: {_tag_text(feed.tags)}")
        return EXIT_OK

    return _run(location, work)


def _feed_json(feed: Any, counts: Any) -> dict[str, Any]:
    return {
        "id": feed.id,
        "url": feed.url,
        "name": feed.name,
        "tags": [list(t) for t in feed.tags],
        "rule": feed.rule,
        "interval_minutes": feed.interval_minutes,
        "last_polled_at": feed.last_polled_at,
        "next_poll_at": feed.next_poll_at,
        "failures": feed.failures,
        "last_error": feed.last_error,
        "unread": counts.new if counts else 0,
        "dropped": counts.dropped if counts else 0,
        "kept": counts.kept if counts else 0,
        "skipped": counts.skipped if counts else 0,
    }


def _feeds_list(args: argparse.Namespace, location: ArchiveLocation) -> int:
    def work(archive: Archive, monitor: Monitor) -> int:
        counts = _counts_by_source(monitor)
        feeds = monitor.feeds()
        if args.json:
            print_json([_feed_json(f, counts.get(("feed", f.id))) for f in feeds])
            return EXIT_OK
        if not feeds:
            print("no feeds: add one with clipper feeds add URL")
        for feed in feeds:
            c = counts.get(("feed", feed.id))
            unread = c.new if c else 0
            dropped = c.dropped if c else 0
            print(f"#{feed.id:<4} {feed.name}  {unread} unread, {dropped} dropped  {feed.url}")
            state = f"polled {_when(feed.last_polled_at)}"
            if feed.last_error:
                state += f"; failing ({feed.failures}x): {feed.last_error}"
            print(f"      every {feed.interval_minutes} min, {state}")
            if feed.rule:
                print(f"      rule: {feed.rule}")
            if feed.tags:
                print(f"      tags: {_tag_text(feed.tags)}")
        return EXIT_OK

    return _run(location, work)


def _feeds_remove(args: argparse.Namespace, location: ArchiveLocation) -> int:
    def work(archive: Archive, monitor: Monitor) -> int:
        feed = monitor.remove_feed(args.id)
        print(f"no longer following feed #{feed.id} {feed.name}")
        return EXIT_OK

    return _run(location, work)


def _outcome_json(outcome: PollOutcome) -> dict[str, Any]:
    return {
        "kind": outcome.kind,
        "id": outcome.source_id,
        "name": outcome.name,
        "ok": outcome.ok,
        "error": outcome.error,
        "not_modified": outcome.not_modified,
        "listed": outcome.listed,
        "arrived": list(outcome.arrived),
        "dropped": list(outcome.dropped),
        "known": [
            {"title": k.title, "clipping_id": k.clipping_id, "item_id": k.item_id}
            for k in outcome.known
        ],
        "failed": list(outcome.failed),
        "notes": list(outcome.notes),
        "warnings": list(outcome.warnings),
        "next_poll_at": outcome.next_poll_at,
    }


def _print_outcome(outcome: PollOutcome) -> None:
    what = f"{outcome.kind} #{outcome.source_id} {outcome.name}"
    if outcome.error:
        retry = f" (tried again {_in(outcome.next_poll_at)})" if outcome.next_poll_at else ""
        print(f"error: {what}: {outcome.error}{retry}", file=sys.stderr)
        return
    if outcome.not_modified:
        print(f"{what}: not modified since the last poll")
        return
    parts = [f"{len(outcome.arrived)} new in the inbox"]
    if outcome.dropped:
        parts.append(f"{len(outcome.dropped)} dropped by its rule")
    in_archive = sum(1 for k in outcome.known if k.clipping_id is not None)
    if in_archive:
        parts.append(f"{in_archive} already in the archive")
    if len(outcome.known) > in_archive:
        parts.append(f"{len(outcome.known) - in_archive} already in the inbox")
    if outcome.failed:
        parts.append(f"{len(outcome.failed)} failed")
    print(f"{what}: {', '.join(parts)}")
    for known in outcome.known:
        print(f"  {known.label}")
    for note in outcome.notes:
        print(f"  {note}")
    for warning in outcome.warnings:
        print(f"  warning: {warning}")
    for failure in outcome.failed:
        print(f"error: {what}: {failure}", file=sys.stderr)


def _report(outcomes: Sequence[PollOutcome], as_json: bool, none: str) -> int:
    if not outcomes and not as_json:
        print(none)
    for outcome in outcomes:
        if as_json:
            print_json(_outcome_json(outcome))
        else:
            _print_outcome(outcome)
        sys.stdout.flush()
    return EXIT_OK if all(o.ok for o in outcomes) else EXIT_FAILED


def _feeds_poll(args: argparse.Namespace, location: ArchiveLocation) -> int:
    def work(archive: Archive, monitor: Monitor) -> int:
        outcomes = monitor.poll_feeds() if args.all else monitor.poll_due_feeds()
        none = "no feeds" if not monitor.feeds() else "no feed is due (--all polls them anyway)"
        return _report(outcomes, args.json, none)

    return _run(location, work)


# -- watch folders ----------------------------------------------------------------------------


def cmd_watch(args: argparse.Namespace, location: ArchiveLocation) -> int:
    return {
        "add": _watch_add,
        "list": _watch_list,
        "remove": _watch_remove,
        "poll": _watch_poll,
    }[args.verb](args, location)


def _watch_add(args: argparse.Namespace, location: ArchiveLocation) -> int:
    def work(archive: Archive, monitor: Monitor) -> int:
        folder = monitor.add_watch_folder(args.folder, args.move_to, tags=_tags(args.tag))
        moved = f", moving each file read to {folder.move_to}" if folder.move_to else ""
        print(f"watching folder #{folder.id} {folder.path}{moved}")
        return EXIT_OK

    return _run(location, work)


def _watch_list(args: argparse.Namespace, location: ArchiveLocation) -> int:
    def work(archive: Archive, monitor: Monitor) -> int:
        counts = _counts_by_source(monitor)
        folders = monitor.watch_folders()
        if args.json:
            print_json(
                [
                    {
                        "id": f.id,
                        "path": f.path,
                        "move_to": f.move_to,
                        "tags": [list(t) for t in f.tags],
                        "last_polled_at": f.last_polled_at,
                        "last_error": f.last_error,
                        "unread": getattr(counts.get(("folder", f.id)), "new", 0),
                    }
                    for f in folders
                ]
            )
            return EXIT_OK
        if not folders:
            print("no watch folders: add one with clipper watch add DIR")
        for f in folders:
            unread = getattr(counts.get(("folder", f.id)), "new", 0)
            moved = f", files moved to {f.move_to}" if f.move_to else ""
            print(f"#{f.id:<4} {f.path}  {unread} unread{moved}, polled {_when(f.last_polled_at)}")
            if f.last_error:
                print(f"      failing: {f.last_error}")
        return EXIT_OK

    return _run(location, work)


def _watch_remove(args: argparse.Namespace, location: ArchiveLocation) -> int:
    def work(archive: Archive, monitor: Monitor) -> int:
        folder = monitor.remove_watch_folder(args.id)
        print(f"no longer watching folder #{folder.id} {folder.path}")
        return EXIT_OK

    return _run(location, work)


def _watch_poll(args: argparse.Namespace, location: ArchiveLocation) -> int:
    def work(archive: Archive, monitor: Monitor) -> int:
        return _report(monitor.poll_watch_folders(), args.json, "no watch folders")

    return _run(location, work)


# -- the inbox --------------------------------------------------------------------------------


def cmd_inbox(args: argparse.Namespace, location: ArchiveLocation) -> int:
    return {
        "list": _inbox_list,
        "show": _inbox_show,
        "keep": _inbox_keep,
        "skip": _inbox_skip,
    }[args.verb](args, location)


def _item_json(item: Any, text: str | None = None) -> dict[str, Any]:
    result = {
        "id": item.id,
        "feed_id": item.feed_id,
        "folder_id": item.watch_id,
        "state": item.state,
        "title": item.title,
        "url": item.url,
        "source": item.source,
        "published": item.published,
        "arrived_at": item.arrived_at,
        "excerpt": item.excerpt,
        "regions": [{"name": s.name, "code": s.code, "score": s.score} for s in item.regions],
        "topics": [{"name": s.name, "code": s.code, "score": s.score} for s in item.topics],
        "note": item.note,
        "duplicate_of": item.duplicate_of,
        "duplicate_source": item.duplicate_source,
        "similarity": item.similarity,
        "copies": list(item.copies),
        "copy_of": item.group_id,
        "clipping_id": item.clipping_id,
    }
    if text is not None:
        result["body"] = text
    return result


def _source_names(monitor: Monitor) -> dict[tuple[str, int], str]:
    names = {("feed", f.id): f.name for f in monitor.feeds()}
    names.update({("folder", w.id): w.path for w in monitor.watch_folders()})
    return names


def _inbox_list(args: argparse.Namespace, location: ArchiveLocation) -> int:
    def work(archive: Archive, monitor: Monitor) -> int:
        states = INBOX_STATES if args.state == "all" else (args.state,)
        items = monitor.inbox(states, args.feed, args.folder, copies=args.copies)
        if args.json:
            print_json([_item_json(i) for i in items])
            return EXIT_OK
        names = _source_names(monitor)
        label = "waiting" if args.state == "new" else args.state
        print(f"{len(items)} item(s) {label}")
        for item in items:
            origin = (
                names.get(("feed", item.feed_id), f"feed #{item.feed_id}")
                if item.feed_id is not None
                else names.get(("folder", item.watch_id or 0), f"folder #{item.watch_id}")
            )
            state = "" if args.state != "all" else f"[{item.state}] "
            date = item.published.isoformat() if item.published else "----------"
            print(f"#{item.id:<6} {state}{date}  {item.source or '-'}  {item.title}")
            print(f"        via {origin}" + (f"  {item.url}" if item.url else ""))
            if item.duplicate_label:
                print(f"        {item.duplicate_label}")
            if item.copies:
                copies = ", ".join(f"#{c}" for c in item.copies)
                print(f"        syndicated copies collapsed under it: {copies}")
            tags = [f"region:{s.name}" for s in item.regions[:3]]
            tags += [f"topic:{s.name}" for s in item.topics[:3]]
            if tags and item.state == "new":
                print(f"        suggested: {'; '.join(tags)}")
            if item.note:
                print(f"        note: {item.note}")
        return EXIT_OK

    return _run(location, work)


def _inbox_show(args: argparse.Namespace, location: ArchiveLocation) -> int:
    def work(archive: Archive, monitor: Monitor) -> int:
        item = monitor.inbox_item(args.id)
        body = None
        if item.state == "new":
            body = archive.stores.inbox.draft(item.id).body
        if args.json:
            print_json(_item_json(item, body))
            return EXIT_OK
        print(f"{item.title}  [{item.state}]")
        facts = [item.source, item.published and item.published.isoformat()]
        print(" | ".join(str(f) for f in facts if f))
        if item.url:
            print(item.url)
        if item.duplicate_label:
            print(item.duplicate_label)
        if item.note:
            print(f"note: {item.note}")
        if item.clipping_id:
            print(f"kept as #{item.clipping_id}")
        if body is not None:
            print()
            print(body)
        return EXIT_OK

    return _run(location, work)


def _inbox_keep(args: argparse.Namespace, location: ArchiveLocation) -> int:
    if bool(args.ids) == bool(args.matching):
        _fail("give the ids of the items to keep, or --matching QUERY")
        return EXIT_USAGE
    if args.feed is not None and not args.matching:
        _fail("--feed goes with --matching")
        return EXIT_USAGE

    def work(archive: Archive, monitor: Monitor) -> int:
        extra = _tags(args.tag)
        suggestions = not args.no_suggestions
        if args.matching:
            outcomes = monitor.keep_matching(args.matching, args.feed, None, extra, suggestions)
            if not outcomes and not args.json:
                print(f"no waiting item matches {args.matching!r}")
        else:
            outcomes = monitor.keep(args.ids, None, extra, suggestions)
        failed = 0
        for outcome in outcomes:
            if args.json:
                print_json(
                    {
                        "item": outcome.item_id,
                        "ok": outcome.ok,
                        "id": outcome.clipping_id,
                        "created": outcome.created,
                        "error": outcome.error,
                        "copies_skipped": list(outcome.copies_skipped),
                    }
                )
            elif not outcome.ok:
                print(f"error: {outcome.error}", file=sys.stderr)
            elif outcome.created:
                print(f"kept item #{outcome.item_id} as #{outcome.clipping_id}")
            else:
                print(
                    f"item #{outcome.item_id} is already in the archive as #{outcome.clipping_id}"
                )
            if outcome.copies_skipped and not args.json:
                copies = ", ".join(f"#{c}" for c in outcome.copies_skipped)
                print(f"  its syndicated copies {copies} are skipped with it")
            failed += not outcome.ok
        return EXIT_FAILED if failed else EXIT_OK

    return _run(location, work)


def _inbox_skip(args: argparse.Namespace, location: ArchiveLocation) -> int:
    def work(archive: Archive, monitor: Monitor) -> int:
        skipped = set(monitor.skip(args.ids))
        failed = 0
        for item_id in args.ids:
            if item_id in skipped:
                print(f"skipped item #{item_id}")
                continue
            try:
                state = monitor.inbox_item(item_id).state
                print(f"error: inbox item #{item_id} is {state}, not waiting", file=sys.stderr)
            except Exception as exc:
                print(f"error: {exc}", file=sys.stderr)
            failed += 1
        copies = skipped - set(args.ids)
        if copies:
            print(f"  with their syndicated copies {', '.join(f'#{c}' for c in sorted(copies))}")
        return EXIT_FAILED if failed else EXIT_OK

    return _run(location, work)


# -- saved searches and digests ---------------------------------------------------------------


def cmd_saved(args: argparse.Namespace, location: ArchiveLocation) -> int:
    return {
        "add": _saved_add,
        "list": _saved_list,
        "run": _saved_run,
        "remove": _saved_remove,
    }[args.verb](args, location)


def _saved_add(args: argparse.Namespace, location: ArchiveLocation) -> int:
    def work(archive: Archive, monitor: Monitor) -> int:
        from clipper.core.views import ClippingFilter

        tag_ids = []
        for kind, name in _tags(args.tag):
            tag = archive.find_tag(kind, name)
            if tag is None:
                raise _Usage(f"there is no {kind} called {name!r}")
            tag_ids.append(tag.id)
        facets = ClippingFilter(
            tag_ids=tuple(tag_ids), source=args.source or None, language=args.lang or None
        )
        search = monitor.save_search(args.name, args.query, facets)
        print(f"saved search {search.name!r}: {search.query or '(no query)'}")
        return EXIT_OK

    return _run(location, work)


def _facets_text(archive: Archive, facets: Any) -> str:
    parts = [f"{ref.kind}:{ref.name}" for ref in archive.tag_names(facets.tag_ids).values()]
    if facets.source:
        parts.append(f"source {facets.source}")
    if facets.language:
        parts.append(f"language {facets.language}")
    return ", ".join(parts)


def _saved_list(args: argparse.Namespace, location: ArchiveLocation) -> int:
    def work(archive: Archive, monitor: Monitor) -> int:
        statuses = monitor.saved_searches()
        if args.json:
            print_json(
                [
                    {
                        "name": s.search.name,
                        "query": s.search.query,
                        "facets": _facets_text(archive, s.search.facets),
                        "new": s.new,
                        "opened_at": s.search.opened_at,
                    }
                    for s in statuses
                ]
            )
            return EXIT_OK
        if not statuses:
            print('no saved searches: save one with clipper saved add NAME "QUERY"')
        for status in statuses:
            facets = _facets_text(archive, status.search.facets)
            print(
                f"{status.search.name}: {status.new} new since {_when(status.search.opened_at)}"
                f"  {status.search.query}" + (f"  [{facets}]" if facets else "")
            )
        return EXIT_OK

    return _run(location, work)


def _saved_run(args: argparse.Namespace, location: ArchiveLocation) -> int:
    if args.limit < 1:
        _fail("--limit must be at least 1")
        return EXIT_USAGE

    def work(archive: Archive, monitor: Monitor) -> int:
        from clipper.core.monitor import parse_since

        since = parse_since(args.since) if args.since else None
        run = monitor.run_saved(args.name, since)
        shown = list(run.ids[: args.limit])
        summaries = archive.summaries(shown)
        if args.json:
            print_json(
                {
                    "name": run.search.name,
                    "query": run.search.query,
                    "since": run.since,
                    "total": len(run.ids),
                    "hits": [
                        {
                            "id": s.id,
                            "title": s.title,
                            "source": s.source,
                            "published": s.published,
                            "imported_at": s.imported_at,
                        }
                        for s in summaries
                    ],
                }
            )
            return EXIT_OK
        since_text = f" imported since {_when(run.since)}" if run.since else ""
        print(f"{len(run.ids)} clipping(s){since_text}")
        for s in summaries:
            date = s.published.isoformat() if s.published else "----------"
            print(f"#{s.id:<6} {date}  {s.source or '-'}  {s.title}")
        return EXIT_OK

    return _run(location, work)


def _saved_remove(args: argparse.Namespace, location: ArchiveLocation) -> int:
    def work(archive: Archive, monitor: Monitor) -> int:
        search = monitor.remove_saved(args.name)
        print(f"removed saved search {search.name!r}")
        return EXIT_OK

    return _run(location, work)


def cmd_digest(args: argparse.Namespace, location: ArchiveLocation) -> int:
    def work(archive: Archive, monitor: Monitor) -> int:
        from clipper.core.monitor import parse_since
        from clipper.export.common import ExportError
        from clipper.export.digest import DigestOptions, write_digest_html, write_digest_pdf

        since = parse_since(args.since) if args.since else None
        search = monitor.saved_search(args.name)
        since = since or search.opened_at
        ids = monitor.digest_ids(args.name, since)
        if not ids:
            print(f"nothing new in {search.name!r} since {_when(since)}: no digest written")
            return EXIT_OK
        options = DigestOptions(
            title=args.title or f"{search.name}: digest",
            since=since,
            query=search.query,
            group_by=args.group_by,
            paper=args.paper,
        )
        try:
            if args.pdf:
                result = write_digest_pdf(archive, ids, args.pdf, options)
                print(
                    f"wrote {args.pdf}: {result.clippings} new clipping(s), {result.pages} page(s)"
                )
            else:
                result = write_digest_html(archive, ids, args.html, options)
                print(f"wrote {args.html}: {result.clippings} new clipping(s)")
        except ExportError as exc:
            _fail(str(exc))
            return EXIT_FAILED
        return EXIT_OK

    return _run(location, work)


MONITOR_COMMANDS: dict[str, Callable[[argparse.Namespace, Any], int]] = {
    "feeds": cmd_feeds,
    "watch": cmd_watch,
    "inbox": cmd_inbox,
    "saved": cmd_saved,
    "digest": cmd_digest,
}

__all__ = ["MONITOR_COMMANDS", "add_monitor_parsers"]
