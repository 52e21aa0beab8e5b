"""The words for what the app shows, in both languages: how the six steps, the kinds of
note, channels, lanes, roles and action states are named. A floor below the services'
callers: web/ and poster/ both read their labels here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from cjm_workshop.models import (
    ActionStatus,
    Channel,
    LaneKind,
    Level,
    NoteKind,
    Quadrant,
    ResearchSource,
    Role,
    Step,
    WorkshopStep,
)
from cjm_workshop.models.workshop import LANGUAGES

STEP_TITLES = {
    Step.SCOPE: _l("Scope"),
    Step.RESEARCH: _l("Research"),
    Step.TOUCHPOINTS: _l("Touchpoints"),
    Step.VISUALIZE: _l("Visualize"),
    Step.EMOTIONS: _l("Emotions"),
    Step.ACTIONS: _l("Actions"),
}

# What the facilitator asks the room (from the method articles in shared/seeds).
STEP_PROMPTS = {
    Step.SCOPE: _l(
        "Agree on the journey, the persona and a measurable goal. Who is the customer, "
        "where does the journey start and end, and what do we want to improve?"
    ),
    Step.RESEARCH: _l(
        "What do we already know about this customer? Add one insight per note from "
        "interviews, surveys, analytics, support logs or usability tests, and name the source."
    ),
    Step.TOUCHPOINTS: _l(
        "Walk through the journey stage by stage. Where does the customer meet us, on which "
        "channel, and what does the customer do there?"
    ),
    Step.VISUALIZE: _l(
        "Look at the map together: are the touchpoints in the right stage? Merge duplicates "
        "and fill the gaps."
    ),
    Step.EMOTIONS: _l(
        "How does the customer feel at each touchpoint? Where does it hurt? Add the pain "
        "points, then vote on the ones that matter most."
    ),
    Step.ACTIONS: _l(
        "The map is useless without action. For the top pain points: which opportunities do "
        "you see, and who takes the next step?"
    ),
}

# What a phone shows above the form.
PARTICIPANT_PROMPTS = {
    Step.SCOPE: _l("Read the brief: this is the journey we map today."),
    Step.RESEARCH: _l("What do we know from research? One insight per note."),
    Step.TOUCHPOINTS: _l("Where does the customer meet us, and what do they do there?"),
    Step.VISUALIZE: _l("The facilitator arranges the map. Watch the screen."),
    Step.EMOTIONS: _l(
        "How does the customer feel at each touchpoint? Rate them, then add where it hurts."
    ),
    Step.ACTIONS: _l("Which opportunities do you see for the top pain points?"),
}


def step_prompt(state: WorkshopStep, *, phone: bool = False):
    """The step's prompt on the board (or, `phone`, above a phone's form): the
    facilitator's own words for this workshop, else the built-in text."""
    if state.prompt:
        return state.prompt
    return (PARTICIPANT_PROMPTS if phone else STEP_PROMPTS)[state.step]


NOTE_KIND_LABELS = {
    NoteKind.INSIGHT: _l("Research insight"),
    NoteKind.TOUCHPOINT: _l("Touchpoint"),
    NoteKind.CUSTOMER_ACTION: _l("Customer action"),
    NoteKind.PAIN_POINT: _l("Pain point"),
    NoteKind.OPPORTUNITY: _l("Opportunity"),
}

SOURCE_LABELS = {
    ResearchSource.INTERVIEW: _l("Interview"),
    ResearchSource.SURVEY: _l("Survey"),
    ResearchSource.ANALYTICS: _l("Analytics"),
    ResearchSource.SUPPORT_LOG: _l("Sales or support log"),
    ResearchSource.USABILITY_TEST: _l("Usability test"),
    ResearchSource.OTHER: _l("Other"),
}

CHANNEL_LABELS = {
    Channel.WEBSITE: _l("Website"),
    Channel.APP: _l("App"),
    Channel.EMAIL: _l("E-mail"),
    Channel.SOCIAL_MEDIA: _l("Social media"),
    Channel.ADVERTISING: _l("Advertising"),
    Channel.PHONE: _l("Phone"),
    Channel.CHAT: _l("Chat or messaging"),
    Channel.STORE: _l("Store or in person"),
    Channel.OTHER: _l("Other"),
}

# The lanes of the journey map (rows), as plural headings.
LANE_LABELS = {
    LaneKind.CUSTOMER_ACTION: _l("Customer actions"),
    LaneKind.TOUCHPOINT: _l("Touchpoints"),
    LaneKind.INSIGHT: _l("Research insights"),
    LaneKind.PAIN_POINT: _l("Pain points"),
    LaneKind.OPPORTUNITY: _l("Opportunities"),
    LaneKind.ACTION: _l("Actions"),
}

STEP_STATE_LABELS = {
    "not_started": _l("not started"),
    "open": _l("open for notes"),
    "closed": _l("closed for notes"),
}

ROLE_LABELS = {
    Role.CO_FACILITATOR: _l("Co-facilitator"),
    Role.ORGANIZER: _l("Organizer"),
}

ACTION_STATUS_LABELS = {
    ActionStatus.OPEN: _l("Open"),
    ActionStatus.IN_PROGRESS: _l("In progress"),
    ActionStatus.DONE: _l("Done"),
}

LEVEL_LABELS = {Level.LOW: _l("Low"), Level.MEDIUM: _l("Medium"), Level.HIGH: _l("High")}

QUADRANT_LABELS = {
    Quadrant.QUICK_WIN: _l("Quick wins"),
    Quadrant.BIG_BET: _l("Big bets"),
    Quadrant.FILL_IN: _l("Fill-ins"),
    Quadrant.MONEY_PIT: _l("Money pits"),
}


Named = TypeVar("Named")


def in_every_language(labels: Mapping[Named, Any]) -> dict[str, Named]:
    """Each label as every language of the app says it, to what it names: for reading what
    people wrote themselves (a source in a spreadsheet, say)."""
    found: dict[str, Named] = {}
    for language in LANGUAGES:
        with force_locale(language):
            found.update({str(label): named for named, label in labels.items()})
    return found
