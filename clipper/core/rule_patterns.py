"""Regular expressions in topic rules, which may come from anywhere (an export, a colleague):
compiled with the `regex` module, matched under a time budget, and refused when they
backtrack catastrophically on a probe text.

`re` cannot be stopped once a match has started, so `^(\\w+\\s?)*$` on a long line of words
holds an import for ever; `regex` takes a timeout and raises `TimeoutError` when it is spent.
"""

from __future__ import annotations

import logging
from functools import lru_cache

import regex

log = logging.getLogger(__name__)

RULE_FLAGS = regex.IGNORECASE | regex.MULTILINE
# What one rule may spend on one article. Ordinary patterns take microseconds on a long
# article; a pattern that needs more is backtracking, and the article goes on without it.
# `regex` looks at the clock now and then, not at every step: a search stops within a few
# times the budget, never runs on.
MATCH_BUDGET_SECONDS = 0.2
# What a pattern may spend on one probe before it is refused (see `unsafe_reason`).
PROBE_BUDGET_SECONDS = 0.05
_PROBE_LENGTH = 5000
# Runs of one kind of character, then one that matches little, the shapes on which nested
# or overlapping quantifiers try every way of splitting the run.
_PROBE_UNITS = ("a", "word ", "1", "a1", " ", "a-", ".", "\n", "é")


class RuleTimeout(Exception):
    """A rule's pattern used up its time budget on a text."""


def compile_rule(pattern: str) -> regex.Pattern[str]:
    """The compiled pattern; `regex.error` when it is not a regular expression."""
    return _compiled(pattern)


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> regex.Pattern[str]:
    return regex.compile(pattern, RULE_FLAGS)


def rule_search(pattern: str, text: str, budget: float = MATCH_BUDGET_SECONDS) -> bool:
    """Whether the pattern matches somewhere in the text; RuleTimeout when it takes longer
    than the budget, `regex.error` when it is not a regular expression."""
    try:
        return _compiled(pattern).search(text, timeout=budget) is not None
    except TimeoutError:
        raise RuleTimeout(pattern) from None


def backtracking_reason(pattern: str) -> str | None:
    """Why a valid pattern cannot be run safely on every import, or None when it can: it
    spends more than a moment on one of a few probe texts (catastrophic backtracking, as
    nested quantifiers like `(\\w+\\s?)*` do). `regex.error` when it is not a pattern."""
    compiled = _compiled(pattern)
    literals = {ch for ch in pattern if ch.isalnum()}
    units = list(_PROBE_UNITS) + sorted(literals - {"a", "1"})
    for unit in units:
        run = unit * (_PROBE_LENGTH // len(unit))
        for end in ("\x00", "!"):
            try:
                compiled.search(run + end, timeout=PROBE_BUDGET_SECONDS)
            except TimeoutError:
                shown = unit.replace("\n", "\\n")
                return (
                    f"it backtracks without end on a run of {shown!r} (nested or overlapping "
                    "repetitions such as (\\w+\\s?)*), so it would hold up every import"
                )
    return None
