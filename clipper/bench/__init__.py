"""Measuring code, kept out of the product packages: the benchmarks and the synthetic corpus
they share. Nothing in clipper.core, clipper.export or clipper.ui imports this package; only
the command line does, inside the two bench commands.

- `search`: import, indexing and search speed on a synthetic corpus, side by side with SQLite
  FTS5 and plain Whoosh on the same articles and queries.
  `clipper --archive NEW_DIR bench --size 5000 --seed 7 --queries 200`
- `ingest`: the HTML reader against bare trafilatura on the article-extraction-benchmark
  folder, scored with that set's own metric, both timed (`clipper bench-import DIR
  --rounds 3`); and the whole import pipeline against bare trafilatura and htmldate on the
  peers' own evaluation pages, with their metrics (`clipper bench-import --set peer-eval`).
- `export`: time to write PDF books of real clippings, and how long the GUI thread's event
  loop stalls while one is written on a worker thread.
  `python -m clipper.bench.export --sizes 100 500 --runs 3`
- `gui`: window responsiveness, the GUI thread's longest pause while dropped files import and
  the time to a usable window on an empty and a 20,000-clipping archive.
  `python -m clipper.bench.gui --files 500 --size 20000 --runs 5`
- `desks`: a shared PostgreSQL archive under load: desk processes importing and searching at
  once, each with its own index; throughput, search latency, errors, every desk's check.
  `python -m clipper.bench.desks --server postgresql://USER@HOST/postgres --seconds 180`
- `corpus`: the deterministic synthetic newsroom corpus `search` stores (the same seed gives
  the same articles); its word lists are the data files in `words/`.
"""
