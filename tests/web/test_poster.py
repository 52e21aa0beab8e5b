"""The poster page: a size choice, the HTML preview in a frame, the PDF download; for the
facilitator and everyone the workshop is shared with."""

from __future__ import annotations

import io
import struct

import pytest
from pypdf import PdfReader

from cjm_workshop.poster import render
from tests.poster.conftest import svg_texts


@pytest.fixture
def workshop(make, me):
    workshop = make.workshop(me, title="Tandarts <b>online</b> boeken")
    make.note(
        workshop, text='<img src="http://evil.example/x.png"> Geen vrije tijden', kind="pain_point"
    )
    return workshop


def assert_download(response, mimetype: str, name: str) -> None:
    """A file to save: found, of this type, under this name."""
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert response.headers["Content-Disposition"] == f'attachment; filename="{name}"'


def test_the_poster_page_offers_sizes_a_preview_and_a_download(client, workshop):
    page = client.get(f"/workshops/{workshop.id}/poster")
    assert page.status_code == 200
    for size in ("A0", "A1", "A2", "A3", "A4"):
        assert f'value="{size}"' in page.text
    assert '<input checked id="size-1" name="size" type="radio" value="A1">' in page.text
    assert f'src="/workshops/{workshop.id}/poster/preview?size=A1"' in page.text
    assert f'formaction="/workshops/{workshop.id}/poster.pdf"' in page.text
    chosen = client.get(f"/workshops/{workshop.id}/poster?size=A3")
    assert '<input checked id="size-3" name="size" type="radio" value="A3">' in chosen.text
    results = client.get(f"/workshops/{workshop.id}/results")
    assert f'href="/workshops/{workshop.id}/poster"' in results.text


def test_the_preview_is_the_poster_with_user_text_escaped(client, workshop):
    preview = client.get(f"/workshops/{workshop.id}/poster/preview?size=A2")
    assert preview.status_code == 200
    assert preview.mimetype == "text/html"
    assert "Tandarts &lt;b&gt;online&lt;/b&gt; boeken" in preview.text
    assert "&lt;img src=&#34;http://evil.example/x.png&#34;&gt; Geen vrije tijden" in preview.text
    assert "<img" not in preview.text
    assert "size: 594mm 420mm" in preview.text  # the A2 page, as the PDF has it
    assert preview.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in preview.headers["Content-Security-Policy"]
    assert "script-src" not in preview.headers["Content-Security-Policy"]  # default 'none'


def test_the_download_is_a_pdf_of_the_chosen_size(client, workshop):
    response = client.get(f"/workshops/{workshop.id}/poster.pdf?size=A3")
    assert_download(response, "application/pdf", f"{workshop.join_code.lower()}-poster-a3.pdf")
    page = PdfReader(io.BytesIO(response.data)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (1191, 842)


@pytest.mark.parametrize("width", [1920, 3840])
def test_the_map_as_a_picture_for_slides(client, workshop, width):
    response = client.get(f"/workshops/{workshop.id}/map.png?width={width}")
    assert_download(response, "image/png", f"{workshop.join_code.lower()}-map-{width}.png")
    assert response.data[:8] == b"\x89PNG\r\n\x1a\n"
    drawn_width, drawn_height = struct.unpack(">II", response.data[16:24])  # the IHDR chunk
    assert drawn_width == width
    assert abs(drawn_height - width * 594 / 841) <= 1  # an A1 page, landscape


def test_a_picture_of_another_width_is_refused(client, workshop):
    assert client.get(f"/workshops/{workshop.id}/map.png?width=99999").status_code == 400


def test_the_map_as_an_svg_keeps_its_texts(client, workshop):
    response = client.get(f"/workshops/{workshop.id}/map.svg")
    assert_download(response, "image/svg+xml", f"{workshop.join_code.lower()}-map.svg")
    box, text = svg_texts(response.data)
    assert abs(box[2] / box[3] - 841 / 594) < 0.01  # the poster's page, landscape
    assert "Tandarts <b>online</b> boeken" in text  # text, not paths; literally
    # (wrapped over lines: compared without spaces)
    assert '<imgsrc="http://evil.example/x.png">Geenvrijetijden' in "".join(text.split())
    assert b"<img" not in response.data  # the note's markup is text in the SVG, escaped
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]


@pytest.fixture
def rated(make, workshop):
    """The workshop with two personas, a rated touchpoint on the second persona's page."""
    from cjm_workshop.extensions import db
    from cjm_workshop.models import Workshop
    from cjm_workshop.services import workshops as service
    from cjm_workshop.services.workshops import PersonaFields

    with make.app.app_context():
        room = db.session.get(Workshop, workshop.id)
        persona = service.add_persona(db.session, room, PersonaFields(name="Ravi, student"))
        db.session.commit()
        persona_id, stage = persona.id, room.stages[1].id
    person = make.participant(workshop)
    touchpoint = make.note(
        workshop,
        person,
        "Opens the booking app",
        kind="touchpoint",
        stage=stage,
        persona=persona_id,
    )
    make.ratings(workshop, {(person.id, touchpoint): 2})
    return workshop


def test_the_curve_as_pictures_per_persona(client, rated):
    base = f"/workshops/{rated.id}"
    results = client.get(f"{base}/results").text
    for part in ("map", "curve"):
        for page in (1, 2):
            assert f'href="{base}/{part}.svg?page={page}"' in results
            assert f'href="{base}/{part}.png?width=3840&amp;page={page}"' in results
    response = client.get(f"{base}/curve.svg?page=2")
    assert_download(response, "image/svg+xml", f"{rated.join_code.lower()}-curve-2.svg")
    box, text = svg_texts(response.data)
    assert "Opens the booking app" in text and "Ravi" not in text  # the curve, no header
    assert box[2] / box[3] > 4  # a band: stages, touchpoints and the curve only
    png = client.get(f"{base}/curve.png?page=2&width=1920")
    assert struct.unpack(">I", png.data[16:20])[0] == 1920
    # The first persona's page has no rated touchpoint, so no curve; no third persona.
    assert client.get(f"{base}/curve.svg?page=1").status_code == 404
    assert client.get(f"{base}/map.svg?page=3").status_code == 404
    assert client.get(f"{base}/map.svg?page=2").status_code == 200


def test_no_curve_link_before_anyone_rated(client, workshop):
    results = client.get(f"/workshops/{workshop.id}/results").text
    assert f"/workshops/{workshop.id}/map.svg" in results
    assert "/curve.svg" not in results
    assert client.get(f"/workshops/{workshop.id}/curve.png").status_code == 404


@pytest.mark.parametrize(
    "language,message", [("en", "Not a valid choice"), ("nl", "Ongeldige keuze")]
)
@pytest.mark.parametrize(
    "url",
    [
        "/poster?size=B5",
        "/poster.pdf?size=B5",
        "/map.png?size=B5",
        "/poster/preview?size=%3Cx%3E",
    ],
)
def test_an_unknown_size_is_refused_with_a_message(client, workshop, language, message, url):
    response = client.get(f"/workshops/{workshop.id}{url}", headers={"Accept-Language": language})
    assert response.status_code == 400
    assert message in response.text
    assert 'class="error"' in response.text


def test_a_busy_renderer_says_so_and_asks_to_retry(client, workshop, monkeypatch):
    def busy(*args, **kwargs):
        raise render.PosterUnavailable("every render slot is busy")

    monkeypatch.setattr(render, "make_pdf", busy)
    response = client.get(f"/workshops/{workshop.id}/poster.pdf?size=A3")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert "Try again in a minute" in response.text
    # The same size stays chosen, to try again.
    assert '<input checked id="size-3" name="size" type="radio" value="A3">' in response.text


def test_an_organizer_prints_the_poster(client, auth, make, workshop):
    make.member(workshop, make.facilitator("org@example.org"), "organizer")
    auth.logout()
    auth.login("org@example.org")
    assert client.get(f"/workshops/{workshop.id}/poster").status_code == 200
    response = client.get(f"/workshops/{workshop.id}/poster.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
