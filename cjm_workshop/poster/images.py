"""The poster as a picture for slides: a PNG of its first page at a width a slide wants.

Made from the poster's PDF by poppler's `pdftocairo` (Debian's poppler-utils): the PDF is
already the final layout, so the picture shows exactly what prints, and pdftocairo scales
it to any width with cairo's antialiasing. (pypdfium2 renders as well, but needs Pillow
to write a PNG; pdftocairo writes it itself.) It runs as a process of its own, with a time
limit, so a worker only waits for it."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

WIDTHS = (1920, 3840)  # a full-HD slide, and a 4K one to zoom into
TIME_LIMIT = 30.0  # seconds


class ImageUnavailable(Exception):
    """The picture could not be made (no pdftocairo, too slow, or it failed)."""


def png(pdf: bytes, width: int) -> bytes:
    """The PDF's first page as a PNG `width` pixels wide (the height follows)."""
    if width not in WIDTHS:
        raise ValueError(width)
    with tempfile.TemporaryDirectory(prefix="cjm-image-") as folder:
        source, target = Path(folder, "poster.pdf"), Path(folder, "poster")
        source.write_bytes(pdf)
        command = ["pdftocairo", "-png", "-singlefile", "-f", "1", "-l", "1"]
        command += ["-scale-to-x", str(width), "-scale-to-y", "-1", str(source), str(target)]
        try:
            subprocess.run(command, check=True, capture_output=True, timeout=TIME_LIMIT)  # noqa: S603 - our arguments, no shell
        except (OSError, subprocess.SubprocessError) as error:
            raise ImageUnavailable(str(error)) from None
        return target.with_suffix(".png").read_bytes()
