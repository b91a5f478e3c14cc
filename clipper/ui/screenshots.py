"""Screenshots of the main flows, for the README and for looking at the app:
`xvfb-run -a python -m clipper.ui.screenshots OUT_DIR` (or any display).

It opens a fresh archive in a temporary folder, loads the sample clippings and walks
through first launch, the library, a search, linking, an import with its review panel and a
dossier, saving one PNG per step. Settings go to the temporary folder too.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEventLoop, QSettings, QTimer

from clipper.core.paths import resolve_location
from clipper.ui.app import application, open_window
from clipper.ui.sidebar import NodeKey

WINDOW_SIZE = (1440, 880)
DROPPED = {
    "niamey.txt": (
        "The Russian deputy defence minister, Yunus-bek Yevkurov, landed in Niamey on Sunday "
        "evening and was received by General Abdourahamane Tiani. The two sides signed a "
        "protocol on military cooperation whose content was not made public.\n\n"
        "The visit followed stops in Bamako and Ouagadougou, according to flight-tracking "
        "data.\n"
    ),
    "ecowas.txt": (
        "ECOWAS leaders weigh sanctions on Niger\n\nWest African heads of state meeting in "
        "Abuja discussed the sanctions imposed on Niger after the July coup, as Mali and "
        "Burkina Faso called for them to be lifted.\n"
    ),
    "broken.pdf": "%PDF-1.4 a file cut short",
}


def wait(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_until(condition: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        wait(20)


def take(out: Path) -> list[Path]:
    app = application()
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        settings = QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat)
        opened = open_window(resolve_location(tmp / "archive"), settings)
        if opened is None:
            raise SystemExit("could not open the temporary archive")
        window, results = opened.window, opened.window.results
        window.resize(*WINDOW_SIZE)
        window.show()
        wait(800)

        def shot(name: str) -> None:
            path = out / name
            window.grab().save(str(path))
            written.append(path)

        shot("01-first-launch.png")
        window.load_samples()
        wait_until(lambda: results.model.rowCount() == 5)
        wait(800)
        titles = [results.model.index(row, 0).data() for row in range(5)]
        results.table.selectRow(next(i for i, t in enumerate(titles) if "Bamako" in t))
        wait(1200)
        shot("02-library.png")
        results.set_query("Yevkurov")
        wait(1500)
        results.table.selectRow(0)
        wait(800)
        shot("03-search.png")
        results.set_query("")
        wait(800)
        results.select_ids(results.model.known_ids()[:2])
        window.clipping_commands.link_selected()
        wait(500)
        if window.dialog is not None:
            path = out / "04-link-dialog.png"
            window.dialog.grab().save(str(path))
            written.append(path)
            window.dialog.close()
        drop = tmp / "drop"
        drop.mkdir()
        for name, text in DROPPED.items():
            (drop / name).write_text(text, encoding="utf-8")
        window.import_items([str(drop)])
        wait_until(lambda: window.importer.active is None, 60)
        wait(1500)
        shot("05-import-review.png")
        window.review_dock.hide()
        dossier = window.archive.dossier("Russia in the Sahel")
        window.sidebar.select(NodeKey("dossier", dossier.id))
        wait(800)
        results.table.selectRow(0)
        wait(800)
        shot("06-dossier.png")
        window.close()
        opened.close()
    app.processEvents()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m clipper.ui.screenshots", description=__doc__)
    parser.add_argument("out", type=Path, help="folder for the PNG files")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for path in take(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
