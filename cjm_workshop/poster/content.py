"""What a poster shows, read from a workshop as plain data: the template gets strings,
numbers and coordinates, never a model object (so it cannot query, and every piece of user
text reaches it in one place, to be escaped).

One poster per persona where the workshop has several (each with that persona's notes and
the notes shared by all); one poster otherwise. Labels are in the workshop's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

import segno
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from sqlalchemy import func, select

from cjm_workshop.curve import FACES, median_lines
from cjm_workshop.labels import ACTION_STATUS_LABELS, CHANNEL_LABELS, LANE_LABELS
from cjm_workshop.models import (
    ActionItem,
    LaneKind,
    Note,
    NoteKind,
    Participant,
    Persona,
    Workshop,
)
from cjm_workshop.poster import layout
from cjm_workshop.poster.layout import Fit
from cjm_workshop.services import emotions, journey_map, voting
from cjm_workshop.services.emotions import CurvePoint
from cjm_workshop.services.journey_map import JourneyMap
from cjm_workshop.services.language import language_of
from cjm_workshop.services.room import DbSession

TOP_PAIN_POINT_ROWS = 7  # the footer lists the top five, ties too, in at most this many rows
ACTION_ROWS = 9  # the footer's table; more are counted, and all are in the CSV export


@dataclass(frozen=True)
class Card:
    text: str
    channel: str = ""  # a touchpoint's channel (its icon)
    dots: int | None = None
    rank: int | None = None
    owner: str = ""  # an action's owner
    more: int = 0  # not a note: "+ N more" where a cell is full
    marker: int | None = None  # a touchpoint's number on the curve (see `touchpoint_markers`)
    language: str = ""  # the text's own, where it is not the workshop's (services/language.py)


@dataclass(frozen=True)
class Lane:
    kind: str
    label: str
    height: float
    cells: list[list[Card]]
    card_height: float  # poster units


@dataclass(frozen=True)
class Curve:
    """The emotion curve under the stage columns, in poster units (an SVG's viewBox)."""

    width: float
    height: float
    levels: list[float]  # y of the scores 5 … 1
    columns: list[float]  # x of the lines between stages
    points: list[tuple[float, float, float, float, bool]]  # x, median y, high y, low y, split
    segments: list[str]  # polylines through consecutive rated touchpoints
    top_label: str
    bottom_label: str
    markers: list[tuple[float, float, int]] = field(default_factory=list)  # x, y, card number


@dataclass(frozen=True)
class ActionLine:
    title: str
    owner: str
    next_step: str
    due: str
    status: str


@dataclass(frozen=True)
class PersonaText:
    name: str
    description: str
    goals: str = ""
    frustrations: str = ""


@dataclass(frozen=True)
class Sheet:
    """One poster."""

    title: str
    version: int  # of the journey (shown from version 2 on)
    journey: str
    goal: str
    held_on: str
    persona: PersonaText | None
    persona_number: int  # 1-based; 0 without personas
    persona_count: int
    columns: list[str]
    unstaged: bool  # the last column holds what has no stage
    lanes: list[Lane]
    curve: Curve | None
    curve_after: int  # the curve is drawn after this many lanes
    fit: Fit
    top_pain_points: list[tuple[int, str, int]]
    actions: list[ActionLine]
    more_actions: int
    channels: list[tuple[str, str]]  # used on this poster: value, label
    people: int
    note_count: int
    qr_svg: str
    map_url: str
    language: str
    legend_lanes: list[tuple[str, str]] = field(default_factory=list)
    action_columns: tuple[float, ...] = layout.ACTION_COLUMNS  # the table's shares
    height: float = layout.HEIGHT  # in poster units
    whole: bool = True  # False: only the stages, the touchpoints and the curve
    dotted: bool = False  # a note on it shows dots (the legend explains them only then)


def _cut_to_curve(sheet: Sheet) -> Sheet:
    """Only the stage row, the touchpoints' lane at the height its cards need, and the
    curve (the caller checks there is one)."""
    lanes = [
        replace(lane, height=layout.lane_height(lane.card_height, sheet.fit.rows[number]))
        for number, lane in enumerate(sheet.lanes)
    ]
    height = 2 * layout.MARGIN + layout.STAGE_ROW + sum(lane.height for lane in lanes)
    return replace(
        sheet, lanes=lanes, curve_after=len(lanes), height=height + layout.CURVE_ROW, whole=False
    )


def sheets_of(
    session: DbSession, workshop: Workshop, map_url: str, curve_only: bool = False
) -> list[Sheet]:
    """The workshop's posters, one per persona (or one), in the workshop's language. With
    `curve_only`, each is cut down to its emotion curve, for a slide: the stage row, the
    touchpoints (as high as their cards need) and the curve."""
    personas: list[Persona | None] = list(workshop.personas) or [None]
    journeys = [
        journey_map.load_map(session, workshop, room=True, persona_id=p.id if p else None)
        for p in personas
    ]
    # The ratings are read once for every touchpoint on any of the posters.
    touchpoints = {
        note.id: note
        for journey in journeys
        for (lane, _stage), notes in journey.cells.items()
        if lane is LaneKind.TOUCHPOINT
        for note in notes
    }
    points = {p.note_id: p for p in emotions.curve(session, workshop, list(touchpoints.values()))}
    with force_locale(workshop.language):
        reader = _Reader(session, workshop, map_url, points)
        return [
            reader.sheet(persona, number, journey, curve_only)
            for number, (persona, journey) in enumerate(zip(personas, journeys, strict=True), 1)
        ]


class _Reader:
    """Reads what every poster of a workshop shares once (dots, ratings, people)."""

    def __init__(
        self, session: DbSession, workshop: Workshop, map_url: str, points: dict[int, CurvePoint]
    ) -> None:
        self.session = session
        self.workshop = workshop
        self.map_url = map_url
        self.language = workshop.language  # of the texts, for hyphenation
        self.points = points  # the emotion curve's point of every touchpoint, by note id
        self.markers: dict[int, int] = {}  # the sheet's numbered touchpoints (touchpoint_markers)
        self.dots = {kind: _dots(session, workshop, kind) for kind in _VOTED}
        self.ranks = {kind: voting.ranks(counts) for kind, counts in self.dots.items()}
        self.held_on = _held_on(session, workshop)
        self.people = session.execute(
            select(func.count()).where(Participant.workshop_id == workshop.id)
        ).scalar_one()
        # SVG markup segno draws from our own URL (the template marks it safe).
        self.qr_svg = segno.make(map_url, error="m").svg_inline(
            scale=10, border=1, dark="#111", light="#fff", omitsize=True
        )

    def sheet(
        self, persona: Persona | None, number: int, journey: JourneyMap, curve_only: bool
    ) -> Sheet:
        workshop = self.workshop
        on_sheet = {note.id: note for notes in journey.cells.values() for note in notes}
        columns = journey.columns
        shown = journey.visible_lanes
        if curve_only:
            shown = [lane for lane in shown if lane.kind is LaneKind.TOUCHPOINT]
        # A "No stage" column only for notes without one: an action without a stage is in
        # the list of actions below (a rehearsal's one such action took a fifth of the map).
        if not any(
            journey.notes_in(lane.kind, None) for lane in shown if lane.kind is not LaneKind.ACTION
        ):
            columns = [column for column in columns if column is not None]
        raw: list[list[Sequence[Note | ActionItem]]] = [
            [
                journey.actions_in(col)
                if lane.kind is LaneKind.ACTION
                else journey.notes_in(lane.kind, col)
                for col in columns
            ]
            for lane in shown
        ]
        touchpoints = [
            (index, note)
            for index, col in enumerate(columns)
            for note in journey.notes_in(LaneKind.TOUCHPOINT, col)
        ]
        points = [self.points[note.id] for _, note in touchpoints]
        rated = any(point.count for point in points)
        fit = layout.fit([[len(cell) for cell in lane] for lane in raw], len(columns), rated)
        self.markers = touchpoint_markers(touchpoints, fit.per_row) if rated else {}
        needed = [
            max(
                (self._lines_needed(item, fit) for cell in cells for item in cell),
                default=0,
            )
            for cells in raw
        ]
        fit = layout.taller_cards(fit, needed)
        lanes = [
            Lane(
                lane.kind.value,
                str(LANE_LABELS[lane.kind]),
                fit.lane_heights[number],
                [self._cards(cell, fit, number) for cell in cells],
                fit.card_height(number),
            )
            for number, (lane, cells) in enumerate(zip(shown, raw, strict=True))
        ]
        kinds = [lane.kind for lane in shown]
        after = _curve_place(kinds)
        channels = sorted(
            {note.channel for _, note in touchpoints if note.channel is not None},
            key=list(CHANNEL_LABELS).index,
        )
        listed_actions = journey.actions[:ACTION_ROWS]
        action_columns = layout.action_columns(
            next_steps=any(a.next_step for a in listed_actions),
            due_dates=any(a.due_date for a in listed_actions),
        )
        sheet = Sheet(
            title=workshop.title,
            version=workshop.version,
            journey=workshop.journey,
            goal=workshop.goal,
            held_on=self.held_on,
            persona=_persona_text(persona, self.language),
            persona_number=number if persona else 0,
            persona_count=len(workshop.personas),
            columns=[stage.name for stage in journey.stages]
            + ([_no_stage()] if None in columns else []),
            unstaged=None in columns,
            lanes=lanes,
            curve=_curve(points, touchpoints, fit, len(columns), self.markers) if rated else None,
            curve_after=after,
            fit=fit,
            top_pain_points=self._top_pain_points(journey),
            actions=[_action_line(a, self.language, action_columns) for a in listed_actions],
            action_columns=action_columns,
            more_actions=max(0, len(journey.actions) - ACTION_ROWS),
            channels=[(c.value, str(CHANNEL_LABELS[c])) for c in channels],
            people=self.people,
            note_count=len(on_sheet),
            qr_svg=self.qr_svg,
            map_url=self.map_url,
            language=workshop.language,
            legend_lanes=[(lane.kind.value, str(LANE_LABELS[lane.kind])) for lane in shown],
            dotted=any(note.id in self.dots.get(note.kind, {}) for note in on_sheet.values()),
        )
        return _cut_to_curve(sheet) if curve_only else sheet

    def _cards(self, items: Sequence[Note | ActionItem], fit: Fit, lane: int) -> list[Card]:
        """A cell's cards, as many as fit; the last place says how many more there are."""
        capacity = fit.capacity(lane)
        if len(items) > capacity:
            shown = max(capacity - 1, 0)
            cards = [self._card(item, fit, lane) for item in items[:shown]]
            return cards + [Card("", more=len(items) - shown)]
        return [self._card(item, fit, lane) for item in items]

    def _badge_lines(self, item: Note | ActionItem) -> int:
        """Lines of a card kept for what is not its text: an action's owner; a note's
        rank, dots or channel."""
        if isinstance(item, ActionItem):
            return 1
        dots = self.dots.get(item.kind, {})
        return 1 if item.kind in self.dots and item.id in dots or item.channel is not None else 0

    def _lines_needed(self, item: Note | ActionItem, fit: Fit) -> int:
        """Lines the whole card takes at the fit's width: its text and its badge line."""
        text = item.title if isinstance(item, ActionItem) else item.text
        lines = layout.wrap(text, fit.chars_per_line, language_of(text, self.language))
        return len(lines) + self._badge_lines(item)

    def _card(self, item: Note | ActionItem, fit: Fit, lane: int) -> Card:
        lines = fit.lines(self._badge_lines(item), lane)
        if isinstance(item, ActionItem):
            own = language_of(item.title, self.language)
            return Card(
                layout.shorten(item.title, fit.chars_per_line, lines, own),
                owner=layout.shorten(item.owner, fit.chars_per_line, 1, self.language),
                language=own if own != self.language else "",
            )
        dots = self.dots.get(item.kind, {})
        own = language_of(item.text, self.language)
        return Card(
            layout.shorten(item.text, fit.chars_per_line, lines, own),
            language=own if own != self.language else "",
            channel=item.channel.value if item.channel is not None else "",
            dots=dots.get(item.id),
            rank=self.ranks.get(item.kind, {}).get(item.id),
            marker=self.markers.get(item.id),
        )

    def _top_pain_points(self, journey: JourneyMap) -> list[tuple[int, str, int]]:
        """The top five as the board lists it: by place, a tie in the map's order."""
        counts = self.dots[NoteKind.PAIN_POINT]
        places = voting.top_places(counts)
        in_map_order = [
            note
            for stage_id in journey.columns
            for note in journey.notes_in(LaneKind.PAIN_POINT, stage_id)
            if note.id in places
        ]
        ranked = sorted(in_map_order, key=lambda note: places[note.id])  # stable
        return [
            (places[note.id], layout.shorten(note.text, 60, 2, self.language), counts[note.id])
            for note in ranked[:TOP_PAIN_POINT_ROWS]
        ]


_VOTED = (NoteKind.PAIN_POINT, NoteKind.OPPORTUNITY)


def _dots(session: DbSession, workshop: Workshop, kind: NoteKind) -> dict[int, int]:
    """Dots per note from the latest revealed round on that kind (none before a reveal)."""
    chosen = voting.latest_round(session, workshop, kind)
    if not voting.shows_counts(chosen):
        return {}
    return voting.tally(session, chosen)


def _curve_place(kinds: list[LaneKind]) -> int:
    """The curve goes under the touchpoints (or above the pain points, or last)."""
    for kind, offset in ((LaneKind.TOUCHPOINT, 1), (LaneKind.PAIN_POINT, 0)):
        if kind in kinds:
            return kinds.index(kind) + offset
    return len(kinds)


def touchpoint_markers(touchpoints: list[tuple[int, Note]], per_row: int) -> dict[int, int]:
    """Numbers for the touchpoints of a stage whose cards wrap to a second row: there the
    curve spreads its points over the stage, no longer under their cards, so a point and
    its card carry the same number (1, 2, … in the cards' order); elsewhere none."""
    in_column: dict[int, list[Note]] = {}
    for index, note in touchpoints:
        in_column.setdefault(index, []).append(note)
    return {
        note.id: number
        for notes in in_column.values()
        if len(notes) > per_row
        for number, note in enumerate(notes, 1)
    }


def _curve(
    points: list[CurvePoint],
    touchpoints: list[tuple[int, Note]],
    fit: Fit,
    columns: int,
    markers: dict[int, int],
) -> Curve:
    columns_of = [index for index, _ in touchpoints]
    width = layout.WIDTH - 2 * layout.MARGIN - layout.LANE_HEAD
    height = layout.CURVE_ROW
    top, bottom = 5.0, height - 5.0
    column = fit.column_width  # as the stage columns above are laid out

    def y_of(score: float) -> float:
        return top + (5 - score) / 4 * (bottom - top)

    per_column: dict[int, int] = {}
    for index in columns_of:
        per_column[index] = per_column.get(index, 0) + 1
    seen: dict[int, int] = {}
    medians, placed, numbered = [], [], []
    for point, (index, note) in zip(points, touchpoints, strict=True):
        place = seen.get(index, 0)
        seen[index] = place + 1
        if note.id not in markers:  # one row of cards: under its card
            step = fit.card_width + layout.CARD_GAP
            x = column * index + layout.CELL_PAD + place * step + fit.card_width / 2
        else:  # several rows (numbered): spread over the stage, in the cards' order
            x = column * index + column * (place + 0.5) / per_column[index]
        median, high, low = point.median, point.high, point.low
        if note.id in markers and median is not None:
            numbered.append((x, y_of(median), markers[note.id]))
        medians.append((x, None if median is None else y_of(median)))
        if median is not None and high is not None and low is not None:
            placed.append((x, y_of(median), y_of(high), y_of(low), point.disagreement))
    return Curve(
        width,
        height,
        [y_of(score) for score in (5, 4, 3, 2, 1)],
        [column * index for index in range(1, columns)],
        placed,
        median_lines(medians),
        str(FACES[5]),
        str(FACES[1]),
        numbered,
    )


def _action_line(action: ActionItem, language: str, columns: tuple[float, ...]) -> ActionLine:
    def chars(column: int, bold: bool = False) -> int:
        return layout.action_column_chars(column, bold, columns)

    return ActionLine(
        layout.shorten(action.title, chars(0), 1, language),
        layout.shorten(action.owner, chars(1, bold=True), 1, language),
        layout.shorten(action.next_step, chars(2), 1, language),
        format_date(action.due_date, "medium") if action.due_date else "",
        str(ACTION_STATUS_LABELS[action.status]),
    )


def _persona_text(persona: Persona | None, language: str) -> PersonaText | None:
    if persona is None:
        return None
    line = layout.chars_in(layout.PERSONA_WIDTH, layout.PERSONA_FONT)
    return PersonaText(
        layout.shorten(persona.name, 40, 1, language),
        layout.shorten(persona.description, line, 2, language),
        _after_label(_("Goals"), persona.goals, language),
        _after_label(_("Frustrations"), persona.frustrations, language),
    )


def _after_label(label: str, text: str, language: str) -> str:
    """`text` shortened to two lines of the persona box that start with "label: "; the lines
    it was typed in joined by " · " (the box has room for no more lines)."""
    text = " · ".join(part.strip() for part in text.splitlines() if part.strip())
    line = layout.chars_in(layout.PERSONA_WIDTH, layout.PERSONA_MORE_FONT)
    placeholder = "x" * round(len(label) * layout.BOLD + 1)  # the bold label and its colon
    shortened = layout.shorten(f"{placeholder} {text}", line, 2, language)
    return shortened.removeprefix(placeholder).lstrip() if text else ""


def _held_on(session: DbSession, workshop: Workshop) -> str:
    """The day the room worked: the first participant's joining, else the creation."""
    first = session.scalar(
        select(func.min(Participant.joined_at)).where(Participant.workshop_id == workshop.id)
    )
    day: date = (first or workshop.created_at).date()
    return format_date(day, "long")


def _no_stage() -> str:
    return _("No stage")
