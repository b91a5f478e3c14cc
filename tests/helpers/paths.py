"""Where the tests' data lives: tests/fixtures, and ../shared (the development corpora) beside
the checkout, which tests that read it skip without."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
FIXTURES = TESTS / "fixtures"
SHARED = TESTS.parents[1] / "shared"
SHARED_CORPUS = SHARED / "corpus" / "article-extraction-benchmark"
PEER_EVAL = SHARED / "corpus" / "peer-eval"
