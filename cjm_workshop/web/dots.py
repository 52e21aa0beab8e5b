"""Dot voting on any screen, for pain points (step 5) and opportunities (step 6): the round,
what is voted on, the results after the reveal, and the words for each kind."""

from __future__ import annotations

import functools
import secrets
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from cjm_workshop.extensions import db
from cjm_workshop.models import NoteKind, Participant, RoundStatus, Workshop
from cjm_workshop.services import journey_map, voting

VOTE_WORDS = {
    NoteKind.PAIN_POINT: {
        "console_title": _l("Dot voting on pain points"),
        "phone_title": _l("Dot voting: which pain points matter most?"),
        "phone_hint": _l("Tap + to give a pain point a dot, − to take it back."),
        "several_hint": _l("You may give one pain point several dots."),
        "one_hint": _l("One dot per pain point."),
        "own_hint": _l("Not on your own pain points."),
        "none_yet": _l("No pain points yet."),
        "several_label": _l("Several dots on one pain point"),
        "own_label": _l("Voting on one's own pain points"),
        "several_short": _l("several per pain point"),
        "suggested": _l(
            "Suggested: %(dots)d (about a third of the %(count)d pain points, at most 5)."
        ),
        "item": _l("Pain point"),
        "ranking_title": _l("Pain points by dots"),
    },
    NoteKind.OPPORTUNITY: {
        "console_title": _l("Dot voting on opportunities"),
        "phone_title": _l("Dot voting: which opportunities are worth it?"),
        "phone_hint": _l("Tap + to give an opportunity a dot, − to take it back."),
        "several_hint": _l("You may give one opportunity several dots."),
        "one_hint": _l("One dot per opportunity."),
        "own_hint": _l("Not on your own opportunities."),
        "none_yet": _l("No opportunities yet."),
        "several_label": _l("Several dots on one opportunity"),
        "own_label": _l("Voting on one's own opportunities"),
        "several_short": _l("several per opportunity"),
        "suggested": _l(
            "Suggested: %(dots)d (about a third of the %(count)d opportunities, at most 5)."
        ),
        "item": _l("Opportunity"),
        "ranking_title": _l("Opportunities by dots"),
    },
}


def vote_texts() -> dict[str, str]:
    """What every pain point's buttons say."""
    return _vote_texts(str(get_locale()))


@functools.cache
def _vote_texts(_language: str) -> dict[str, str]:  # translated once per language
    return {
        "back": _("Take a dot back"),
        "give": _("Give a dot"),
        "sending": _("Sending…"),
        "failed": _("Not sent."),
        "retry": _("Retry"),
        "own": _("Your note"),
    }


def voting_context(
    workshop: Workshop, kind: NoteKind, participant: Participant | None = None
) -> dict:
    """The latest round on this kind of note; for a phone its own panel (a fresh key per
    "+": a retried tap resends its key), for the facilitator the progress and a suggested
    budget."""
    options = journey_map.room_notes(db.session, workshop, kind)
    chosen = voting.latest_round(db.session, workshop, kind)
    context: dict[str, Any] = {
        "vote_kind": kind,
        "vote_words": VOTE_WORDS[kind],
        "round": chosen,
        "round_open": chosen is not None and chosen.status is RoundStatus.OPEN,
        "vote_notes": options,
        "stage_names": {stage.id: stage.name for stage in workshop.stages},
        "ranking": voting.ranking(db.session, chosen, options)
        if voting.shows_counts(chosen)
        else None,
    }
    context["ranking_top"] = {note.id for note, _ in voting.top(context["ranking"] or [])}
    if participant is not None:
        return context | {
            "standing": voting.standing(db.session, chosen, participant) if chosen else None,
            "tap_keys": [secrets.token_urlsafe(12) for _ in options],
            "vote_text": vote_texts(),
        }
    return context | {
        "spent_all": voting.spent_all(db.session, workshop, chosen) if chosen else None,
        "suggested_dots": voting.suggested_dots(workshop, len(options), len(workshop.participants)),
    }
