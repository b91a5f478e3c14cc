"""Measure how monitoring copes with a huge feed, on this machine, in fresh processes:

- reading a 10,000-entry RSS document: feedparser on the whole of it, against
  `clipper.core.monitor.feeds.parse_feed` (cut down with lxml to the first and last 100
  entries, then feedparser), with each one's peak memory (a process of its own each);
- a whole `feeds poll` of that feed served from 127.0.0.1 (summary-only entries: no page
  fetches), into a fresh archive;
- a feed rule evaluated over 20 arriving drafts (the throwaway index).

Run from the checkout: `PYTHONPATH=$PWD .venv/bin/python tools/measure_feeds.py [--entries N]`
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import textwrap

_FEED = """
import datetime as dt, html
def feed(n):
    start = dt.datetime(2023, 1, 1)
    items = "".join(
        f"<item><title>Bulletin {i}</title><guid>b-{i}</guid>"
        f"<description>{html.escape('<p>Bulletin %d about Niger and the Sahel.</p>' % i)}"
        f"</description><pubDate>{(start + dt.timedelta(hours=i)):%a, %d %b %Y %H:%M:%S}"
        " +0000</pubDate></item>"
        for i in range(n)
    )
    return ('<?xml version="1.0"?><rss version="2.0"><channel><title>Huge</title>'
            + items + "</channel></rss>").encode()
"""

_PARSE = (
    _FEED
    + """
import resource, sys, time, json
import feedparser
from clipper.core.monitor.feeds import parse_feed  # imported first: not part of the peak
data = feed(__ENTRIES__)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
if "__HOW__" == "feedparser":
    count = len(feedparser.parse(data).entries)
else:
    count = len(parse_feed(data).entries)
seconds = time.perf_counter() - started
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "entries": count, "peak_mb": after / 1024,
                  "growth_mb": (after - before) / 1024, "bytes": len(data)}))
"""
)

_POLL = (
    _FEED
    + """
import http.server, json, tempfile, threading, time
from clipper.core.archive import Archive
from clipper.core.monitor import Monitor
body = feed(__ENTRIES__)
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
url = "http://127.0.0.1:%d/huge" % server.server_address[1]
with Archive.open(tempfile.mkdtemp()) as archive:
    monitor = Monitor(archive)
    monitor.add_feed(url, check=False)
    started = time.perf_counter()
    (outcome,) = monitor.poll_feeds()
    first = time.perf_counter() - started
    started = time.perf_counter()
    (again,) = monitor.poll_feeds()
    second = time.perf_counter() - started
print(json.dumps({"first_poll_s": first, "arrived": len(outcome.arrived),
                  "second_poll_s": second, "arrived_again": len(again.arrived)}))
server.shutdown()
"""
)

_RULE = """
import json, tempfile, time
from clipper.core.archive import Archive
from clipper.core.drafts import ClippingDraft
from clipper.core.ingest.suggest import suggest
from clipper.core.monitor.rules import matching_drafts
drafts = [suggest(ClippingDraft(title=f"Story {n} in Niamey",
          body=f"Wagner mercenaries number {n} arrived in Niamey, Niger, to train the army."))
          for n in range(20)]
with Archive.open(tempfile.mkdtemp()) as archive:
    rule = 'region:Sahel AND (Wagner OR "Africa Corps")'
    times = []
    for _ in range(5):
        started = time.perf_counter()
        matched = matching_drafts(rule, drafts, archive.stores.tags)
        times.append(time.perf_counter() - started)
print(json.dumps({"median_s": sorted(times)[2], "matched": len(matched), "drafts": 20}))
"""


def _run(code: str) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    args = parser.parse_args()
    for how in ("feedparser", "parse_feed"):
        code = _PARSE.replace("__ENTRIES__", str(args.entries)).replace("__HOW__", how)
        print(how, _run(code))
    print("feeds poll", _run(_POLL.replace("__ENTRIES__", str(args.entries))))
    print("rule", _run(_RULE))
    return 0


if __name__ == "__main__":
    sys.exit(main())
