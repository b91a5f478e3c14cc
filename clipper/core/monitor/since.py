"""When "since" is: `1d`, `12h`, `2w`, `30m` ago, or a date or time (local, as the editor
reads a clock), as the UTC time the archive stores."""

from __future__ import annotations

import datetime as dt
import re

from clipper.core.errors import InvalidInput

_SPAN = re.compile(r"(\d+)\s*([mhdw])", re.IGNORECASE)
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(text: str, now: dt.datetime | None = None) -> dt.datetime:
    """The moment `text` names, in UTC without a time zone (as `imported_at` is stored).

    `now` (UTC) is the clock to count back from; a date or a time without a zone is local.
    """
    value = text.strip()
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    span = _SPAN.fullmatch(value)
    if span:
        amount, unit = int(span.group(1)), span.group(2).lower()
        try:
            return now - dt.timedelta(**{_UNITS[unit]: amount})
        except OverflowError:
            raise InvalidInput(f"{value!r} is too far back") from None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"{value!r} is not a time: write 1d, 12h, 2w, 30m (ago), or a date such as "
            "2024-01-31 or 2024-01-31T08:00"
        ) from None
    if moment.tzinfo is None:
        moment = moment.astimezone()  # the editor's local time
    return moment.astimezone(dt.UTC).replace(tzinfo=None)
