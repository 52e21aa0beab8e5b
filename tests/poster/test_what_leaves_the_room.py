"""One model of what the room made: for random workshops (personas, notes of every kind
with and without a stage, merged and hidden notes, private steps, actions), every note the
room saw is in every output exactly once, in its stage and lane; nothing else is:

- the PDF of every size and the A4 set, once per persona page (read back with the
  positions of its words, `pdftotext -bbox`), never in the lane names' margin or off the
  page;
- the poster's preview, with the same cards in the same cells and order as the PDF;
- the Markdown summary's journey map, the CSV of actions, the results page's map.

Every note's text starts with a word of its own ("n07q"), which the poster keeps where it
shortens a long text; the rest is filler, long Dutch compounds included.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
from collections import Counter
from dataclasses import dataclass, field

import tinyhtml5
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cjm_workshop.extensions import db
from cjm_workshop.models import Note, Step, Workshop
from cjm_workshop.poster import layout
from cjm_workshop.services import journey_map, notes
from tests.poster.conftest import make_poster

KINDS = ["customer_action", "touchpoint", "insight", "pain_point", "opportunity"]
NO_STAGE_NEEDED = {"insight", "opportunity"}  # the others always have a stage
FATES = ["shown", "shown", "shown", "hidden", "merged"]
FILLER = ["de", "klant", "belt", "wachttijd", "afsprakenbevestigingsmail", "online", "app"]
LANE_WORDS = {  # the first word of each lane's name on an English poster
    "Customer": "customer_action",
    "Touchpoints": "touchpoint",
    "Research": "insight",
    "Pain": "pain_point",
    "Opportunities": "opportunity",
    "Actions": "action",
}
NONE = "none"  # the no-stage column
TOKEN = re.compile(r"\b[na]\d\dq\b")
XHTML = "{http://www.w3.org/1999/xhtml}"


@dataclass(frozen=True)
class Planned:
    kind: str
    stage: int | None  # index of the workshop's stage
    persona: int | None  # index of the workshop's persona
    fate: str  # shown, hidden, merged
    filler: tuple[str, ...]


@dataclass
class Drawn:
    personas: int
    notes: list[Planned]
    private: set[str]  # steps whose writing is private and not revealed
    actions: list[int | None]  # the note each action answers (index), if any
    tokens: list[str] = field(default_factory=list)

    def step_of(self, note: Planned) -> str:
        return notes.KIND_STEP[_kind(note.kind)].value

    def seen(self, index: int) -> bool:
        note = self.notes[index]
        return note.fate == "shown" and self.step_of(note) not in self.private

    def expected(self, page: int | None, *, poster: bool = False) -> dict[str, tuple[str, str]]:
        """What the room saw, on one persona's page (None: all of it): token -> (lane,
        column), the column a stage's index or NONE. `poster`: what its map shows, where an
        action without a stage has a place only beside notes without one (else it is in
        the list of actions only)."""

        def on_page(persona: int | None) -> bool:
            return page is None or persona is None or persona == page

        found = {
            f"n{index:02d}q": (note.kind, NONE if note.stage is None else str(note.stage))
            for index, note in enumerate(self.notes)
            if self.seen(index) and on_page(note.persona)
        }
        for number, source in enumerate(self.actions):
            answered = self.notes[source] if source is not None else None
            if answered is None or on_page(answered.persona):
                stage = answered.stage if answered is not None else None
                found[f"a{number:02d}q"] = ("action", NONE if stage is None else str(stage))
        if poster and all(place[1] != NONE for t, place in found.items() if t.startswith("n")):
            found = {t: place for t, place in found.items() if place[1] != NONE}
        return found


def _kind(value: str):
    from cjm_workshop.models import NoteKind

    return NoteKind(value)


@st.composite
def rooms(draw) -> Drawn:
    personas = draw(st.integers(1, 3))
    planned = []
    for _ in range(draw(st.integers(1, 16))):
        kind = draw(st.sampled_from(KINDS))
        stages = st.integers(0, 4)
        stage = draw(st.one_of(st.none(), stages) if kind in NO_STAGE_NEEDED else stages)
        persona = draw(st.one_of(st.none(), st.integers(0, personas - 1)))
        fate = draw(st.sampled_from(FATES))
        filler = tuple(draw(st.lists(st.sampled_from(FILLER), max_size=12)))
        planned.append(Planned(kind, stage, persona, fate, filler))
    steps = sorted({notes.KIND_STEP[_kind(kind)].value for kind in KINDS})
    private = draw(st.sets(st.sampled_from(steps), max_size=2))
    answerable = [i for i, n in enumerate(planned) if n.kind in {"pain_point", "opportunity"}]
    sources = st.one_of(st.none(), st.sampled_from(answerable)) if answerable else st.none()
    return Drawn(personas, planned, private, draw(st.lists(sources, max_size=4)))


def build(app, make, me, drawn: Drawn) -> int:
    workshop = make.workshop(me, title="What the room made", personas=drawn.personas)
    person = make.participant(workshop)
    ids = []
    for index, note in enumerate(drawn.notes):
        text = " ".join([f"n{index:02d}q", *note.filler])
        ids.append(
            make.note(
                workshop,
                person,
                text,
                kind=note.kind,
                stage=None if note.stage is None else workshop.stage_ids[note.stage],
                persona=None if note.persona is None else workshop.persona_ids[note.persona],
            )
        )
    for number, source in enumerate(drawn.actions):
        make.action(
            workshop,
            f"a{number:02d}q make it better",
            source=None if source is None else ids[source],
        )
    with app.app_context():
        room = db.session.get(Workshop, workshop.id)
        keeper = None
        for index, note in enumerate(drawn.notes):
            record = db.session.get(Note, ids[index])
            if note.fate == "hidden":
                notes.set_hidden(db.session, record, True)
            elif note.fate == "merged" and keeper is not None:
                journey_map.merge(db.session, room, keeper, [record])
            elif note.fate == "merged":  # nothing to merge into: it stays
                drawn.notes[index] = Planned(
                    note.kind, note.stage, note.persona, "shown", note.filler
                )
            if keeper is None and drawn.notes[index].fate != "merged":
                keeper = record
        for step in drawn.private:
            notes.set_private(db.session, room, Step(step), True)
        db.session.commit()
    return workshop.id


# --- reading a PDF back: words and where they stand, in poster units ------------------

WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)


@dataclass(frozen=True)
class Word:
    text: str
    x: float
    y: float
    right: float
    bottom: float


def _pdf_pages(pdf: bytes) -> list[list[tuple[str, float, float, float, float]]]:
    done = subprocess.run(
        ["pdftotext", "-bbox", "-enc", "UTF-8", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
        timeout=60,
    )
    pages = done.stdout.decode().split("<page ")[1:]
    return [
        [(text, float(a), float(b), float(c), float(d)) for a, b, c, d, text in WORD.findall(p)]
        for p in pages
    ]


PT_PER_MM = 72 / 25.4


def poster_words(pdf: bytes, size: str) -> list[list[Word]]:
    """Per persona page, its words in poster units from the page's top left. The A4 set's
    sheets are put back together: each sheet's window, moved to where it sits on the
    poster; a word two sheets share (their overlap) counts once."""
    chosen = layout.FORMATS[size]
    unit = chosen.scale * PT_PER_MM  # points per poster unit
    pages = _pdf_pages(pdf)
    if not chosen.tiles:
        return [
            [Word(t, a / unit, b / unit, c / unit, d / unit) for t, a, b, c, d in p] for p in pages
        ]
    tiles = layout.tiles(chosen)
    margin = layout.SHEET_MARGIN * PT_PER_MM
    posters: list[dict[tuple, Word]] = [{} for _ in range(len(pages) // len(tiles))]
    for number, words in enumerate(pages):
        tile = tiles[number % len(tiles)]
        width, height = tile.width * PT_PER_MM, tile.height * PT_PER_MM
        for text, a, b, c, d in words:
            middle_x, middle_y = (a + c) / 2 - margin, (b + d) / 2 - margin
            if not (0 <= middle_x <= width and 0 <= middle_y <= height):
                continue  # the sheet's own marks, or what its window clips away
            dx, dy = tile.x * PT_PER_MM - margin, tile.y * PT_PER_MM - margin
            word = Word(text, (a + dx) / unit, (b + dy) / unit, (c + dx) / unit, (d + dy) / unit)
            posters[number // len(tiles)][(text, round(word.x, 1), round(word.y, 1))] = word
    return [list(poster.values()) for poster in posters]


def read_map(words: list[Word]) -> dict[str, tuple[str, str, int]]:
    """The map of one poster page, as the eye reads it: every note's token with its lane
    (the lane name to its left), its column (the stage head above it) and its place in
    that cell. Asserts every word is on the page and no note in the lane names' margin."""
    top = layout.MARGIN + layout.HEADER + layout.GAP
    row_bottom = top + layout.STAGE_ROW
    bottom = top + layout.MAP_HEIGHT
    margin = layout.MARGIN + layout.LANE_HEAD
    for word in words:
        assert word.x >= -0.5 and word.right <= layout.WIDTH + 0.5, word
        assert word.y >= -0.5 and word.bottom <= layout.HEIGHT + 0.5, word
    in_map = [w for w in words if top <= w.y and w.bottom <= bottom]
    heads = sorted(
        (w.x, NONE if w.text == "No" else str(int(w.text) - 1))
        for w in in_map
        if w.bottom <= row_bottom and (w.text.isdigit() or w.text == "No")
    )
    lanes = sorted(
        (w.y, LANE_WORDS[w.text]) for w in in_map if w.x < margin and w.text in LANE_WORDS
    )
    found: dict[str, tuple[str, str, float, float]] = {}
    for word in in_map:
        if not TOKEN.fullmatch(word.text):
            continue
        assert word.x >= margin, f"{word.text} lies in the lane names' margin"
        assert word.text not in found, f"{word.text} twice on one page"
        column = [name for x, name in heads if x <= word.x + 2][-1]
        lane = [kind for y, kind in lanes if y <= word.y + 1][-1]
        found[word.text] = (lane, column, round(word.y), word.x)
    return _in_order(found)


def _in_order(found: dict[str, tuple]) -> dict[str, tuple[str, str, int]]:
    """Each token's lane, column and place in its cell (row by row, left to right)."""
    placed: dict[str, tuple[str, str, int]] = {}
    cells: dict[tuple[str, str], list[tuple]] = {}
    for token, (lane, column, *where) in found.items():
        cells.setdefault((lane, column), []).append((*where, token))
    for (lane, column), cards in cells.items():
        for place, (*_where, token) in enumerate(sorted(cards)):
            placed[token] = (lane, column, place)
    return placed


def preview_map(html: str) -> list[dict[str, tuple[str, str, int]]]:
    """Per page of the preview: token -> lane, column and place in the cell."""
    pages = []
    for sheet in tinyhtml5.parse(html).iter(f"{XHTML}section"):
        heads = [
            NONE if "stage-none" in stage.get("class") else str(number)
            for number, stage in enumerate(_with_class(sheet, "stage"))
        ]
        found = {}
        for lane in _with_class(sheet, "lane"):
            kinds = [c[5:] for c in lane.get("class").split() if c.startswith("lane-")]
            for column, cell in enumerate(_with_class(lane, "cell")):
                for place, card in enumerate(_with_class(cell, "card")):
                    token = TOKEN.search(" ".join(card.itertext()))
                    assert token, "".join(card.itertext())
                    found[token.group()] = (kinds[0], heads[column], place)
        pages.append(found)
    return pages


def _with_class(element, name: str) -> list:
    return [e for e in element.iter() if name in (e.get("class") or "").split()]


def tokens_in(text: str) -> Counter:
    return Counter(TOKEN.findall(text))


# --- the property ----------------------------------------------------------------------


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(drawn=rooms())
def test_every_note_the_room_saw_is_in_every_output_once_in_its_place(app, make, me, client, drawn):
    workshop_id = build(app, make, me, drawn)
    pages = range(drawn.personas)
    expected = [drawn.expected(page, poster=True) for page in pages]
    preview = preview_map(client.get(f"/workshops/{workshop_id}/poster/preview").text)
    assert [{t: p[:2] for t, p in page.items()} for page in preview] == expected
    for size in ("A0", "A1", "A2", "A3", "A4"):
        read = [
            read_map(words) for words in poster_words(make_poster(app, workshop_id, size).pdf, size)
        ]
        assert read == preview, size  # the same cards in the same cells, in the same order

    everything = drawn.expected(None)
    notes_seen = {t for t in everything if t.startswith("n")}
    results = tinyhtml5.parse(client.get(f"/workshops/{workshop_id}/results").text)
    on_results = " ".join(next(iter(_with_class(results, "results-map"))).itertext())
    assert tokens_in(on_results) == Counter(list(everything)), "results page"

    summary = client.get(f"/workshops/{workshop_id}/export/summary.md").text
    map_part = summary.split("\n## ")[2]  # the journey map, stage by stage
    assert map_part.startswith("The journey map")
    assert tokens_in(map_part) == Counter(notes_seen), "Markdown"
    assert _markdown_places(map_part) == {
        t: place for t, place in everything.items() if t in notes_seen
    }

    rows = list(
        csv.reader(io.StringIO(client.get(f"/workshops/{workshop_id}/export/actions.csv").text))
    )
    assert tokens_in(" ".join(row[0] for row in rows[1:])) == Counter(
        f"a{number:02d}q" for number in range(len(drawn.actions))
    ), "CSV: every action"


def _markdown_places(map_part: str) -> dict[str, tuple[str, str]]:
    """token -> (lane, column) from the summary's stage headings and lane labels."""
    from cjm_workshop.labels import LANE_LABELS

    labels = {str(label): kind.value for kind, label in LANE_LABELS.items()}
    column, lane, found = "", "", {}
    stage = -1
    for line in map_part.splitlines():
        if line.startswith("### "):
            stage += 1
            column = NONE if line == "### No stage" else str(stage)
        elif line.startswith("**") and line.endswith("**"):
            lane = labels[line.strip("*")]
        for token in TOKEN.findall(line):
            found[token] = (lane, column)
    return found


def test_the_reader_finds_a_misplaced_card(app, make, me):
    """The property's reader is not blind: a note moved to another stage reads there."""
    drawn = Drawn(1, [Planned("insight", 1, None, "shown", ())], set(), [])
    workshop_id = build(app, make, me, drawn)
    with app.app_context():
        note = db.session.query(Note).filter_by(workshop_id=workshop_id).one()
        note.stage_id = db.session.get(Workshop, workshop_id).stages[3].id
        db.session.commit()
    read = read_map(poster_words(make_poster(app, workshop_id, "A4").pdf, "A4")[0])
    assert read == {"n00q": ("insight", "3", 0)}
    assert drawn.expected(0) == {"n00q": ("insight", "1")}
