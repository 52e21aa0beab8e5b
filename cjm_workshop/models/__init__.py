"""The data model: one module per aggregate. Import from here."""

from cjm_workshop.models.action import (
    ACTION_NEXT_STEP_MAX,
    ACTION_OWNER_MAX,
    ACTION_TITLE_MAX,
    LEVELS,
    ActionItem,
    ActionStatus,
    Level,
    Quadrant,
)
from cjm_workshop.models.emotion import SCORES, EmotionRating
from cjm_workshop.models.facilitator import Facilitator, LoginSession
from cjm_workshop.models.invitation import Invitation
from cjm_workshop.models.live_event import LiveEvent, LiveEventKind
from cjm_workshop.models.note import (
    NOTE_TEXT_MAX,
    STEP_NOTE_KINDS,
    Channel,
    DismissedDuplicate,
    Note,
    NoteKind,
    ResearchSource,
)
from cjm_workshop.models.participant import Participant
from cjm_workshop.models.rate_limit import RateLimitCounter
from cjm_workshop.models.research_upload import ResearchUpload
from cjm_workshop.models.sharing import Role, WorkshopMember
from cjm_workshop.models.step import STEPS, Step, StepState, WorkshopStep
from cjm_workshop.models.template import WorkshopTemplate
from cjm_workshop.models.voting import Dot, DotBudget, RoundStatus, VotingRound
from cjm_workshop.models.workshop import (
    LANE_KINDS,
    Lane,
    LaneKind,
    Persona,
    Stage,
    Workshop,
    WorkshopStatus,
)

__all__ = [
    "ACTION_NEXT_STEP_MAX",
    "ACTION_OWNER_MAX",
    "ACTION_TITLE_MAX",
    "LEVELS",
    "ActionItem",
    "ActionStatus",
    "Level",
    "Quadrant",
    "Role",
    "WorkshopMember",
    "SCORES",
    "Dot",
    "DotBudget",
    "EmotionRating",
    "RoundStatus",
    "VotingRound",
    "LANE_KINDS",
    "Lane",
    "LaneKind",
    "LiveEvent",
    "LiveEventKind",
    "NOTE_TEXT_MAX",
    "STEP_NOTE_KINDS",
    "Channel",
    "DismissedDuplicate",
    "Note",
    "NoteKind",
    "ResearchSource",
    "Facilitator",
    "Invitation",
    "LoginSession",
    "Participant",
    "Persona",
    "RateLimitCounter",
    "ResearchUpload",
    "STEPS",
    "Step",
    "StepState",
    "WorkshopStep",
    "WorkshopTemplate",
    "Stage",
    "Workshop",
    "WorkshopStatus",
]
