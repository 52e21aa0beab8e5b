"""A full room for the projector: a Dutch workshop with 24 notes in every step, or 40 on the
map, and what the board shows of it measured in the browser (scrolling, computed sizes).

Used by tests/browser/test_board_fit.py and by bench/board_sizes.py (the table of sizes)."""

from __future__ import annotations

from dataclasses import dataclass, field

from cjm_workshop.models import Level
from tests.factories import Factories, ParticipantRecord, WorkshopRecord

RESOLUTIONS = ((1920, 1080), (1280, 720), (1024, 768))

# What a room writes: one sentence or two, in the workshop's language.
TEXTS = (
    "Ziet een advertentie van de praktijk in de lokale krant",
    "Vriendin raadt de tandarts aan tijdens het sporten",
    "Zoekt 'tandarts in de buurt' op de telefoon en vergelijkt de reviews",
    "Twijfelt of de praktijk nog nieuwe patiënten aanneemt",
    "De website laat geen vrije plekken zien, dus belt ze maar",
    "Wordt tijdens de lunchpauze drie keer in de wacht gezet",
    "Vult het inschrijfformulier in op de telefoon, maar het veld voor het BSN past niet",
    "Krijgt een bevestiging per mail, zonder datum of adres",
    "Herinneringssms komt een dag te laat",
    "Weet niet waar ze moet parkeren",
    "De receptie is vriendelijk en neemt de tijd",
    "Wachtkamer zit vol, afspraak loopt twintig minuten uit",
    "Tandarts legt de behandeling rustig uit met een tekening",
    "Rekening is hoger dan verwacht en niemand legde de kosten uit",
    "Vindt de volgende afspraak maken aan de balie makkelijk",
    "Krijgt een enquête met veertig vragen",
    "Vertelt collega's over de vriendelijke assistent",
    "Schrijft een review over de lange wachttijd",
    "Zoekt op de website naar de openingstijden in de vakantie",
    "Wil de afspraak verzetten maar vindt geen knop",
    "Belt en krijgt een bandje: 'al onze medewerkers zijn in gesprek'",
    "Kinderen kunnen in de wachtkamer nergens spelen",
    "De app van de verzekeraar vergoedt de controle niet",
    "Krijgt na een jaar automatisch een uitnodiging voor controle",
)
NAMES = ("Anna", "Bram", "Chris", "Dewi", "Emre", "Fleur")


@dataclass(frozen=True)
class Room:
    workshop: WorkshopRecord
    email: str
    participant_ids: tuple[int, ...]
    stage_ids: tuple[int, ...]
    touchpoints: list[int]
    written: set[str] = field(default_factory=set)  # the steps whose notes are written


def text(number: int) -> str:
    return TEXTS[number % len(TEXTS)] + ("" if number < len(TEXTS) else f" ({number})")


def dense_room(make: Factories, *, insights: int = 24, language: str = "nl") -> Room:
    """A room in the research step after writing `insights` insights (the first two thirds
    in a stage) and 12 touchpoints and 12 customer actions over the stages: `insights` + 24
    notes on the map. The
    later steps' notes are written when the session gets there (`show`): 24 pain points and
    everyone's ratings in step 5, 24 opportunities and 8 actions in step 6."""
    facilitator = make.facilitator()
    workshop = make.workshop(
        facilitator,
        language=language,
        title="Een afspraak maken bij de tandarts",
        goal="30% minder telefoontjes over afspraken.",
    )
    people = make.participants(workshop, len(NAMES))
    stages = workshop.stage_ids
    for n in range(insights):
        stage = stages[n % len(stages)] if n < insights * 2 // 3 else None
        make.note(workshop, people[n % len(people)], text(n), kind="insight", stage=stage)
    touchpoints = []
    for n in range(24):
        kind = "touchpoint" if n % 2 == 0 else "customer_action"
        note = make.note(
            workshop, people[n % len(people)], text(n + 3), kind=kind, stage=stages[n % 5]
        )
        if kind == "touchpoint":
            touchpoints.append(note)
    make.step(workshop, "research")
    return Room(workshop, facilitator.email, tuple(p.id for p in people), stages, touchpoints)


def _write(make: Factories, room: Room, step: str) -> None:
    """What the room writes in step 5 or 6, once."""
    if step in room.written or step not in ("emotions", "actions"):
        return
    room.written.add(step)
    people, workshop = room.participant_ids, room.workshop
    if step == "emotions":
        scores = {
            (person, note): 1 + (person + index) % 5
            for index, note in enumerate(room.touchpoints)
            for person in people
        }
        make.ratings(workshop, scores)
        for n in range(24):
            author = ParticipantRecord(people[n % len(people)], workshop.id, "", "")
            make.note(
                workshop,
                author,
                text(n + 5),
                kind="pain_point",
                stage=room.stage_ids[n % 5],
                touchpoint=room.touchpoints[n % len(room.touchpoints)],
            )
        return
    for n in range(24):
        author = ParticipantRecord(people[n % len(people)], workshop.id, "", "")
        make.note(workshop, author, text(n + 11), kind="opportunity")
    levels = tuple(Level)
    for n in range(8):
        make.action(
            workshop,
            f"Actie {n + 1}: {text(n + 4)}",
            impact=levels[n % 3],
            effort=levels[n // 3 % 3],
        )


def reveal(make: Factories, room: Room, step: str) -> None:
    """A revealed dot-voting round on the step's notes (pain points in step 5, opportunities
    in step 6), every participant's five dots spread: the ranking on the board."""
    from sqlalchemy import select

    from cjm_workshop.extensions import db
    from cjm_workshop.models import Note, NoteKind, RoundStatus, Workshop
    from cjm_workshop.services import voting

    kind = NoteKind.PAIN_POINT if step == "emotions" else NoteKind.OPPORTUNITY
    with make.app.app_context():
        workshop = db.session.get(Workshop, room.workshop.id)
        running = voting.latest_round(db.session, workshop, kind)
        if running is not None and running.status is RoundStatus.OPEN:  # "+voting" before
            voting.close_round(db.session, workshop, running)
        chosen = voting.open_round(
            db.session, workshop, kind, dots=5, several_per_note=True, own_notes=True
        )
        query = select(Note.id).where(Note.workshop_id == workshop.id, Note.kind == kind)
        ids = list(db.session.scalars(query.order_by(Note.id)))
        for index, person in enumerate(room.participant_ids):
            for tap in range(5):
                note = ids[(index * 3 + tap * tap) % len(ids)]
                key = f"{chosen.id}-{tap}"
                voting.vote(
                    db.session, voting.ballot_for(db.session, workshop.id, person, note, key)
                )
        voting.close_round(db.session, workshop, chosen)
        voting.reveal(db.session, workshop, chosen)
        db.session.commit()


# The board through a session: each step, and steps 5 and 6 again after their reveal.
STAGES_OF_A_SESSION = (
    "scope",
    "research",
    "touchpoints",
    "visualize",
    "emotions",
    "emotions+voting",
    "emotions+ranking",
    "actions",
    "actions+ranking",
)


def show(make: Factories, room: Room, stage_of_session: str) -> None:
    """Bring the room to this point of the session: a vote opened ("+voting"), or a
    ranking revealed ("+ranking")."""
    step, _, then = stage_of_session.partition("+")
    _write(make, room, step)
    make.step(room.workshop, step)
    if then == "voting":
        make.voting_round(room.workshop, dots=5)
    elif then == "ranking":
        reveal(make, room, step)


# Every note of the step is on the screen or counted in a "+ N more".
SHOWN_OR_COUNTED = """() => {
  const shown = [...document.querySelectorAll('.live-part .note, .live-part .ranking-item')]
    .filter(el => el.getBoundingClientRect().height > 0).length;
  const more = [...document.querySelectorAll('[data-more]')]
    .reduce((n, el) => n + Number(el.dataset.more), 0);
  return shown + more;
}"""
TOTAL = {
    "research": 24,
    "touchpoints": 24,
    "visualize": 48,
    "emotions": 24,
    "emotions+voting": 24,
    "emotions+ranking": 24,
    "actions": 24 + 11,  # and the eleven pain points ranked fifth or better (ties)
    "actions+ranking": 24 + 11,
}


def fit_problems(tab, path: str, moment: str, width: int, height: int) -> tuple[dict, list[str]]:
    """Open the board at `path` at this size, measure it, and say what does not fit: a
    scroll or a cut-off, a heading too wide, a note neither shown nor counted."""
    tab.page.set_viewport_size({"width": width, "height": height})
    tab.goto(path)
    settle(tab.page)
    found = measure(tab.page)
    where = f"{moment} at {width}×{height}"
    problems = []
    if not found["fits"]:
        problems.append(f"{where}: scrolls or cuts off {found}")
    if found["clipped_headings"]:
        problems.append(f"{where}: headings too wide {found['clipped_headings']}")
    if moment in TOTAL and tab.page.evaluate(SHOWN_OR_COUNTED) != TOTAL[moment]:
        problems.append(f"{where}: notes neither shown nor counted in '+ N more'")
    return found, problems


# What the board shows, measured: does the document scroll, and the smallest computed font
# size (CSS px) of each kind of text that is on the screen. SVG text counts as drawn (its
# font size times the drawing's scale).
MEASURE = """() => {
  const shown = el => {
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden';
  };
  const size = el => {
    const px = parseFloat(getComputedStyle(el).fontSize);
    return el instanceof SVGElement ? px * el.getScreenCTM().a : px;
  };
  const smallest = sel => {
    const v = [...document.querySelectorAll(sel)].filter(shown).map(size);
    return v.length ? Math.round(Math.min(...v) * 10) / 10 : null;
  };
  const root = document.scrollingElement;
  const out = [...document.querySelectorAll('.live-part .note, .ranking-item, .matrix-card')]
    .filter(shown).filter(el => {
      const r = el.getBoundingClientRect();
      return r.bottom > innerHeight + 1 || r.right > innerWidth + 1;
    }).length;
  return {
    scroll: [root.scrollWidth, root.scrollHeight, innerWidth, innerHeight],
    fits: root.scrollHeight <= innerHeight && root.scrollWidth <= innerWidth && out === 0,
    offscreen: out,
    title: smallest('.board-title, .board-join h1'),
    prompt: smallest('.board-prompt'),
    column_note: smallest('.stage-column .note-text'),
    column_meta: smallest('.stage-column .note-meta'),
    map_note: smallest('.journey-map .note-text'),
    map_meta: smallest('.journey-map .note-meta'),
    stage_head: smallest('.stage-column h2, .map-stage'),
    ranking_top5: smallest('.ranking-item.ranking-top'),
    matrix_title: smallest('.matrix-title'),
    matrix_meta: smallest('.matrix-meta'),
    curve_label: smallest('.curve-label'),
    // a heading wider than its box (it breaks between words only, so a word did not fit)
    clipped_headings: [...document.querySelectorAll(
      '.board-title, .stage-column h2, .map-stage, .map-lane-head, .matrix-quadrant h3')]
      .filter(shown).filter(el => el.scrollWidth > el.clientWidth + 1).map(el => el.textContent.trim()),
    more: [...document.querySelectorAll('[data-more]')].filter(shown)
      .reduce((n, el) => n + Number(el.dataset.more), 0),
  };
}"""

SIZE_COLUMNS = (
    "title",
    "prompt",
    "stage_head",
    "column_note",
    "column_meta",
    "map_note",
    "map_meta",
    "ranking_top5",
    "matrix_title",
    "matrix_meta",
    "curve_label",
)


def measure(page) -> dict:
    return page.evaluate(MEASURE)


def settle(page) -> None:
    """Wait until the board's fonts are in and its fit routine has run on them, and on
    whatever changed since (a note that just arrived: a fit still waiting for its frame
    marks <html data-fitting>; a loaded machine measured one too early)."""
    page.wait_for_load_state("load")
    page.evaluate(
        "document.fonts.ready.then(() => new Promise(done =>"
        " requestAnimationFrame(() => requestAnimationFrame(done))))"
    )
    # Then calm: five frames in a row with no fit waiting and the same layout (an update
    # that arrived over the live stream after the load is fitted too; at most 300 frames).
    # Polled in the page by frames: wait_for_function's string is eval, which the board's
    # Content-Security-Policy refuses.
    page.evaluate(CALM)


CALM = """() => new Promise(done => {
  let calm = 0, last = '', frames = 0;
  const look = () => {
    const page = document.scrollingElement;
    const now = [page.scrollHeight, page.scrollWidth,
      document.querySelectorAll('[data-fit-hidden]').length,
      [...document.querySelectorAll('[data-fit]')].map(el => el.style.cssText).join()].join('|');
    const fitting = document.documentElement.hasAttribute('data-fitting');
    calm = !fitting && now === last ? calm + 1 : 0;
    last = now;
    if (calm >= 5 || ++frames >= 300) done(); else requestAnimationFrame(look);
  };
  look();
})"""
