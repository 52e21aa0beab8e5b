"""Static files: fingerprinted URLs in every page, cached for a year as immutable, served
precompressed, without a session cookie or `Vary: Cookie`."""

from __future__ import annotations

import os
import re
from pathlib import Path

import brotli
import pytest
from flask import url_for

from cjm_workshop import assets

FINGERPRINTED_URL = re.compile(r"/static/[\w/.-]+-[0-9a-f]{32}\.\w+")


def static_url(app, filename: str) -> str:
    with app.test_request_context():
        return url_for("static", filename=filename)


def static_urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_every_template_names_static_files_through_url_for():
    templates = Path(assets.ROOT, "templates")
    for template in templates.rglob("*.html"):
        assert "/static/" not in template.read_text(), template


@pytest.mark.parametrize(
    "filename",
    ["css/app.css", "css/board.css", "js/live.js", "vendor/htmx-2.0.11.min.js"],
)
def test_a_fingerprinted_file_is_cached_for_a_year_without_cookies(app, filename):
    url = static_url(app, filename)
    assert FINGERPRINTED_URL.fullmatch(url), url
    response = app.test_client().get(url, headers={"Accept-Encoding": "br, gzip"}, buffered=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "max-age=31536000, public, immutable"
    assert response.headers["Content-Encoding"] == "br"
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.headers.get("Vary", "")
    assert "Access-Control-Allow-Origin" not in response.headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    source = Path(app.static_folder, filename).read_bytes()
    assert brotli.decompress(response.data) == source


def test_a_browser_without_brotli_gets_gzip_and_one_without_either_the_file(app):
    url = static_url(app, "css/app.css")
    client = app.test_client()
    assert client.get(url, headers={"Accept-Encoding": "gzip"}, buffered=True).headers[
        "Content-Encoding"
    ] == ("gzip")
    plain = client.get(url, headers={"Accept-Encoding": ""}, buffered=True)
    assert "Content-Encoding" not in plain.headers
    assert plain.data == Path(app.static_folder, "css/app.css").read_bytes()


def test_a_plain_name_is_cached_briefly(client):
    response = client.get("/static/css/app.css", buffered=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "max-age=60, public"
    assert "Set-Cookie" not in response.headers


def test_pages_link_fingerprinted_files_only(client, make, auth):
    facilitator = make.facilitator()
    workshop = make.workshop(facilitator)
    phone = client.get(f"/j/{workshop.join_code}").text
    assert "<style>" not in phone  # the phone's stylesheet is a cached file now
    auth.login(facilitator.email)
    pages = [phone] + [
        client.get(f"/workshops/{workshop.id}{page}").text for page in ("", "/console", "/board")
    ]
    urls = [url for page in pages for url in static_urls(page)]
    for name in ("css/app-", "css/reports-", "css/board-", "js/live-", "vendor/htmx-2.0.11"):
        assert any(f"/static/{name}" in url for url in urls), name
    assert all(FINGERPRINTED_URL.fullmatch(url) for url in urls), urls


def test_a_changed_file_is_fingerprinted_again_and_its_old_copy_dropped(tmp_path):
    stylesheet = tmp_path / "css" / "app.css"
    stylesheet.parent.mkdir()
    stylesheet.write_text("body { color: red }" * 20)
    assert assets.is_stale(tmp_path)
    assets.build(tmp_path)
    assert not assets.is_stale(tmp_path)
    first = sorted(path.name for path in stylesheet.parent.iterdir())
    assert [name for name in first if FINGERPRINTED_URL.search(f"/static/css/{name}")] != []
    assert "app.css.br" in first and "app.css.gz" in first

    stylesheet.write_text("body { color: blue }" * 20)
    os.utime(stylesheet, (2e9, 2e9))  # later than the build, whatever the clock's resolution
    assert assets.is_stale(tmp_path)
    assets.build(tmp_path)
    fingerprinted = [p.name for p in stylesheet.parent.glob("app-*.css")]
    assert len(fingerprinted) == 1 and fingerprinted[0] not in first


def test_an_answer_that_keeps_nothing_sets_no_cookie(client):
    # (A page may still read the session, for its language: that is `Vary: Cookie`.)
    assert "Set-Cookie" not in client.get("/healthz").headers


def test_a_session_that_was_written_lasts_a_workshop_day(make, auth):
    cookies = auth.login(make.facilitator().email).headers.getlist("Set-Cookie")
    session = next(cookie for cookie in cookies if cookie.startswith("session="))
    assert "Expires=" in session  # permanent: not lost when the browser closes
