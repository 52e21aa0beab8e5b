"""The poster as a picture for slides: a PNG at a width a slide wants, or an SVG.

Made from a one-page PDF of the poster's own template (render.picture), so the picture
shows exactly what prints. Both tools run as processes of their own, with a time limit, so
a worker only waits for them:

- PNG: poppler's `pdftocairo` (Debian's poppler-utils) scales the page to any width with
  cairo's antialiasing and writes the PNG itself (pypdfium2 renders as well, but needs
  Pillow to write one).
- SVG: MuPDF's `mutool convert` (Debian's mupdf-tools) with `text=text`: every text stays a
  `<text>` with each letter's position, so it can be searched, read by a screen reader and
  edited in a slide. `pdftocairo -svg` draws every letter as a path instead.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

WIDTHS = (1920, 3840)  # a full-HD slide, and a 4K one to zoom into
MIMETYPES = {"png": "image/png", "svg": "image/svg+xml"}
KINDS = tuple(MIMETYPES)
TIME_LIMIT = 30.0  # seconds


class ImageUnavailable(Exception):
    """The picture could not be made (no such tool, too slow, or it failed)."""


def picture(pdf: bytes, kind: str, width: int = WIDTHS[0]) -> bytes:
    """The PDF's first page as a PNG `width` pixels wide (the height follows) or an SVG
    (vector: the width is the page's)."""
    if kind not in KINDS or width not in WIDTHS:
        raise ValueError((kind, width))
    with tempfile.TemporaryDirectory(prefix="cjm-image-") as folder:
        source = Path(folder, "poster.pdf")
        source.write_bytes(pdf)
        if kind == "png":
            command = ["pdftocairo", "-png", "-singlefile", "-f", "1", "-l", "1"]
            command += ["-scale-to-x", str(width), "-scale-to-y", "-1"]
            command += [str(source), str(Path(folder, "picture"))]
        else:  # mutool numbers what it writes: picture1.svg
            command = ["mutool", "convert", "-F", "svg", "-O", "text=text"]
            command += ["-o", str(Path(folder, "picture%d.svg")), str(source), "1"]
        try:
            subprocess.run(command, check=True, capture_output=True, timeout=TIME_LIMIT)  # noqa: S603 - our arguments, no shell
            return next(Path(folder).glob("picture*")).read_bytes()
        except (OSError, subprocess.SubprocessError, StopIteration) as error:
            raise ImageUnavailable(str(error) or "no picture was written") from None
