"""The projector ("board") as the facilitator sets it up: the step's prompt shown or not, a
sound when the timer ends, and a spotlight: one stage, one lane, one note or the ranking
full-screen, so that any part of a dense map can be read from the back of the room."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from cjm_workshop.models import LaneKind, Note, Workshop
from cjm_workshop.services.errors import InvalidMove
from cjm_workshop.services.room import DbSession, touch

SpotlightKind = Literal["stage", "lane", "note", "ranking"]
KINDS: tuple[SpotlightKind, ...] = ("stage", "lane", "note", "ranking")


@dataclass(frozen=True)
class Spotlight:
    """What is on the board full-screen: `kind` and its `target` (a stage's or a note's id,
    a lane's kind; nothing for the ranking). Stored as "kind:target"."""

    kind: SpotlightKind
    target: str = ""

    @property
    def value(self) -> str:
        return f"{self.kind}:{self.target}" if self.target else self.kind

    @property
    def target_id(self) -> int:
        return int(self.target)

    @classmethod
    def parse(cls, value: str | None) -> Spotlight | None:
        """The spotlight a stored or posted value names; None for none or nonsense."""
        kind, _, target = (value or "").partition(":")
        if kind not in KINDS or (kind == "ranking") != (target == ""):
            return None
        if kind in ("stage", "note") and not target.isdigit():
            return None
        if kind == "lane" and target not in LaneKind._value2member_map_:
            return None
        return cls(kind, target)


def spotlight_of(workshop: Workshop) -> Spotlight | None:
    return Spotlight.parse(workshop.spotlight)


def set_spotlight(session: DbSession, workshop: Workshop, spotlight: Spotlight | None) -> None:
    """Put `spotlight` on the board (None: the whole step again). A stage or note must be
    this workshop's."""
    if (
        spotlight is not None
        and spotlight.kind == "stage"
        and spotlight.target_id not in {s.id for s in workshop.stages}
    ):
        raise InvalidMove("stage")
    if spotlight is not None and spotlight.kind == "note":
        note = session.get(Note, spotlight.target_id)
        if note is None or note.workshop_id != workshop.id:
            raise InvalidMove("note")
    workshop.spotlight = spotlight.value if spotlight else None
    touch(session, workshop.id)


def set_board(session: DbSession, workshop: Workshop, *, prompt: bool, sound: bool) -> None:
    workshop.board_prompt = prompt
    workshop.board_sound = sound
    touch(session, workshop.id)
