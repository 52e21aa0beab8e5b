"""Dutch and English: from the browser, switchable on every page, complete catalogs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "cjm_workshop" / "translations"


def test_the_browser_language_is_used(client):
    assert "Join a workshop" in client.get("/", headers={"Accept-Language": "en-GB,en"}).text
    dutch = client.get("/", headers={"Accept-Language": "nl-NL,nl;q=0.9,en;q=0.5"})
    assert '<html lang="nl">' in dutch.text
    assert "Doe mee aan een workshop" in dutch.text or "Deelnemen aan een workshop" in dutch.text


def test_unknown_browser_languages_fall_back_to_english(client):
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "fr"}).text


def test_the_switcher_remembers_the_choice_and_returns(client):
    response = client.get("/lang/nl?next=/join")
    assert response.status_code == 303
    assert response.headers["Location"] == "/join"
    page = client.get("/join", headers={"Accept-Language": "en"})
    assert '<html lang="nl">' in page.text
    assert client.get("/lang/en?next=https://evil.example/").headers["Location"] == "/"
    assert '<html lang="en">' in client.get("/join").text


def test_every_page_but_the_board_has_the_switcher(client, make, auth):
    for url in ("/", "/join", "/login", "/signup"):
        assert 'class="lang-switch"' in client.get(url).text, url
    facilitator = make.facilitator("me@example.org")
    workshop = make.workshop(facilitator)
    participant = make.participant(workshop)
    client.set_cookie(f"cjm_p_{workshop.join_code}", participant.token)
    auth.login("me@example.org")
    for url in (
        "/j/XXXX",
        f"/w/{workshop.join_code}",
        "/workshops/",
        f"/workshops/{workshop.id}",
        "/nowhere",
    ):
        assert 'class="lang-switch"' in client.get(url).text, url
    # The projector speaks the workshop's language to the room: nothing to choose there.
    assert 'class="lang-switch"' not in client.get(f"/workshops/{workshop.id}/board").text


def test_the_board_speaks_the_workshops_language_whoever_opens_it(client, make, auth):
    facilitator = make.facilitator("me@example.org")
    dutch = make.workshop(facilitator, language="nl")
    make.note(dutch, text="Zoekt een tandarts")  # in the research step
    auth.login("me@example.org")
    client.set_cookie("cjm_lang", "en")  # the laptop's own choice: English
    page = client.get(f"/workshops/{dutch.id}/board", headers={"Accept-Language": "en"}).text
    assert '<html lang="nl">' in page
    assert "Onderzoek" in page and "Research" not in page
    assert '<p class="note-text" id="text-' in page and 'lang="nl">Zoekt een tandarts' in page
    # The laptop's console stays in its own language; the note keeps the room's.
    console = client.get(f"/workshops/{dutch.id}/console").text
    assert '<html lang="en">' in console and 'lang="nl">Zoekt een tandarts' in console


@pytest.mark.parametrize(
    ("accept", "cookie", "expected"),
    [
        ("en-GB,en;q=0.9,nl;q=0.5", None, "nl"),  # reads Dutch too: the room's language
        ("de-DE", None, "nl"),  # reads neither: the room's
        ("", None, "nl"),
        ("en-GB,en;q=0.9", None, "en"),  # reads only English of ours
        ("nl", "en", "en"),  # chose English on the switch
    ],
)
def test_a_phone_starts_in_the_workshops_language(client, make, accept, cookie, expected):
    workshop = make.workshop(language="nl")
    if cookie:
        client.set_cookie("cjm_lang", cookie)
    page = client.get(f"/j/{workshop.join_code}", headers={"Accept-Language": accept})
    assert f'<html lang="{expected}">' in page.text


def test_error_pages_speak_dutch(client):
    page = client.get("/nowhere", headers={"Accept-Language": "nl"})
    assert page.status_code == 404
    assert "Page not found" not in page.text
    assert '<html lang="nl">' in page.text


@pytest.mark.parametrize("language", ["nl", "en"])
def test_catalogs_are_complete(language):
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    with (TRANSLATIONS / "messages.pot").open("rb") as handle:
        template = read_po(handle)
    missing = [m.id for m in template if m.id and m.id not in catalog]
    assert missing == []
    untranslated = [
        m.id
        for m in catalog
        if m.id and (m.fuzzy or not (all(m.string) if m.pluralizable else m.string))
    ]
    assert untranslated == []
    assert list(catalog.check()) == []


def test_every_marked_string_is_in_the_template(tmp_path):
    """Extracting again finds nothing the committed template lacks."""
    fresh = tmp_path / "fresh.pot"
    subprocess.run(
        [
            str(Path(sys.executable).parent / "pybabel"),
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "--no-location",
            "-o",
            str(fresh),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with fresh.open("rb") as handle:
        extracted = {m.id for m in read_po(handle) if m.id}
    with (TRANSLATIONS / "messages.pot").open("rb") as handle:
        committed = {m.id for m in read_po(handle) if m.id}
    assert extracted - committed == set(), "run `make translations-update` and translate"
