"""How the command line writes JSON (`--json`): one object per line, dates as ISO text, sets
and tuples as lists, dataclasses as objects; shared by `clipper` and its monitoring commands."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, is_dataclass


def json_default(value: object) -> object:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, frozenset | set | tuple):
        return list(value)
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, bytes):
        return None
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def print_json(value: object) -> None:
    print(json.dumps(value, ensure_ascii=False, default=json_default))
