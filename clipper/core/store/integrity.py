"""The archive's own consistency checks: the database engine's, content hashes, original
digests, and every clipping present in the change log."""

from __future__ import annotations

import hashlib

from sqlalchemy import func, select

from clipper.core import db
from clipper.core.models import Change, Clipping, Original
from clipper.core.store.unit import Store
from clipper.core.text import content_hash


def integrity_problems(store: Store) -> list[str]:
    """Everything wrong with the stored data (not the index); empty when all is well."""
    problems = db.integrity_problems(store.engine)
    with store.reading() as s:
        for cid, body, digest in s.execute(
            select(Clipping.id, Clipping.body, Clipping.content_hash)
        ):
            if content_hash(body) != digest:
                problems.append(f"clipping {cid}: content hash does not match its body")
        for cid, data, digest in s.execute(
            select(Original.clipping_id, Original.data, Original.sha256)
        ):
            if hashlib.sha256(data).hexdigest() != digest:
                problems.append(f"clipping {cid}: original bytes do not match their digest")
        last = s.scalar(select(func.max(Change.seq))) or 0
        logged = set(s.scalars(select(Change.clipping_id).distinct()))
        for cid in s.scalars(select(Clipping.id)):
            if cid not in logged:
                problems.append(f"clipping {cid}: missing from the change log (last {last})")
    return problems
