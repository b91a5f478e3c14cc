"""The archive's fixed vocabularies: tag kinds, link kinds, topic rule modes, date precisions,
origins, and the operations the change log records.

Plain tuples with no SQLAlchemy import, so the command line and the window can offer them
without loading the database layer.
"""

from __future__ import annotations

from typing import Literal

TAG_KINDS = ("topic", "region")
LINK_KINDS = ("follow-up", "same-event", "background", "contradicts")
DATE_PRECISIONS = ("day", "month", "year")
ORIGINS = ("file", "url", "paste", "email")
# Topic match rules an editor can set: any word, all words, exact phrase, regular expression.
MATCH_MODES = ("any", "all", "phrase", "regex")

# What a row of the `changes` log says happened to its clipping.
ChangeOp = Literal[
    "add",
    "update",
    "tag",
    "untag",
    "retag",
    "note",
    "link",
    "unlink",
    "dossier",
    "trash",
    "restore",
    "purge",
]
