"""Static files under fingerprinted names, cached by browsers for a year.

`python -m cjm_workshop.assets` (`make static`; the test suite does it too) copies each file
in `static/` to `name-<md5>.ext` with brotli and gzip copies beside it and writes
`static/cache_manifest.json` (flask-static-digest and WhiteNoise's compressor; all of it is
generated, never committed). `url_for('static', filename=...)` answers the fingerprinted name,
and WhiteNoise serves those files ahead of the app: `immutable` for a year, precompressed,
without a session cookie or `Vary: Cookie`. A missing build degrades to plain names with a
minute's caching, never to a broken page.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

from flask import Flask
from whitenoise import WhiteNoise

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"
MANIFEST_NAME = "cache_manifest.json"
FINGERPRINTED = re.compile(r"-[0-9a-f]{32}\.[^/]*$")  # flask-static-digest's md5 names
YEAR = 365 * 24 * 3600


class StaticFiles(WhiteNoise):
    """WhiteNoise with a year (not its ten) for fingerprinted files: the HTTP cache's own
    "forever" (RFC 9111 suggests no more), and what the other fingerprinted sites send."""

    FOREVER = YEAR


def _immutable(path: str, url: str) -> bool:
    # Fingerprinted copies, and vendored files (their version is in their folder or name;
    # the fonts are reached from the stylesheets by their plain names).
    return bool(FINGERPRINTED.search(url)) or "/vendor/" in url


def _headers(headers, path: str, url: str) -> None:
    # What web/hooks.py sends with every page and that a file needs too.
    headers["X-Content-Type-Options"] = "nosniff"


def sources(folder: Path = STATIC) -> list[Path]:
    """The files we write (and vendor), not what a build made of them."""
    return sorted(
        path
        for path in folder.rglob("*")
        if path.is_file()
        and path.name != MANIFEST_NAME
        and path.suffix not in {".br", ".gz"}
        and not FINGERPRINTED.search(path.name)
    )


def is_stale(folder: Path = STATIC) -> bool:
    manifest = folder / MANIFEST_NAME
    if not manifest.exists():
        return True
    files = sources(folder)
    names = {path.relative_to(folder).as_posix() for path in files}
    built = manifest.stat().st_mtime
    return names != set(json.loads(manifest.read_text())) or any(
        path.stat().st_mtime > built for path in files
    )


def build(folder: Path = STATIC) -> None:
    """Fingerprint and precompress every static file, dropping an earlier build first."""
    from flask_static_digest import digester
    from whitenoise.compress import main as compress

    root = f"{folder}/"  # the digester joins paths by string
    with contextlib.redirect_stdout(io.StringIO()):  # it prints where the files went
        digester.clean(root, [], True, True)
        digester.compile(root, root, [], False, False)
        compress(["--quiet", str(folder)])


def build_if_stale(folder: Path = STATIC) -> bool:
    if not is_stale(folder):
        return False
    build(folder)
    return True


def serve(app: Flask) -> None:
    """Fingerprinted URLs from url_for, and WhiteNoise in front of the app for the files."""
    folder = Path(app.static_folder or STATIC)
    manifest_path = folder / MANIFEST_NAME
    manifest: dict[str, str] = {}
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
    else:
        app.logger.warning("static files are not fingerprinted: run `make static`")

    @app.url_defaults
    def _fingerprinted(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values:
            values["filename"] = manifest.get(values["filename"], values["filename"])

    app.wsgi_app = StaticFiles(  # type: ignore[method-assign]  # WSGI middleware, as documented
        app.wsgi_app,
        root=folder,
        prefix=app.static_url_path,
        immutable_file_test=_immutable,
        add_headers_function=_headers,
        allow_all_origins=False,  # our own pages only (no CDN)
    )


if __name__ == "__main__":
    print("static files fingerprinted" if build_if_stale() else "static files up to date")
