"""The emotion curve's geometry and words: the faces of the five scores, and coordinates
of the curve as the screens draw it (SVG drawn here, no chart library in the browser) and
the median line the poster draws too. A floor below web/ and poster/."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from cjm_workshop.services.emotions import CurvePoint

FACES = {
    1: _l("Very negative"),
    2: _l("Negative"),
    3: _l("Neutral"),
    4: _l("Positive"),
    5: _l("Very positive"),
}


@dataclass(frozen=True)
class PlacedPoint:
    point: CurvePoint
    x: float
    y: float | None  # the median's height; None without ratings
    band_top: float | None
    band_bottom: float | None


NAME_PX = 15.0  # a stage's name on the curve (.curve-stage-name in static/css/reports.css)
NAME_SHOWN = 28  # characters, the rest cut ("…") by the template


@dataclass(frozen=True)
class StageBand:
    name: str
    x: float
    width: float

    @property
    def name_size(self) -> float | None:
        """A smaller type (px) for a name that would run out of its band (a stage of one
        touchpoint: "Find renewal pag" ran into the next stage), down to two thirds;
        None where the usual size fits. Estimated from its letters (a bold letter is
        about 0.6 em wide), as the page and the poster draw it without a script; the
        board measures instead (static/js/board.js)."""
        room = self.width - 20
        needed = min(len(self.name), NAME_SHOWN) * 0.6 * NAME_PX
        if needed <= room:
            return None
        return round(max(NAME_PX * 2 / 3, NAME_PX * room / needed), 1)


@dataclass(frozen=True)
class CurveDrawing:
    """Coordinates for templates/emotions/_curve.html, in a viewBox of width × height."""

    width: float
    height: float
    left: float
    right: float
    points: list[PlacedPoint]
    stages: list[StageBand]
    levels: list[tuple[int, float, str]]  # score, y, label
    segments: list[str]  # polyline point lists through consecutive medians
    rated: int  # touchpoints with at least one rating

    @property
    def label_columns(self) -> str:
        """A CSS grid template whose columns stand under the touchpoints' slots: the labels
        are HTML below the drawing, so that they wrap (SVG text cannot) at any size."""
        slots = (self.width - LEFT - RIGHT) / STEP
        percent = 100 / self.width
        return f"{LEFT * percent:.3f}% repeat({slots:.0f}, {STEP * percent:.3f}%)"


LEFT, RIGHT, TOP, BOTTOM, STEP = 130.0, 20.0, 46.0, 20.0, 150.0
PLOT_HEIGHT = 200.0
MIN_SLOTS = 4


def median_lines(placed: Iterable[tuple[float, float | None]]) -> list[str]:
    """SVG polyline point lists through consecutive rated touchpoints ((x, median y), y None
    where nobody rated): a touchpoint without ratings breaks the line, and a rated one
    between two unrated ones stands alone as its point."""
    lines: list[list[str]] = []
    current: list[str] = []
    for x, y in placed:
        if y is None:
            lines.append(current)
            current = []
        else:
            current.append(f"{x:.1f},{y:.1f}")
    lines.append(current)
    return [" ".join(line) for line in lines if len(line) > 1]


def draw_curve(points: list[CurvePoint], slots: int = 0) -> CurveDrawing:
    """Room for at least `slots` touchpoints (and four): curves drawn with the same number
    of slots share one scale."""
    width = LEFT + RIGHT + max(len(points), slots, MIN_SLOTS) * STEP
    height = TOP + PLOT_HEIGHT + BOTTOM

    def y_of(score: float) -> float:
        return TOP + (5 - score) / 4 * PLOT_HEIGHT

    placed: list[PlacedPoint] = []
    stages: list[StageBand] = []
    for index, point in enumerate(points):
        x = LEFT + STEP * (index + 0.5)
        median, high, low = point.median, point.high, point.low
        if median is None or high is None or low is None:  # nobody rated it
            placed.append(PlacedPoint(point, x, None, None, None))
        else:
            placed.append(PlacedPoint(point, x, y_of(median), y_of(high), y_of(low)))
        if not stages or stages[-1].name != point.stage:
            stages.append(StageBand(point.stage, x - STEP / 2, STEP))
        else:
            last = stages[-1]
            stages[-1] = StageBand(last.name, last.x, last.width + STEP)
    levels = [(score, y_of(score), str(FACES[score])) for score in (5, 4, 3, 2, 1)]
    return CurveDrawing(
        width,
        height,
        LEFT,
        width - RIGHT,
        placed,
        stages,
        levels,
        median_lines((p.x, p.y) for p in placed),
        sum(1 for point in points if point.count),
    )
