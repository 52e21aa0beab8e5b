"""Emotion ratings: every participant rates every touchpoint from very negative (1) to very
positive (5) while the emotions step is open; the room's curve is the median and spread per
touchpoint, in the map's order.

A rating given to a duplicate that was merged into another touchpoint counts for the one
kept (once per participant: their rating of the note kept wins, else their latest).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from sqlalchemy import select

from cjm_workshop.database import insert_for
from cjm_workshop.models import (
    SCORES,
    EmotionRating,
    LiveEventKind,
    Note,
    NoteKind,
    Participant,
    Step,
    Workshop,
)
from cjm_workshop.services.errors import InvalidRating, ParticipantRemoved, StepClosed
from cjm_workshop.services.room import DbSession, touch
from cjm_workshop.services.steps import accepts_contributions


def rate(
    session: DbSession, workshop: Workshop, participant: Participant, note: Note, score: int
) -> None:
    if not accepts_contributions(workshop, Step.EMOTIONS):
        raise StepClosed(Step.EMOTIONS.value)
    if participant.removed:
        raise ParticipantRemoved(str(participant.id))
    if score not in SCORES:
        raise InvalidRating("scale")
    if (
        note.workshop_id != workshop.id
        or note.kind is not NoteKind.TOUCHPOINT
        or note.merged_into_id is not None
    ):
        raise InvalidRating("touchpoint")
    statement = insert_for(session)(EmotionRating).values(
        workshop_id=workshop.id, participant_id=participant.id, note_id=note.id, score=score
    )
    session.execute(  # one row per participant and touchpoint, also for a double tap
        statement.on_conflict_do_update(
            index_elements=["participant_id", "note_id"],
            set_={"score": score, "updated_at": statement.excluded.updated_at},
        )
    )
    touch(session, workshop.id, kind=LiveEventKind.PRESENCE)  # the facilitator's screens
    session.flush()


def ratings_by(session: DbSession, workshop: Workshop, participant: Participant) -> dict[int, int]:
    """This participant's score per touchpoint on the map (merged duplicates included)."""
    found: dict[int, int] = {}
    for touchpoint, ratings in _ratings_per_touchpoint(session, workshop).items():
        if participant.id in ratings:
            found[touchpoint] = ratings[participant.id]
    return found


@dataclass(frozen=True)
class CurvePoint:
    """One touchpoint of the emotion curve (plain data: the poster uses it too)."""

    note_id: int
    text: str
    stage: str
    count: int
    median: float | None
    low: float | None  # the interquartile band (the middle half of the ratings)
    high: float | None
    disagreement: bool  # at least a quarter negative and a quarter positive
    mean: float | None = None


def curve(session: DbSession, workshop: Workshop, touchpoints: list[Note]) -> list[CurvePoint]:
    """The curve over `touchpoints`, given in the map's order (stage, then place)."""
    per_touchpoint = _ratings_per_touchpoint(session, workshop)
    stages: dict[int | None, str] = {stage.id: stage.name for stage in workshop.stages}
    points = []
    for note in touchpoints:
        scores = sorted(per_touchpoint.get(note.id, {}).values())
        points.append(_point(note, stages.get(note.stage_id, ""), scores))
    return points


def _point(note: Note, stage: str, scores: list[int]) -> CurvePoint:
    if not scores:
        return CurvePoint(note.id, note.text, stage, 0, None, None, None, False)
    if len(scores) == 1:
        low = high = float(scores[0])
    else:
        low, _, high = statistics.quantiles(scores, n=4, method="inclusive")
    quarter = len(scores) / 4
    negative = sum(1 for s in scores if s <= 2)
    positive = sum(1 for s in scores if s >= 4)
    return CurvePoint(
        note.id,
        note.text,
        stage,
        len(scores),
        float(statistics.median(scores)),
        float(low),
        float(high),
        len(scores) >= 2 and negative >= quarter and positive >= quarter,
        statistics.fmean(scores),
    )


def average(points: list[CurvePoint]) -> float | None:
    """The mean of every rating on the curve (None without ratings)."""
    count = sum(point.count for point in points)
    if not count:
        return None
    return sum(point.mean * point.count for point in points if point.mean is not None) / count


def _ratings_per_touchpoint(session: DbSession, workshop: Workshop) -> dict[int, dict[int, int]]:
    """touchpoint on the map -> {participant: score}, duplicates' ratings folded in."""
    merged_into = dict(
        session.execute(
            select(Note.id, Note.merged_into_id).where(
                Note.workshop_id == workshop.id, Note.kind == NoteKind.TOUCHPOINT
            )
        ).all()
    )

    def kept(note_id: int) -> int:
        while (into := merged_into.get(note_id)) is not None:
            note_id = into
        return note_id

    found: dict[int, dict[int, tuple[bool, object, int]]] = {}
    rows = session.execute(
        select(
            EmotionRating.note_id,
            EmotionRating.participant_id,
            EmotionRating.score,
            EmotionRating.updated_at,
        ).where(EmotionRating.workshop_id == workshop.id)
    )
    for note_id, participant_id, score, updated_at in rows:
        target = kept(note_id)
        rank = (note_id == target, updated_at)
        current = found.setdefault(target, {}).get(participant_id)
        if current is None or rank > current[:2]:
            found[target][participant_id] = (*rank, score)
    return {
        note_id: {person: entry[2] for person, entry in people.items()}
        for note_id, people in found.items()
    }
