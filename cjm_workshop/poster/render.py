"""Making a poster: its HTML from the template (the preview shows the same), and its PDF.

A PDF is rendered in a process of its own (offload.in_process) with a time limit, at most
POSTER_RENDERS at once across all the app's processes, and kept in POSTER_CACHE_DIR under
the hash of its HTML: printing the same poster twice renders once, and any change to the
workshop changes the HTML. The room never waits for a render: phones are served by other
threads while the render process works, and a render that takes too long is stopped.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale, format_date

from cjm_workshop.labels import CHANNEL_LABELS
from cjm_workshop.models import Workshop
from cjm_workshop.offload import Unfinished, in_process
from cjm_workshop.poster import content, images, layout
from cjm_workshop.poster.layout import Format
from cjm_workshop.services.room import DbSession

CACHE_KEEP = 40  # posters kept in the cache; the oldest go first
WAIT_FOR_SLOT = 15.0  # seconds a request waits for a free render slot
# Raised when the same HTML would render differently (a fix in pdf.py): older cached PDFs
# are then never served again.
RENDERING = 2


class PosterUnavailable(Exception):
    """The poster could not be made now (busy, too slow or failed); say so, try later."""


@dataclass(frozen=True)
class Poster:
    pdf: bytes
    asked: list[str]  # every URL the renderer asked for (none, for our template)
    cached: bool


def poster_html(
    session: DbSession, workshop: Workshop, poster_format: Format, map_url: str, preview=False
) -> str:
    """The poster as an HTML document: one page per persona, in the workshop's language."""
    return _document(
        workshop, content.sheets_of(session, workshop, map_url), poster_format, preview
    )


PARTS = ("map", "curve")  # what a picture shows: a whole poster page, or its emotion curve


def picture(
    session: DbSession,
    workshop: Workshop,
    map_url: str,
    part: str,
    page: int,
    kind: str,
    width: int,
) -> bytes:
    """A poster page (`page`: the persona's number, from 1) or its emotion curve as a
    picture for slides (images.KINDS, images.WIDTHS), rendered from the poster's template
    on a page of its own. LookupError if there is no such page or curve; PosterUnavailable
    or images.ImageUnavailable if it could not be made now."""
    if part not in PARTS:
        raise LookupError(part)
    sheets = content.sheets_of(session, workshop, map_url, curve_only=part == "curve")
    if not 1 <= page <= len(sheets) or (part == "curve" and sheets[page - 1].curve is None):
        raise LookupError(part, page)
    sheet = sheets[page - 1]
    # The design is the same at every size; a picture is drawn from A1.
    chosen = layout.FORMATS["A1"]
    made = make_pdf(workshop, _document(workshop, [sheet], chosen), chosen)
    return images.picture(made.pdf, kind, width)


def _document(
    workshop: Workshop, sheets: list[content.Sheet], poster_format: Format, preview=False
) -> str:
    with force_locale(workshop.language):
        return render_template(
            "poster/poster.html",
            sheets=sheets,
            format=poster_format,
            layout=layout,
            preview=preview,
            language=workshop.language,
            printed_on=format_date(date.today(), "long"),
            channel_labels={channel.value: str(label) for channel, label in CHANNEL_LABELS.items()},
            channel_icons=_channel_icons(),
        )


def _channel_icons() -> dict[str, str]:
    """Each channel's icon as a data: URI: the renderer reads an image once per address and
    places it as often as needed (an inline SVG per card cost a fifth of a 300-note render)."""
    macros: Any = current_app.jinja_env.get_template("_icon_shapes.html").module
    shapes = macros.channels
    return {
        name: "data:image/svg+xml;base64,"
        + base64.b64encode(_ICON_SVG.format(shape).encode()).decode()
        for name, shape in shapes.items()
    }


_ICON_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" stroke="#3d4652"'
    ' stroke-width="2" stroke-linecap="round" stroke-linejoin="round">{}</svg>'
)


def tiles_html(workshop: Workshop, poster_format: Format) -> str:
    """The A4 sheets' white margins, cut marks and labels, laid over the poster: a set of
    sheets for each persona's page."""
    with force_locale(workshop.language):
        return render_template(
            "poster/tiles.html",
            tiles=layout.tiles(poster_format),
            personas=[persona.name for persona in workshop.personas],
            layout=layout,
            title=workshop.title,
            language=workshop.language,
        )


def make_pdf(workshop: Workshop, html: str, poster_format: Format) -> Poster:
    overlay = tiles_html(workshop, poster_format) if poster_format.tiles else None
    config = current_app.config
    folder = Path(config["POSTER_CACHE_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    key = hashlib.sha256(f"{RENDERING}\0{html}\0{overlay or ''}".encode()).hexdigest()
    cached = folder / f"{key}.pdf"
    if cached.exists():
        os.utime(cached)
        return Poster(cached.read_bytes(), [], True)
    with _render_slot(folder, config["POSTER_RENDERS"]):
        if cached.exists():  # made while this request waited for its slot
            return Poster(cached.read_bytes(), [], True)
        pdf, asked = _render(html, overlay, config["POSTER_TIME_LIMIT"])
    partial = cached.with_suffix(f".{os.getpid()}.part")
    partial.write_bytes(pdf)
    partial.replace(cached)
    _prune(folder)
    return Poster(pdf, asked, False)


def _render(html: str, overlay: str | None, limit: float) -> tuple[bytes, list[str]]:
    try:
        return in_process(_pdf_of, html, current_app.static_folder, overlay, limit=limit)
    except Unfinished as unfinished:
        current_app.logger.error("poster rendering failed: %s", unfinished)
        raise PosterUnavailable(f"rendering failed: {unfinished}") from None


def _pdf_of(html: str, static_folder: str, overlay: str | None) -> tuple[bytes, list[str]]:
    """In the render process: the PDF and every URL the renderer asked for. WeasyPrint is
    imported here, not at the top: the app's workers never load it themselves (about 40 MB
    each); only offload's server process and the render processes forked from it do."""
    from cjm_workshop.poster import pdf

    return pdf.render(html, static_folder, overlay)


@contextmanager
def _render_slot(folder: Path, slots: int):
    """One of `slots` render slots, shared by every process of the app on this machine
    (a lock file each); waits up to WAIT_FOR_SLOT seconds for one to come free."""
    deadline = time.monotonic() + WAIT_FOR_SLOT
    while True:
        for number in range(slots):
            handle = open(folder / f"render-slot-{number}.lock", "a")  # noqa: SIM115
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                continue
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
                handle.close()
            return
        if time.monotonic() > deadline:
            raise PosterUnavailable("every render slot is busy")
        time.sleep(0.05)


def _prune(folder: Path) -> None:
    posters = sorted(folder.glob("*.pdf"), key=lambda path: path.stat().st_mtime, reverse=True)
    for old in posters[CACHE_KEEP:]:
        old.unlink(missing_ok=True)
