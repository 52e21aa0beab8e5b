"""The poster's geometry, decided before anything is drawn: page formats, how densely the
notes are set so that everything fits, how a text is shortened to fit its card, and how a
poster is cut into A4 sheets.

The poster is designed once in "poster units": millimetres on an A1 sheet (841 × 594).
Every format is the same design scaled (the template sets the root font size to one poster
unit and measures everything in rem), so what fits on A1 fits everywhere. Layout is
computed here and not left to the renderer: the renderer then only places fixed-size
boxes, which keeps it fast, and no text can run out of its card or off the page.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import pyphen

WIDTH, HEIGHT = 841.0, 594.0  # the design, in poster units (A1 millimetres)
MARGIN = 12.0
HEADER = 52.0  # title, goal, personas, QR code
FOOTER = 100.0  # top pain points, actions, legend
GAP = 5.0
STAGE_ROW = 11.0
CURVE_ROW = 46.0
MAP_HEIGHT = HEIGHT - 2 * MARGIN - HEADER - FOOTER - 2 * GAP  # stage row, lanes and curve
LANE_HEAD = 38.0  # the lane names' column
CARD_GAP = 1.2
CELL_PAD = 1.4
CELL_BORDER = 0.3  # the dashed line between stages
LANE_MIN = 16.0
CARD_PAD = 0.9
LINE = 1.2  # line height, in ems
# DejaVu Sans is wide: an average character of note text is about 0.56 em; counting 0.62
# leaves room for capitals and wide letters, so an estimated line never wraps early.
CHAR = 0.62


@dataclass(frozen=True)
class Format:
    """A page format: its size in millimetres and the design's scale on it."""

    name: str
    width: float
    height: float
    tiles: bool = False  # printed as a set of A4 sheets

    @property
    def scale(self) -> float:
        """Millimetres per poster unit (the design keeps its proportions and fits)."""
        return min(self.width / WIDTH, self.height / HEIGHT)

    @property
    def points(self) -> tuple[float, float]:
        return mm_to_pt(self.width), mm_to_pt(self.height)


# --- the footer's actions table and the persona box: what a line of them holds ---------

ACTIONS_WIDTH = 362.0  # the table (its column of the footer, less the padding)
ACTIONS_FONT = 3.0
ACTIONS_CELL_PAD = 1.5  # right of each cell
ACTION_COLUMNS = (0.40, 0.17, 0.27, 0.16)  # action, owner, next step, due date
EMPTY_ACTION_COLUMN = 0.09  # a column no action fills keeps the room of its heading
PERSONA_WIDTH = 191.2  # the persona box's text (200 less padding and border)
PERSONA_FONT, PERSONA_MORE_FONT = 3.8, 3.4  # the description; goals and frustrations
BOLD = 1.1  # bold letters are this much wider


def chars_in(width: float, font: float, bold: bool = False) -> int:
    """How many characters of type `font` a line `width` wide holds, by the estimate that
    never lets a line wrap early (CHAR)."""
    return int(width / (CHAR * font * (BOLD if bold else 1.0)))


def action_columns(next_steps: bool, due_dates: bool) -> tuple[float, ...]:
    """The table's column shares: a next-step or due-date column no action fills shrinks
    to its heading, and the owner (what an organizer looks for) gets what it gave up."""
    action, owner, next_step, due = ACTION_COLUMNS
    spare = 0.0
    if not next_steps:
        spare, next_step = spare + next_step - EMPTY_ACTION_COLUMN, EMPTY_ACTION_COLUMN
    if not due_dates:
        spare, due = spare + due - EMPTY_ACTION_COLUMN, EMPTY_ACTION_COLUMN
    return action, owner + spare, next_step, due


def action_column_chars(
    column: int, bold: bool = False, columns: tuple[float, ...] = ACTION_COLUMNS
) -> int:
    width = ACTIONS_WIDTH * columns[column] - ACTIONS_CELL_PAD
    return chars_in(width, ACTIONS_FONT, bold)


# --- A4 tiles: a poster printed on sheets of A4 for offices without a plotter ----------

SHEET_W, SHEET_H = 210.0, 297.0  # A4 portrait
SHEET_MARGIN = 10.0  # most office printers cannot print closer to the edge
OVERLAP = 10.0  # every sheet repeats this much of its neighbour, to glue over
TILE_COLUMNS, TILE_ROWS = 4, 2
WINDOW_W, WINDOW_H = SHEET_W - 2 * SHEET_MARGIN, SHEET_H - 2 * SHEET_MARGIN
STEP_X, STEP_Y = WINDOW_W - OVERLAP, WINDOW_H - OVERLAP
# The eight sheets cover 730 × 544 mm: the poster is printed as large as fits (730 × 516).
_COVER_W = TILE_COLUMNS * STEP_X + OVERLAP
_COVER_H = TILE_ROWS * STEP_Y + OVERLAP
_TILED_SCALE = min(_COVER_W / WIDTH, _COVER_H / HEIGHT)

FORMATS: dict[str, Format] = {
    "A0": Format("A0", 1189, 841),
    "A1": Format("A1", 841, 594),
    "A2": Format("A2", 594, 420),
    "A3": Format("A3", 420, 297),
    "A4": Format("A4", round(WIDTH * _TILED_SCALE, 1), round(HEIGHT * _TILED_SCALE, 1), True),
}
DEFAULT_FORMAT = "A1"


def mm_to_pt(mm: float) -> float:
    return mm * 72 / 25.4


@dataclass(frozen=True)
class Tile:
    """One A4 sheet: the part of the poster it shows, in millimetres from the poster's top
    left (x, y: the printable window's corner; it may reach past the poster's edge)."""

    number: int
    row: int
    column: int
    x: float
    y: float
    width: float = WINDOW_W
    height: float = WINDOW_H


def tiles(poster: Format) -> list[Tile]:
    """The sheets of a tiled poster, row by row; neighbours overlap by OVERLAP and the
    poster sits in the middle of what the sheets cover."""
    offset_x = (_COVER_W - poster.width) / 2
    offset_y = (_COVER_H - poster.height) / 2
    return [
        Tile(
            row * TILE_COLUMNS + column + 1,
            row + 1,
            column + 1,
            column * STEP_X - offset_x,
            row * STEP_Y - offset_y,
        )
        for row in range(TILE_ROWS)
        for column in range(TILE_COLUMNS)
    ]


# --- density: how large the notes can be -------------------------------------------------


@dataclass(frozen=True)
class Density:
    """The smallest card and its type size, in poster units (cards stretch to fill a cell)."""

    name: str
    card_width: float
    card_height: float
    font: float


# From generous (a workshop of 20 notes) to dense (300 and more on A1).
DENSITIES = (
    Density("large", 56.0, 29.0, 4.6),
    Density("roomy", 46.0, 24.0, 3.4),
    Density("normal", 37.0, 18.5, 2.8),
    Density("compact", 30.0, 14.6, 2.3),
    Density("dense", 25.0, 11.6, 1.9),
)


@dataclass(frozen=True)
class Fit:
    """The chosen density, the cards' size and, per lane, how many rows of cards each cell
    shows and how tall its cards are (`taller_cards`: taller where their texts need it)."""

    density: Density
    column_width: float
    per_row: int  # cards side by side in a cell
    card_width: float
    rows: list[int]  # per lane
    lane_heights: list[float]
    card_heights: tuple[float, ...] = ()  # per lane; none: the density's

    def capacity(self, lane: int) -> int:
        return self.rows[lane] * self.per_row

    def card_height(self, lane: int | None = None) -> float:
        if lane is None or not self.card_heights:
            return self.density.card_height
        return self.card_heights[lane]

    @property
    def chars_per_line(self) -> int:
        return max(4, chars_in(self.card_width - 2 * CARD_PAD, self.density.font))

    def lines(self, reserved: int = 0, lane: int | None = None) -> int:
        """Lines of text a card (of the lane) holds, `reserved` lines kept for its badges."""
        usable = self.card_height(lane) - 2 * CARD_PAD
        return max(1, int(usable / (LINE * self.density.font) + 0.001) - reserved)


def map_height(curve: bool) -> float:
    """The poster units the lanes of cards share."""
    return MAP_HEIGHT - STAGE_ROW - (CURVE_ROW if curve else 0)


# Left unused at the end of a row of columns: floats that add up to the row's exact width
# may, rounded at a format's scale, not fit, and the last column wraps out of sight (five
# stages on A1 lost the fifth).
ROW_SLACK = 0.5


def column_width(columns: int) -> float:
    return (WIDTH - 2 * MARGIN - LANE_HEAD - ROW_SLACK) / max(columns, 1)


def fit(counts: list[list[int]], columns: int, curve: bool) -> Fit:
    """Choose the largest density at which every card of every lane fits (counts: cards
    per lane per column). If even the densest does not, the fullest lanes lose rows until
    the map fits; their cells then show what fits and say how many more there are."""
    available = map_height(curve)
    width = column_width(columns)
    for number, density in enumerate(DENSITIES):
        # Between a density that does not fit and the next, the largest step that does:
        # the cards, not empty bands, take the sheet's room.
        candidates = [density]
        if number:
            larger = DENSITIES[number - 1]
            steps = range(1, BLEND_STEPS)
            candidates = [_between(larger, density, k / BLEND_STEPS) for k in steps] + candidates
        for candidate in candidates:
            per_row = _per_row(candidate, width)
            rows = [max((math.ceil(n / per_row) for n in lane), default=0) for lane in counts]
            if sum(lane_height(candidate.card_height, r) for r in rows) <= available + 0.001:
                return _fit(_grown(candidate, rows, available), width, per_row, rows, available)
    density = DENSITIES[-1]
    per_row = _per_row(density, width)
    rows = [max((math.ceil(n / per_row) for n in lane), default=0) for lane in counts]
    while sum(lane_height(density.card_height, r) for r in rows) > available + 0.001:
        fullest = max(range(len(rows)), key=lambda lane: rows[lane])
        if rows[fullest] <= 1:
            break
        rows[fullest] -= 1
    return _fit(density, width, per_row, rows, available)


BLEND_STEPS = 8  # in-between sizes tried from one density to the next
# Where the columns allow no wider card but the lanes leave room below, the type grows by
# the largest of these factors that fits, and the cards by its square: a line holds fewer
# characters, a card more lines, so a card shows as much of its note as before.
GROWTH = (1.5, 1.4, 1.3, 1.25, 1.2, 1.15, 1.1, 1.05)
GROWN_CHARS = 14  # the fewest characters a grown card's line may hold


def _grown(density: Density, rows: list[int], available: float) -> Density:
    for factor in GROWTH:
        grown = Density(
            density.name,
            density.card_width,
            round(density.card_height * factor * factor, 2),
            round(density.font * factor, 2),
        )
        chars = chars_in(grown.card_width - 2 * CARD_PAD, grown.font)
        if (
            chars >= GROWN_CHARS
            and sum(lane_height(grown.card_height, r) for r in rows) <= available
        ):
            return grown
    return density


def _between(larger: Density, smaller: Density, share: float) -> Density:
    """`share` of the way from the larger density to the smaller one."""

    def mix(big: float, small: float) -> float:
        return round(big + (small - big) * share, 2)

    return Density(
        smaller.name,
        mix(larger.card_width, smaller.card_width),
        mix(larger.card_height, smaller.card_height),
        mix(larger.font, smaller.font),
    )


def _fit(density: Density, width: float, per_row: int, rows: list[int], available: float) -> Fit:
    """The fit with the map's spare height shared out over the lanes."""
    inner = width - 2 * CELL_PAD - CELL_BORDER
    # A hundredth narrower than the room there is, so that no rounding in the renderer can
    # push the last card of a row down.
    card_width = math.floor((inner - (per_row - 1) * CARD_GAP) / per_row * 100) / 100 - 0.01
    heights = _shared_out([lane_height(density.card_height, r) for r in rows], available)
    return Fit(density, width, per_row, card_width, rows, heights)


def _shared_out(heights: list[float], available: float) -> list[float]:
    """The lanes' heights with what the map has left shared out evenly among them."""
    spare = max(0.0, available - sum(heights)) / max(len(heights), 1)
    return [height + spare for height in heights]


def taller_cards(fit: Fit, needed: Sequence[int]) -> Fit:
    """The fit with the map's spare height given to the cards whose texts need more lines
    (`needed`: per lane, the lines its fullest card needs, badges included), rather than
    left as empty bands below short cards: each lane's cards grow up to what they need,
    the spare shared evenly among the lanes still short of it (a lane of three rows pays
    three times its growth)."""
    line = LINE * fit.density.font
    base = fit.density.card_height
    rows = fit.rows
    heights = [base] * len(rows)
    wanted = [
        max(0.0, lines * line + 2 * CARD_PAD + 0.001 - base) if rows[lane] else 0.0
        for lane, lines in enumerate(needed)
    ]
    available = sum(fit.lane_heights)
    spare = available - sum(lane_height(base, r) for r in rows)
    growing = [lane for lane, want in enumerate(wanted) if want > 0]
    while spare > 0.01 and growing:
        share = spare / len(growing)
        for lane in list(growing):
            step = min(share / rows[lane], wanted[lane])
            heights[lane] += step
            wanted[lane] -= step
            spare -= step * rows[lane]
            if wanted[lane] <= 0.001:
                growing.remove(lane)
    lanes = _shared_out([lane_height(h, r) for h, r in zip(heights, rows, strict=True)], available)
    # Rounded down, so that no rounding can make a lane's cards taller than the lane.
    cards = tuple(max(base, math.floor(height * 1000) / 1000) for height in heights)
    return replace(fit, lane_heights=lanes, card_heights=cards)


def _per_row(density: Density, width: float) -> int:
    inner = width - 2 * CELL_PAD - CELL_BORDER
    return max(1, int((inner + CARD_GAP) / (density.card_width + CARD_GAP)))


def lane_height(card_height: float, rows: int) -> float:
    return max(LANE_MIN, rows * (card_height + CARD_GAP) - CARD_GAP + 2 * CELL_PAD)


# --- shortening --------------------------------------------------------------------------

ELLIPSIS = "…"


def shorten(text: str, chars_per_line: int, lines: int, language: str | None = None) -> str:
    """The text as it fits in `lines` lines of about `chars_per_line` characters, wrapped
    the way the renderer will (see `wrap`); cut with an ellipsis after its last whole word
    ("moet je…", not "moet j…"), unless that word is all the last line holds."""
    wrapped = wrap(text, chars_per_line, language)
    if len(wrapped) <= lines:
        return _join(wrapped)
    kept = wrapped[:lines]
    last, ending = kept[-1]
    room = max(0, chars_per_line - len(ELLIPSIS))
    cut = last[:room]
    # Inside a word: cut where the line had more, or where the word goes on on the next line.
    partial = last[room] != " " and not cut.endswith(" ") if len(last) > room else ending != SPACE
    if partial and " " in cut.strip():
        cut = cut.rstrip().rsplit(" ", 1)[0]
    kept[-1] = (cut.rstrip(" ,.;:-"), ending)
    return _join(kept).rstrip() + ELLIPSIS


SPACE, HYPHEN, BROKEN = " ", "-", ""  # what ends a line of `wrap`


def wrap(text: str, chars_per_line: int, language: str | None = None) -> list[tuple[str, str]]:
    """Lines of at most `chars_per_line` characters, wrapped at spaces as the renderer
    does, each with what ends it: SPACE; HYPHEN where a word too long for a line was
    hyphenated in `language` (the renderer adds the hyphen: it counts for the line's
    length); BROKEN where such a word has no hyphenation point that fits."""
    dictionary = _hyphenation(language)
    lines: list[tuple[str, str]] = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) <= chars_per_line:
            current += " " + word
            continue
        if current:
            lines.append((current, SPACE))
        current = word
        while len(current) > chars_per_line:
            split = dictionary.wrap(current, chars_per_line) if dictionary else None
            if split:  # ("afsprakenbe-", "vestigingsmail")
                lines.append((split[0].removesuffix("-"), HYPHEN))
                current = split[1]
            else:
                lines.append((current[:chars_per_line], BROKEN))
                current = current[chars_per_line:]
    if current:
        lines.append((current, SPACE))
    return lines


@functools.cache
def _hyphenation(language: str | None) -> pyphen.Pyphen | None:
    """The hyphenation patterns WeasyPrint uses for `hyphens: auto` (pyphen's)."""
    return pyphen.Pyphen(lang=language) if language in pyphen.LANGUAGES else None


def _join(lines: list[tuple[str, str]]) -> str:
    return "".join(line + (SPACE if ending == SPACE else "") for line, ending in lines).rstrip()
