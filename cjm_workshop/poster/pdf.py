"""HTML to PDF, in the process that renders (no app, no database here): WeasyPrint with a
URL fetcher that serves only the app's static files, and the A4 tiles.

`render.py` runs `render` in a process of its own (offload.in_process), forked from a server
process that has already imported WeasyPrint, so a render costs no import, can be stopped at
its time limit and gives its memory back when it ends.
"""

from __future__ import annotations

import io
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
)
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError

from cjm_workshop.poster import layout

DATA_URI_MAX = 64 * 1024  # a small inline image; anything larger is refused


class StaticOnlyFetcher(URLFetcher):
    """Serves files under the static folder and small data: URIs; refuses everything else
    (http, https, ftp, other files: note text can never make the renderer reach the
    network or the disk, even if it got past escaping). Keeps every URL it was asked."""

    def __init__(self, static_folder: str | Path) -> None:
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False, timeout=1)
        self.root = Path(static_folder).resolve()
        self.asked: list[str] = []

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        self.asked.append(url)
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data" and len(url) <= DATA_URI_MAX:
            return super().fetch(url, headers)
        if scheme == "file":
            path = Path(unquote(urlsplit(url).path)).resolve()
            if path.is_relative_to(self.root) and path.is_file():
                kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})
        raise URLFetchingError(f"the poster fetches only the app's static files: {url[:100]}")

    def allows(self, url: str) -> bool:
        try:
            self.fetch(url).close()
        except URLFetchingError:
            return False
        return True


def render(html: str, static_folder: str, overlay: str | None = None) -> tuple[bytes, list[str]]:
    """The PDF of `html` and the URLs the renderer asked for; with an `overlay` (the A4
    sheets' margins and marks), the poster cut into those sheets."""
    fetcher = StaticOnlyFetcher(static_folder)
    base_url = Path(static_folder).resolve().as_uri() + "/"
    poster = HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf()
    if overlay is not None:
        sheets = HTML(string=overlay, base_url=base_url, url_fetcher=fetcher).write_pdf()
        poster = cut(poster, sheets, layout.tiles(layout.FORMATS["A4"]))
    return poster, fetcher.asked


def cut(poster_pdf: bytes, sheets_pdf: bytes, tiles: list[layout.Tile]) -> bytes:
    """Each sheet of `sheets_pdf` with its part of the poster under its marks: the first
    len(tiles) sheets show the poster's first page (the first persona), the next ones its
    second page, and so on.

    Each page is stored once, as a form XObject, and each sheet draws it moved to its
    window and clipped there: vector, and the file stays about the poster's size."""
    poster = PdfReader(io.BytesIO(poster_pdf))
    pages = poster.pages
    writer = PdfWriter(clone_from=io.BytesIO(sheets_pdf))
    if poster.metadata:  # the poster's title, not the sheets' marks'
        writer.add_metadata(dict(poster.metadata))
    if len(writer.pages) != len(pages) * len(tiles):
        raise ValueError(f"{len(writer.pages)} sheets for {len(pages)} pages of {len(tiles)}")
    margin = layout.mm_to_pt(layout.SHEET_MARGIN)
    drawings = [_as_form(writer, page) for page in pages]
    for index, sheet in enumerate(writer.pages):
        page, tile = pages[index // len(tiles)], tiles[index % len(tiles)]
        # The window's bottom-left corner, in the poster's PDF space (origin bottom-left).
        left = layout.mm_to_pt(tile.x)
        bottom = float(page.mediabox.height) - layout.mm_to_pt(tile.y + tile.height)
        width, height = layout.mm_to_pt(tile.width), layout.mm_to_pt(tile.height)
        resources = sheet.setdefault(NameObject("/Resources"), DictionaryObject())
        xobjects = resources.setdefault(NameObject("/XObject"), DictionaryObject())
        # A name per page: the sheets may share one resources dictionary.
        name = f"/Poster{index // len(tiles)}"
        xobjects[NameObject(name)] = drawings[index // len(tiles)]
        place = (
            f"q {margin:.3f} {margin:.3f} {width:.3f} {height:.3f} re W n "
            f"1 0 0 1 {margin - left:.3f} {margin - bottom:.3f} cm {name} Do Q\n"
        )
        own = sheet.get_contents()  # the sheet's marks (a stream: never test it for truth)
        marks = own.get_data() if own is not None else b""
        contents = DecodedStreamObject()
        contents.set_data(place.encode() + marks)
        sheet[NameObject("/Contents")] = writer._add_object(contents)  # noqa: SLF001
    writer.compress_identical_objects()
    for sheet in writer.pages:
        sheet.compress_content_streams()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _as_form(writer: PdfWriter, page) -> object:
    """A poster page as a form XObject of `writer`, to be drawn on several sheets."""
    form = DecodedStreamObject()
    form.set_data(page.get_contents().get_data())
    form.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject(FloatObject(v) for v in page.mediabox),
            NameObject("/Resources"): page["/Resources"].clone(writer),
        }
    )
    return writer._add_object(form.flate_encode())  # noqa: SLF001 - pypdf's shared objects
