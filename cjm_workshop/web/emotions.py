"""Step 5 on every screen: touchpoints to rate, the emotion curve (drawn by
cjm_workshop.curve), the voting round and its results."""

from __future__ import annotations

from cjm_workshop.curve import FACES, draw_curve
from cjm_workshop.extensions import db
from cjm_workshop.models import (
    NoteKind,
    Participant,
    Workshop,
)
from cjm_workshop.services import emotions, journey_map
from cjm_workshop.web.dots import voting_context


def emotions_context(workshop: Workshop, participant: Participant | None = None) -> dict:
    """What the emotions step shows: the curve, and the dot voting on pain points; for a
    phone its own ratings too."""
    touchpoints = journey_map.room_notes(db.session, workshop, NoteKind.TOUCHPOINT)
    context = voting_context(workshop, NoteKind.PAIN_POINT, participant) | {
        "touchpoints": touchpoints,
        "curve": draw_curve(emotions.curve(db.session, workshop, touchpoints)),
        "faces": FACES,
    }
    if participant is not None:
        context["my_ratings"] = emotions.ratings_by(db.session, workshop, participant)
    return context
