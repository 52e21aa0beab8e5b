"""The poster PDF: its page sizes, what it says, one page per persona, the A4 tiles, and
that note text can neither mark it up nor make the renderer fetch anything."""

from __future__ import annotations

import io
import re
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from pypdf import PdfReader

from cjm_workshop.extensions import db
from cjm_workshop.models import Note, Workshop
from cjm_workshop.poster import layout, render
from tests.poster.conftest import MAP_URL, give_dots, make_poster, page_sizes, pdf_text

A_SIZES_PT = {  # ISO 216 landscape, in points (1 pt = 1/72 inch)
    "A0": (3370.4, 2383.9),
    "A1": (2383.9, 1683.8),
    "A2": (1683.8, 1190.6),
    "A3": (1190.6, 841.9),
}
A4_PORTRAIT_PT = (595.3, 841.9)


@pytest.mark.parametrize("size", sorted(A_SIZES_PT))
def test_every_format_has_its_page_size(app, room, size):
    pdf = make_poster(app, room.workshop.id, size).pdf
    assert pdf.startswith(b"%PDF-")
    assert page_sizes(pdf) == [A_SIZES_PT[size]]


def test_the_poster_says_title_stages_pain_points_with_dots_and_owners(app, room):
    text = pdf_text(make_poster(app, room.workshop.id).pdf)
    flat = " ".join(text.split())
    assert "Booking a dentist online" in flat
    for stage in room.stages:
        assert stage in flat
    for pain, dots in room.pain_points.items():
        # On the map its card shows the rank and the dots (pdftotext reads the badge line,
        # set in its own font size, after the text); the footer lists the top ones.
        assert re.search(rf"{re.escape(pain)} #\d ● {dots}\b", flat), pain
    assert "#1 ● 3 No free slots shown" in flat  # and in the footer's top list
    for owner in room.owners:
        assert owner in flat
    for touchpoint in room.touchpoints:
        assert touchpoint in flat
    assert "Show free slots online" in flat
    assert "Emotion curve" in flat
    assert "dots the room gave in dot voting" in flat


def test_the_curve_is_vector_and_text_is_text(app, room):
    pdf = make_poster(app, room.workshop.id).pdf
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert not [name for name in page.images], "nothing on the poster is a raster image"
    assert "Booking a dentist online" in page.extract_text()


def test_a_later_version_says_which(app, make, room):
    with app.app_context():
        from cjm_workshop.models import Facilitator
        from cjm_workshop.services import versions

        original = db.session.get(Workshop, room.workshop.id)
        owner = db.session.get(Facilitator, original.facilitator_id)
        second = versions.clone(db.session, original, owner, with_notes=True)
        db.session.commit()
        second_id = second.id
    first = " ".join(pdf_text(make_poster(app, room.workshop.id).pdf).split())
    later = " ".join(pdf_text(make_poster(app, second_id).pdf).split())
    assert "VERSION" not in first
    assert "CUSTOMER JOURNEY MAP · VERSION 2 ·" in later
    assert "No free slots shown" in later  # the notes came along


def test_a_dutch_workshop_prints_in_dutch(app, make):
    workshop = make.workshop(language="nl", title="Tandarts online boeken")
    make.note(workshop, text="Geen vrije tijden zichtbaar", kind="pain_point")
    flat = " ".join(pdf_text(make_poster(app, workshop.id).pdf).split())
    assert "Bewustwording" in flat and "Pijnpunten" in flat and "Legenda" in flat
    assert "Legend " not in flat
    # No round revealed: the legend does not explain dots the poster does not show.
    assert "Nog geen stippen op pijnpunten" in flat and "stippen stemmen" not in flat


def test_one_page_per_persona_with_its_own_notes(app, make):
    workshop = make.workshop(personas=2)
    fatima, second = workshop.persona_ids
    make.note(workshop, text="Only Fatima sees this", kind="pain_point", persona=fatima)
    make.note(workshop, text="Only the second persona", kind="pain_point", persona=second)
    make.note(workshop, text="Everyone meets this", kind="pain_point")
    pdf = make_poster(app, workshop.id).pdf
    assert page_sizes(pdf) == [A_SIZES_PT["A1"]] * 2
    first, other = (" ".join(pdf_text(pdf, n).split()) for n in (1, 2))
    assert "Fatima" in first and "persona · 1 of 2" in first.lower()
    assert "Only Fatima sees this" in first and "Only the second persona" not in first
    assert "Persona 2" in other and "Only the second persona" in other
    assert "Only Fatima sees this" not in other
    assert "Everyone meets this" in first and "Everyone meets this" in other


def test_the_a4_set_has_every_personas_sheets(app, make):
    workshop = make.workshop(personas=2)
    fatima, second = workshop.persona_ids
    make.note(workshop, text="Only Fatima sees this", kind="pain_point", persona=fatima)
    make.note(workshop, text="Only the second persona", kind="pain_point", persona=second)
    pdf = make_poster(app, workshop.id, "A4").pdf
    assert page_sizes(pdf) == [A4_PORTRAIT_PT] * 16
    sheets = [" ".join(pdf_text(pdf, n).split()) for n in range(1, 17)]
    assert "Fatima — Sheet 3 of 8" in sheets[2] and "Persona 2 — Sheet 3 of 8" in sheets[10]
    fatimas, seconds = " ".join(sheets[:8]), " ".join(sheets[8:])
    assert "Only Fatima sees this" in fatimas and "Only Fatima sees this" not in seconds
    assert "Only the second persona" in seconds and "Only the second persona" not in fatimas
    title = PdfReader(io.BytesIO(pdf)).metadata.title  # the poster's, as on one sheet
    assert title == PdfReader(io.BytesIO(make_poster(app, workshop.id).pdf)).metadata.title
    assert title.startswith("Booking a dentist appointment")


def test_the_a4_set_is_eight_sheets_that_cover_the_whole_poster(app, room):
    poster = layout.FORMATS["A4"]
    sheets = layout.tiles(poster)
    pdf = make_poster(app, room.workshop.id, "A4").pdf
    assert page_sizes(pdf) == [A4_PORTRAIT_PT] * len(sheets) == [A4_PORTRAIT_PT] * 8
    # Every point of the poster lies in some sheet's printable window ...
    for x in [poster.width * i / 40 for i in range(41)]:
        for y in [poster.height * j / 40 for j in range(41)]:
            assert any(t.x <= x <= t.x + t.width and t.y <= y <= t.y + t.height for t in sheets), (
                x,
                y,
            )
    # ... and neighbours share a strip to glue over.
    for a in sheets:
        for b in sheets:
            if b.row == a.row and b.column == a.column + 1:
                assert a.x + a.width - b.x == pytest.approx(layout.OVERLAP)
            if b.column == a.column and b.row == a.row + 1:
                assert a.y + a.height - b.y == pytest.approx(layout.OVERLAP)
    # The poster is stored once and each sheet draws it: the set weighs about one poster.
    assert len(pdf) < 2 * len(make_poster(app, room.workshop.id, "A1").pdf) + 60_000
    labels = " ".join(pdf_text(pdf).split())
    assert "Sheet 1 of 8 · row 1, column 1" in labels
    assert "Sheet 8 of 8 · row 2, column 4" in labels


def test_a_poster_is_rendered_once_per_content(app, make, room, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "POSTER_CACHE_DIR", str(tmp_path))
    first = make_poster(app, room.workshop.id)
    again = make_poster(app, room.workshop.id)
    assert (first.cached, again.cached) == (False, True)
    assert again.pdf == first.pdf
    make.note(room.workshop, text="A new insight after printing", kind="insight")
    changed = make_poster(app, room.workshop.id)
    assert not changed.cached
    assert "A new insight after printing" in " ".join(pdf_text(changed.pdf).split())
    assert len(list(tmp_path.glob("*.pdf"))) == 2


def test_a_render_past_its_time_limit_is_stopped(app, room, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "POSTER_CACHE_DIR", str(tmp_path))
    monkeypatch.setitem(app.config, "POSTER_TIME_LIMIT", 0.01)
    with pytest.raises(render.PosterUnavailable, match="longer than"):
        make_poster(app, room.workshop.id)


# --- safety --------------------------------------------------------------------------

HOSTILE = [
    '<img src="http://127.0.0.1:{port}/img">',
    '<link rel="attachment" href="file:///etc/passwd">',
    "<style>@import url(http://127.0.0.1:{port}/css);</style>",
    '<p style="background:url(http://127.0.0.1:{port}/bg)">x</p>',
    "<b>bold</b> &amp; <script>alert(1)</script>",
]


class _Recorder(BaseHTTPRequestHandler):
    asked: list[str] = []

    def do_GET(self):  # noqa: N802 - the standard library's name
        type(self).asked.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, *args):
        pass


@pytest.fixture
def listener():
    """A local HTTP server that records every request (none may come)."""
    _Recorder.asked = []
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], _Recorder.asked
    server.shutdown()
    server.server_close()


def test_hostile_note_text_prints_literally_and_fetches_nothing(app, make, listener):
    port, asked = listener
    workshop = make.workshop(title=f'<img src="http://127.0.0.1:{port}/title">')
    texts = [text.format(port=port) for text in HOSTILE]
    for text in texts:
        make.note(workshop, text=text, kind="insight")
    make.note(workshop, text="<i>Website</i>", kind="touchpoint")
    poster = make_poster(app, workshop.id)
    assert asked == []
    # The renderer asked for nothing but the channel icons the template itself inlines.
    assert poster.asked and all(url.startswith("data:image/svg+xml;") for url in poster.asked)
    # Compared without the spaces and hyphens (U+2010) where the cards wrap their lines.
    flat = "".join(re.sub("\u2010\\s+", "", pdf_text(poster.pdf)).split())
    for text in ("<b>bold</b> &amp; <script>alert(1)</script>", "<i>Website</i>"):
        assert text.replace(" ", "") in flat
    assert '<linkrel="attachment"href="file:///etc/passwd">' in flat
    assert f'<imgsrc="http://127.0.0.1:{port}/title">' in flat
    reader = PdfReader(io.BytesIO(poster.pdf))
    assert "/EmbeddedFiles" not in str(reader.trailer["/Root"].get("/Names", {}))
    assert b"root:" not in poster.pdf


def test_the_fetcher_serves_static_files_only(app, listener, tmp_path):
    from cjm_workshop.poster import pdf

    port, asked = listener
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0")
    html = f"""<html><head>
      <link rel="stylesheet" href="http://127.0.0.1:{port}/style.css">
      <link rel="attachment" href="{secret.as_uri()}">
      <style>p {{ background: url(https://127.0.0.1:{port}/bg.png) }}</style>
      </head><body>
      <img src="http://127.0.0.1:{port}/img.png">
      <img src="{secret.as_uri()}">
      <img src="../cjm_workshop/config.py">
      <img src="data:image/svg+xml,{"%20" * (pdf.DATA_URI_MAX + 1)}">
      <img src="img/../../wsgi.py">
      <p>safe</p></body></html>"""
    with app.app_context():
        rendered, urls = pdf.render(html, app.static_folder)
    assert asked == []
    assert b"root:x" not in rendered
    fetcher = pdf.StaticOnlyFetcher(app.static_folder)
    assert len(urls) >= 6 and not any(fetcher.allows(url) for url in urls)
    static_file = next(p for p in __import__("pathlib").Path(app.static_folder).rglob("*.css"))
    assert fetcher.allows(static_file.as_uri())
    assert fetcher.allows("data:text/plain,hello")


def test_the_renderer_finds_fingerprinted_stylesheets_and_their_fonts(app):
    # Fingerprinted copies live beside their sources in static/, where the fetcher looks;
    # a stylesheet reaches its fonts by their plain, versioned names.
    import json
    from pathlib import Path

    from cjm_workshop.poster import pdf

    manifest = json.loads(Path(app.static_folder, "cache_manifest.json").read_text())
    stylesheet = manifest["css/board.css"]
    assert stylesheet != "css/board.css"
    html = f"""<html><head><link rel="stylesheet" href="{stylesheet}"></head>
      <body><p style="font-family: 'Atkinson Hyperlegible'">Poster</p></body></html>"""
    rendered, urls = pdf.render(html, app.static_folder)
    assert any(url.endswith(stylesheet) for url in urls)
    assert any(url.endswith("-normal.woff2") for url in urls), urls
    fonts = {
        str(font["/BaseFont"])
        for font in PdfReader(io.BytesIO(rendered)).pages[0]["/Resources"]["/Font"].values()
    }
    assert any("Atkinson" in name for name in fonts), fonts


def test_the_template_gets_plain_data_only(app, room):
    from cjm_workshop.poster import content

    with app.app_context():
        workshop = db.session.get(Workshop, room.workshop.id)
        sheets = content.sheets_of(db.session, workshop, MAP_URL)
    models = (db.Model,)

    def walk(value, path="sheet"):
        assert not isinstance(value, models), path
        if hasattr(value, "__dataclass_fields__"):
            for name in value.__dataclass_fields__:
                walk(getattr(value, name), f"{path}.{name}")
        elif isinstance(value, list | tuple):
            for index, item in enumerate(value):
                walk(item, f"{path}[{index}]")

    for sheet in sheets:
        walk(sheet)


def _boxes(box):
    yield box
    for child in getattr(box, "children", None) or []:
        yield from _boxes(child)


@pytest.mark.parametrize("language", ["en", "nl"])
def test_no_text_runs_out_of_its_card_or_off_the_page(app, make, language):
    """Laid out by WeasyPrint itself: every piece of text of every card of a crowded
    poster lies inside its card, and every card inside the page; in Dutch, long words
    hyphenate where the layout model expects."""
    from tests.poster.conftest import crowded

    workshop_id = crowded(app, make, 300, language=language)
    with app.app_context():
        workshop = db.session.get(Workshop, workshop_id)
        html = render.poster_html(db.session, workshop, layout.FORMATS["A1"], MAP_URL)
    cards = laid_out_cards(html)
    assert len(cards) >= 250  # nearly every note has its card, the rest are counted


def laid_out_cards(html: str) -> list:
    """The poster's cards as WeasyPrint lays them out, each checked: inside the page, and
    every piece of its text inside it."""
    from weasyprint import HTML
    from weasyprint.formatting_structure.boxes import BlockBox

    page = HTML(string=html).render().pages[0]
    width, height = page.width, page.height
    cards = [
        box
        for box in _boxes(page._page_box)
        if isinstance(box, BlockBox) and "card" in (box.element.get("class") or "").split()
    ]
    slack = 0.5  # points
    for card in cards:
        left, top = card.content_box_x(), card.content_box_y()
        right, bottom = left + card.width, top + card.height
        assert card.border_box_x() + card.border_width() <= width
        assert card.border_box_y() + card.border_height() <= height
        for text in _boxes(card):
            if type(text).__name__ != "TextBox" or not text.text.strip():
                continue
            assert text.position_x >= left - slack and text.position_y >= top - slack
            assert text.position_x + text.width <= right + slack, text.text
            assert text.position_y + text.height <= bottom + slack, text.text
    return cards


def test_long_notes_print_whole_where_the_sheet_has_room(app, make):
    """A sheet of few notes: cards whose text needs more lines grow into the room the
    lanes leave, rather than cut their text ("…") above an empty band."""
    workshop = make.workshop()
    stage = workshop.stage_ids[2]
    long = [
        "Riders abandon the rental at the unlock step because the app asks for a bank card "
        f"again, after they entered it when they signed up the week before ({n})"
        for n in range(3)
    ]
    for text in long:
        make.note(workshop, text=text, stage=stage)
    make.note(workshop, text="Poster at the station", kind="touchpoint", stage=stage)
    with app.app_context():
        room = db.session.get(Workshop, workshop.id)
        html = render.poster_html(db.session, room, layout.FORMATS["A1"], MAP_URL)
    cards = laid_out_cards(html)
    texts = {" ".join("".join(card.element.itertext()).split()) for card in cards}
    assert set(long) <= texts and layout.ELLIPSIS not in html

    def height_of(start: str) -> float:
        return next(card.height for card in cards if start in "".join(card.element.itertext()))

    assert height_of("Riders") > height_of("Poster at")  # only the cards that need it grow


def test_the_room_is_served_while_a_poster_renders(app, make, client, monkeypatch, tmp_path):
    """The render runs in a process of its own: the app's threads keep answering."""
    import threading

    from tests.poster.conftest import crowded

    monkeypatch.setitem(app.config, "POSTER_CACHE_DIR", str(tmp_path))
    workshop_id = crowded(app, make, 1000)
    done = []
    rendering = threading.Thread(target=lambda: done.append(make_poster(app, workshop_id)))
    rendering.start()
    answered = 0
    while not (tmp_path / "render-slot-0.lock").exists():  # the render has its slot
        assert rendering.is_alive()
    for _ in range(10):
        answered += client.get("/healthz").status_code == 200
    still_rendering = rendering.is_alive()
    rendering.join()
    assert answered == 10 and still_rendering
    assert done and done[0].pdf.startswith(b"%PDF-")


def test_notes_without_a_stage_get_a_labelled_column_not_a_number(app, make):
    workshop = make.workshop()
    make.note(workshop, text="Reads reviews first", stage=workshop.stage_ids[0])
    make.note(workshop, text="Asks a neighbour")  # an insight with no stage yet
    with app.app_context():
        room = db.session.get(Workshop, workshop.id)
        html = render.poster_html(db.session, room, layout.FORMATS["A1"], MAP_URL)
    heads = re.findall(r'<div class="stage( stage-none)?">(.*?)</div>', html)
    assert [bool(none) for none, _ in heads] == [False] * 5 + [True]
    assert "stage-number" in heads[0][1] and "stage-number" not in heads[-1][1]
    assert heads[-1][1].strip() == "No stage"


def test_a_note_in_the_rooms_other_language_is_hyphenated_in_its_own(app, make):
    """A rehearsal's English poster hyphenated a Dutch note by English rules: each card's
    text is marked up, and cut to lines, in its own language."""
    workshop = make.workshop(language="en")
    first = workshop.stage_ids[0]
    make.note(workshop, text="Verlengingsherinneringsmail komt in de spam", stage=first)
    make.note(workshop, text="Renewal reminder lands in the spam folder", stage=first)
    with app.app_context():
        room = db.session.get(Workshop, workshop.id)
        html = render.poster_html(db.session, room, layout.FORMATS["A1"], MAP_URL)
    assert re.search(r'<span lang="nl">Verlengings', html)
    assert not re.search(r'lang="\w+">Renewal reminder', html)  # the workshop's language
    assert (
        layout.wrap("Verlengingsherinneringsmail", 12, "nl")[0]
        != layout.wrap("Verlengingsherinneringsmail", 12, "en")[0]
    )  # where the two languages' rules differ


def test_an_action_without_a_stage_is_listed_without_a_column_of_its_own(app, make):
    """A rehearsal's one action without a stage took a "No stage" column, a fifth of the
    map, almost empty; it stands in the list of actions below the map anyway."""
    workshop = make.workshop()
    make.note(workshop, text="Reads reviews first", stage=workshop.stage_ids[0])
    make.action(workshop, "Call every new member back", owner="Joost")
    with app.app_context():
        room = db.session.get(Workshop, workshop.id)
        html = render.poster_html(db.session, room, layout.FORMATS["A1"], MAP_URL)
    heads = re.findall(r'<div class="stage( stage-none)?">(.*?)</div>', html)
    assert [bool(none) for none, _ in heads] == [False] * 5
    assert html.count("Call every new member back") == 1  # in the list of actions


def test_the_persona_box_says_goals_and_frustrations(app, make):
    from cjm_workshop.models import Persona

    workshop = make.workshop()
    with app.app_context():
        persona = db.session.get(Persona, workshop.persona_ids[0])
        persona.goals = "A check-up for both children in one visit"
        persona.frustrations = "Waiting on hold during the lunch break"
        db.session.commit()
    flat = " ".join(pdf_text(make_poster(app, workshop.id).pdf).split())
    assert "Busy parent" in flat
    assert "Goals: A check-up for both children in one visit" in flat
    assert "Frustrations: Waiting on hold during the lunch break" in flat


def test_emoji_in_a_note_print_as_emoji(app, make):
    workshop = make.workshop()
    make.note(workshop, text="Comes by bike 🚲", kind="touchpoint")
    pdf = make_poster(app, workshop.id).pdf
    fonts = {
        str(font["/BaseFont"])
        for page in PdfReader(io.BytesIO(pdf)).pages
        for font in page["/Resources"]["/Font"].values()
        if "/BaseFont" in font.get_object()
    }
    assert any("Emoji" in name for name in fonts), fonts  # not an empty box in DejaVu


def word_tops(pdf: bytes, folder) -> dict[str, float]:
    """Where each word's top is on the poster's first page (the last of a word repeated)."""
    import subprocess

    target = folder / "poster.pdf"
    target.write_bytes(pdf)
    boxes = subprocess.run(
        ["pdftotext", "-l", "1", "-bbox", str(target), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = re.findall(r'<word xMin="[\d.]+" yMin="([\d.]+)"[^>]*>(\w+)</word>', boxes)
    return {word: float(y) for y, word in found}


@pytest.mark.parametrize("size", ["A0", "A1", "A2", "A3"])
def test_the_footer_and_every_stage_stand_on_one_line_on_every_size(app, make, size, tmp_path):
    workshop = make.workshop()  # five stages, every note in one: no sixth column
    make.note(workshop, text="On hold", kind="pain_point", stage=workshop.stage_ids[4])
    tops = word_tops(make_poster(app, workshop.id, size).pdf, tmp_path)
    # The fifth stage beside the first, not wrapped out of sight (their columns and the lane
    # names add up to the row's width); the legend beside the top pain points.
    assert tops["Advocacy"] == pytest.approx(tops["Awareness"], abs=1.0)
    assert tops["Legend"] == pytest.approx(tops["Top"], abs=1.0)


def test_an_owner_takes_the_room_of_next_steps_and_due_dates_nobody_gave(app, make):
    """A rehearsal's poster cut the owners ("Bram — klantcontactcentrum…") beside empty
    next-step and due-date columns: the owner is what an organizer looks for."""
    owner = "Fatima El Amrani (team klantcontact, gemeente)"
    workshop = make.workshop(title="Een huurwoning vinden")
    make.action(workshop, "Uitleg over urgentie op de website", owner=owner)
    flat = " ".join(pdf_text(make_poster(app, workshop.id).pdf).split())
    assert owner in flat
    make.action(workshop, "Bel terug binnen een dag", owner="Sanne", next_step="Offerte vragen")
    flat = " ".join(pdf_text(make_poster(app, workshop.id).pdf).split())
    assert owner not in flat and "Fatima El Amrani" in flat  # next steps need their room
    assert "Offerte vragen" in flat


def test_the_top_pain_points_keep_a_tie_at_the_fifth_place(app, make):
    """A rehearsal's poster tagged three cards #4 on the map and listed two of them below."""
    workshop = make.workshop(title="Een bibliotheekpas verlengen")
    for name in ("Anna", "Bob", "Chris", "Dee", "Eva", "Frank"):
        make.participant(workshop, name)
    dots = {"Pijn een": 6, "Pijn twee": 5, "Pijn drie": 4, "Pijn vier": 3}
    dots |= {"Pijn vijf": 1, "Pijn zes": 1, "Pijn zeven": 1, "Pijn acht": 0}
    ids = {text: make.note(workshop, None, text, kind="pain_point") for text in dots}
    give_dots(app, workshop, {ids[text]: count for text, count in dots.items() if count})
    flat = " ".join(pdf_text(make_poster(app, workshop.id).pdf).split())
    for text in ("Pijn vijf", "Pijn zes", "Pijn zeven"):
        assert f"#5 ● 1 {text}" in flat  # the footer's line: rank, dots, text
    assert "● 0 Pijn acht" not in flat


def test_tied_pain_points_are_listed_in_the_boards_order(app, make):
    """A rehearsal's board listed four pain points tied at 2 dots in the map's order, and
    the poster in another: an organizer comparing a photo of the board saw another #2.
    Here the tie's first note on the map was written last."""
    workshop = make.workshop()
    make.participant(workshop, "Anna")
    first, last = workshop.stage_ids[0], workshop.stage_ids[-1]
    late = make.note(
        workshop, None, "Written first, in the last stage", kind="pain_point", stage=last
    )
    early = make.note(
        workshop, None, "Written last, in the first stage", kind="pain_point", stage=first
    )
    give_dots(app, workshop, {late: 1, early: 1})
    flat = " ".join(pdf_text(make_poster(app, workshop.id).pdf).split())
    listed = flat.split("Top pain points")[1]
    assert listed.index("#1 ● 1 Written last") < listed.index("#1 ● 1 Written first")


def test_a_stage_whose_touchpoints_wrap_numbers_its_cards_and_their_points(app, make, room):
    """A rehearsal's stage of four touchpoints in three card columns: the curve spread its
    points over the stage, so the positive peak of the fourth card stood under the second,
    and nothing on the poster said which point was which."""
    from cjm_workshop.models import Participant, Step
    from cjm_workshop.poster.content import sheets_of
    from cjm_workshop.services import emotions, steps

    workshop = room.workshop
    first = workshop.stage_ids[0]
    extra = [
        make.note(
            workshop,
            None,
            f"Touchpoint number {n} in the first stage",
            kind="touchpoint",
            stage=first,
        )
        for n in range(7)
    ]
    with app.app_context():
        room_ = db.session.get(Workshop, workshop.id)
        person = db.session.query(Participant).filter_by(workshop_id=workshop.id).first()
        steps.go_to_step(db.session, room_, Step.EMOTIONS)
        steps.set_contributions(db.session, room_, Step.EMOTIONS, True)
        for note_id in extra:
            emotions.rate(db.session, room_, person, db.session.get(Note, note_id), 4)
        db.session.commit()
        sheet = sheets_of(db.session, room_, MAP_URL)[0]
        lane = next(lane for lane in sheet.lanes if lane.kind == "touchpoint")
        numbered = [card.marker for card in lane.cells[0] if not card.more]
        assert numbered == list(range(1, len(numbered) + 1)) and len(numbered) > sheet.fit.per_row
        assert all(card.marker is None for card in lane.cells[1])  # one touchpoint: under it
        assert [number for _x, _y, number in sheet.curve.markers] == numbered
    text = pdf_text(make_poster(app, workshop.id).pdf).replace("\n", " ")
    assert f"{numbered[-1]} Website" in text  # the card's number before its channel
