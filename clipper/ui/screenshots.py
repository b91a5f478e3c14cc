"""Screenshots of the window's flows, in a light and a dark palette, for the README and for
looking at the app: `xvfb-run -a -s "-screen 0 1600x1000x24" python -m
clipper.ui.screenshots OUT_DIR` (or any display at least WINDOW_SIZE; xvfb-run's own screen is
narrower; `--palette light` or `dark` for one of them).

For each palette it opens a fresh archive in a temporary folder, loads the sample clippings
and walks through first launch, the library with a clipping open, a search with its facets
and an active one, a query that cannot be read, linking, an import with its review cards
(a guessed title, suggestions, a possible duplicate, a failure), a dossier, the sidebar's
menu and a topic's match rule, a drag from outside, the export dialog and its finished book,
the Inbox (two feeds served from 127.0.0.1 by this script, one of them failing), the Follow a
feed, Save this search and Digest dialogs, and a small window, saving one PNG per step in
OUT_DIR/light and OUT_DIR/dark. The screen is grabbed, not the window, so menus and dialogs
show where the editor sees them. Settings go to the temporary folder too.
"""

from __future__ import annotations

import argparse
import html
import http.server
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import QEventLoop, QMimeData, QPoint, QRect, QSettings, Qt, QTimer, QUrl
from PySide6.QtGui import QColor, QDragEnterEvent, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox, QWidget

from clipper.core.drafts import ClippingDraft
from clipper.core.ingest import ImportOutcome
from clipper.core.monitor import Monitor
from clipper.core.paths import resolve_location
from clipper.ui.app import application, apply_style, open_window
from clipper.ui.facets import Facet
from clipper.ui.main_window import MainWindow
from clipper.ui.saved_searches import SaveSearchDialog
from clipper.ui.sidebar import INBOX, NodeKey

WINDOW_SIZE = (1440, 880)
SMALL_SIZE = (1024, 700)
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
# A dark desktop theme, as the test of contrast uses one (never the machine's own).
DARK = {
    QPalette.ColorRole.Window: "#2b2d31",
    QPalette.ColorRole.WindowText: "#e6e6e6",
    QPalette.ColorRole.Base: "#1e1f22",
    QPalette.ColorRole.AlternateBase: "#25272b",
    QPalette.ColorRole.Text: "#e6e6e6",
    QPalette.ColorRole.Button: "#34363b",
    QPalette.ColorRole.ButtonText: "#e6e6e6",
    QPalette.ColorRole.BrightText: "#ffffff",
    QPalette.ColorRole.Highlight: "#3d7bd9",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: "#7fb2ff",
    QPalette.ColorRole.ToolTipBase: "#2b2d31",
    QPalette.ColorRole.ToolTipText: "#e6e6e6",
    QPalette.ColorRole.PlaceholderText: "#9a9ca1",
    QPalette.ColorRole.Light: "#4a4c52",
    QPalette.ColorRole.Midlight: "#3c3e43",
    QPalette.ColorRole.Mid: "#232427",
    QPalette.ColorRole.Dark: "#18191b",
    QPalette.ColorRole.Shadow: "#000000",
}


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, name in DARK.items():
        palette.setColor(role, QColor(name))
    disabled = QPalette.ColorGroup.Disabled
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText):
        palette.setColor(disabled, role, QColor("#7d7f85"))
    return palette


def wait(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_until(condition: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        wait(20)


class Shooter:
    """Grabs the screen where the window is, into numbered PNG files."""

    def __init__(self, window: MainWindow, out: Path) -> None:
        self.window = window
        self.out = out
        self.written: list[Path] = []

    def shot(self, name: str, area: QWidget | None = None) -> None:
        wait(250)
        target = area or self.window
        frame = (
            target.frameGeometry()
            if target.isWindow()
            else QRect(target.mapToGlobal(QPoint(0, 0)), target.size())
        )
        screen = QGuiApplication.primaryScreen()
        pixmap = screen.grabWindow(0, frame.x(), frame.y(), frame.width(), frame.height())
        if pixmap.isNull():
            pixmap = target.grab()
        path = self.out / f"{len(self.written) + 1:02}-{name}.png"
        pixmap.save(str(path))
        self.written.append(path)


# The Inbox's pictures: a wire's stories (title, site, paragraphs) as pages a feed lists.
WIRE_STORIES = (
    (
        "Niger and Russia sign a military cooperation protocol",
        "Sahel Wire",
        [
            "NIAMEY - Niger's military government and Russia signed a protocol on military "
            "cooperation on Monday, after a visit by deputy defence minister Yunus-bek Yevkurov.",
            "The text was not made public. Western diplomats in Niamey said the agreement "
            "covered training and equipment for the army fighting jihadist groups.",
        ],
    ),
    (
        "Uranium exports from Arlit halted at the Benin border",
        "Sahel Wire",
        [
            "AGADEZ - Uranium concentrate from the Arlit mines has been stuck for weeks at the "
            "closed border with Benin, the mining company said on Tuesday.",
            "The company said it could not tell its customers when deliveries would resume.",
        ],
    ),
    (
        "Mali's junta extends the transition",
        "Bamako Daily",
        [
            "BAMAKO - Mali's transitional authorities said elections planned for February "
            "would be postponed, citing technical reasons and the security situation.",
            "Political parties denounced the decision and called for a timetable.",
        ],
    ),
)


def _page(title: str, site: str, paragraphs: list[str]) -> bytes:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}'
        f'</title><meta property="og:site_name" content="{html.escape(site)}">'
        '<meta property="article:published_time" content="2024-01-29T08:00:00Z"></head>'
        f"<body><article><h1>{html.escape(title)}</h1>{body}</article></body></html>"
    ).encode()


def _rss(title: str, base: str, entries: list[tuple[str, str]]) -> bytes:
    items = "".join(
        f"<item><title>{html.escape(t)}</title><link>{base}{path}</link>"
        f"<guid>{base}{path}</guid></item>"
        for t, path in entries
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{html.escape(title)}</title>'
        f"<link>{base}</link><description>wire</description>{items}</channel></rss>"
    ).encode()


@contextmanager
def local_feeds(copy_of: tuple[str, str]) -> Iterator[str]:
    """A web server on 127.0.0.1 with a wire's feed (its stories, and a copy of a clipping the
    archive has, under another title) for as long as the block runs; yields its address."""
    pages: dict[str, tuple[str, bytes]] = {}
    handler_pages = pages

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            media_type, body = handler_pages.get(self.path, ("text/plain", b""))
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", media_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    base = f"http://127.0.0.1:{server.server_address[1]}"
    entries = []
    for number, (title, site, paragraphs) in enumerate(WIRE_STORIES, start=1):
        pages[f"/story/{number}"] = ("text/html", _page(title, site, paragraphs))
        entries.append((title, f"/story/{number}"))
    title, body = copy_of
    pages["/story/copy"] = ("text/html", _page(title, "Wire Service", body.split("\n\n")))
    entries.insert(1, (title, "/story/copy"))
    pages["/wire.xml"] = ("application/rss+xml", _rss("Sahel Wire", base, entries))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base
    finally:
        server.shutdown()
        server.server_close()


def take(out: Path, palette: str = "light") -> list[Path]:
    app = application()
    app.setPalette(dark_palette() if palette == "dark" else app.style().standardPalette())
    apply_style(app)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        settings = QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat)
        opened = open_window(resolve_location(tmp / "archive"), settings)
        if opened is None:
            raise SystemExit("could not open the temporary archive")
        window = opened.window
        window.move(0, 0)
        window.resize(*WINDOW_SIZE)
        window.show()
        wait(800)
        shooter = Shooter(window, out)
        try:
            walk(window, shooter, tmp)
        finally:
            window.close()
            opened.close()
    app.processEvents()
    return shooter.written


def walk(window: MainWindow, shooter: Shooter, tmp: Path) -> None:
    results, archive = window.results, window.archive
    shooter.shot("first-launch")
    window.load_samples()
    wait_until(lambda: results.model.rowCount() == 5)
    wait(800)
    titles = [results.model.index(row, 0).data() for row in range(5)]
    bamako = next(i for i, t in enumerate(titles) if "Bamako" in t)
    results.table.selectRow(bamako)
    wait(1200)
    shooter.shot("library")

    results.set_query("Yevkurov")
    wait_until(lambda: bool(results.facet_chips()))
    results.table.selectRow(0)
    wait(800)
    shooter.shot("search")
    results.facet_bar.add(Facet("region", "Mali"))
    wait(800)
    shooter.shot("search-facet")
    results.set_query('"Bamako')
    wait(800)
    shooter.shot("query-cannot-be-read")
    results.set_query("")
    wait(800)

    results.select_ids(results.model.known_ids()[:2])
    window.clipping_commands.link_selected()
    wait(500)
    shooter.shot("link-dialog")
    if window.dialog is not None:
        window.dialog.close()

    drop = tmp / "drop"
    drop.mkdir()
    for name, text in DROPPED.items():
        (drop / name).write_text(text, encoding="utf-8")
    window.import_items([str(drop)])
    wait_until(lambda: window.importer.active is None, 60)
    first = archive.list_ids()[-1]
    batch = window.importer.start([])
    copy = archive.get(first)
    window.importer._on_outcome(
        batch,
        ImportOutcome(
            label="wire/sahel-juntas-alliance.txt",
            ok=True,
            draft=ClippingDraft(title=f"{copy.title} (wire copy)", body=copy.body + " (AFP)"),
            duplicate_of=first,
            similarity=0.94,
        ),
    )
    window.importer._on_reading_finished(batch)
    wait(800)
    # Taller than it opens, so that the picture shows every kind of card.
    window.resizeDocks([window.review_dock], [420], Qt.Orientation.Vertical)
    wait(1200)
    shooter.shot("import-review")
    window.review_dock.hide()

    dossier = archive.dossier("Russia in the Sahel")
    window.sidebar.select(NodeKey("dossier", dossier.id))
    wait(800)
    results.table.selectRow(0)
    wait(800)
    shooter.shot("dossier")

    topic = archive.find_tag("topic", "Security")
    if topic is not None:
        key = NodeKey("topic", topic.id)
        index = window.sidebar.sidebar_model.index_of(key)
        window.sidebar.scrollTo(index)
        window.sidebar.customContextMenuRequested.emit(window.sidebar.visualRect(index).center())
        wait(400)
        shooter.shot("sidebar-menu")
        menu = window.sidebar_commands.menu
        if isinstance(menu, QMenu):
            menu.hide()
        window.sidebar_commands.edit_rule(topic.id)
        wait(500)
        shooter.shot("match-rule")
        if window.dialog is not None:
            window.dialog.close()

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(drop / "niamey.txt"))])
    viewport = window.results.table.viewport()
    enter = QDragEnterEvent(
        viewport.rect().center(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(viewport, enter)
    shooter.shot("drag-to-import")
    window.drop_overlay.hide()

    window.results.table.clearSelection()
    window.export_action.trigger()
    wait(600)
    shooter.shot("export-dialog")
    from clipper.ui.export_dialog import ExportDialog  # the export stack loads on demand

    dialogs = [d for d in window.findChildren(ExportDialog) if d.isVisible()]
    if dialogs:
        # Written for real, by the export's child process, into the temporary folder.
        dialogs[0].path.setText(str(tmp / "russia-in-the-sahel.pdf"))
        dialogs[0].export_button.click()
        wait_until(lambda: (tmp / "russia-in-the-sahel.pdf").exists())
        wait(600)
        shooter.shot("export-finished")
        for box in window.findChildren(QMessageBox):
            box.close()

    inbox_flow(window, shooter)

    window.resize(*SMALL_SIZE)
    wait(600)
    window.sidebar.select(NodeKey("library"))
    wait(600)
    results.table.selectRow(0)
    shooter.shot("small-window")


def inbox_flow(window: MainWindow, shooter: Shooter) -> None:
    """Two feeds polled (one is gone), the Inbox with a story that repeats a clipping, then
    the dialogs of monitoring."""
    archive, desk = window.archive, window.monitor_desk
    results = window.results
    results.set_query("Yevkurov")
    wait(600)
    desk.save_search()
    wait(500)
    dialog = window.dialog
    if isinstance(dialog, SaveSearchDialog):
        dialog.name_field.setText("Yevkurov tour")
        shooter.shot("save-search")
        dialog.save_button.click()
        wait(800)
    results.set_query("")
    sample = archive.get(archive.list_ids()[0])
    # The wire's version of a clipping the archive has: a sentence more, so nearly alike.
    copy = sample.body + "\n\nMore reactions are expected on Monday."
    with local_feeds((f"{sample.title}, the wire's version", copy)) as base:
        monitor = Monitor(archive)
        monitor.add_feed(
            f"{base}/wire.xml", "Sahel Wire", tags=[("topic", "Security")], check=False
        )
        monitor.add_feed(f"{base}/gone.xml", "Niamey Observer", check=False)
        desk.poller.poll_all()
        wait_until(lambda: not desk.poller.polling, 120)
        window.refresh_sidebar()
        wait(800)
        window.sidebar.select(INBOX)
        wait_until(lambda: desk.inbox.model.rowCount() > 0, 20)
        desk.inbox.table.selectRow(1)
        desk.inbox.table.setFocus()
        wait(1000)
        shooter.shot("inbox")
        desk.follow_feed()
        wait(500)
        shooter.shot("follow-feed")
        if window.dialog is not None:
            window.dialog.close()
    desk.write_digest()
    wait(500)
    shooter.shot("digest-dialog")
    if window.dialog is not None:
        window.dialog.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m clipper.ui.screenshots", description=__doc__)
    parser.add_argument("out", type=Path, help="folder for the PNG files")
    parser.add_argument("--palette", choices=("light", "dark", "both"), default="both")
    args = parser.parse_args(argv)
    palettes = ("light", "dark") if args.palette == "both" else (args.palette,)
    for palette in palettes:
        for path in take(args.out / palette, palette):
            print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
