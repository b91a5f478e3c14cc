"""Exports of an archive: PDF clipping books, JSON that round-trips, Markdown, CSV, backups.

Only `clipper.export.pdf` needs Qt (QtGui); every other module here imports without it.
"""
