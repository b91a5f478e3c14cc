"""Clipper: a desktop clipping manager for newsrooms."""

__version__ = "0.1.0"
