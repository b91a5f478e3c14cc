"""Loading what a first page loads, once, in the readers' fork server (`forkserver.PRELOAD`).

Reading the first page in a process loads the language identifier's model (about a second),
jusText's stoplists (a third of a second, for trafilatura's fallback) and the date parsers'
tables. Done in each worker on its first page, that is a second or more before a batch
stores anything, on each core. Importing this module reads a small built-in page (and
fills the stoplists, which that page does not reach) in the fork server itself, so every
worker forked from it starts with them loaded. A warm-up that fails only costs that time.
"""

from __future__ import annotations

import logging

from clipper.core.ingest.base import InputItem
from clipper.core.ingest.batch import read_item

log = logging.getLogger(__name__)

_SENTENCE = (
    "<p>The delegation met the ministers in Niamey on Tuesday, and spoke of grain, fuel and"
    " the roads to the north, where convoys were attacked twice since the rains ended.</p>"
)
PAGE = (
    "<html><head><title>A delegation in Niamey</title>"
    "<meta name='date' content='2024-03-05'></head><body><article>"
    f"<h1>A delegation in Niamey</h1>{_SENTENCE * 5}</article></body></html>"
).encode()


def warm_readers() -> None:
    """Read `PAGE`, and load jusText's stoplists as trafilatura's fallback would."""
    try:
        read_item(InputItem(label="the fork server's warm-up page", data=PAGE))
        from trafilatura import external

        if getattr(external, "JT_STOPLIST", None) is None:
            external.jt_stoplist_init()
    except Exception:
        log.debug("warming the readers up failed", exc_info=True)


warm_readers()
