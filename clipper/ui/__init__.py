"""The PySide6 desktop app: a thin client of `clipper.core.archive.Archive`."""
