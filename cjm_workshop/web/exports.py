"""What a workshop produced, as files: its actions as CSV (for any tracker or spreadsheet)
and the whole workshop as a Markdown summary. Headers and labels are in the reader's
language; user text is neutralised for the format it lands in."""

from __future__ import annotations

import csv
import io
import re

from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _

from cjm_workshop.curve import FACES
from cjm_workshop.extensions import db
from cjm_workshop.labels import (
    ACTION_STATUS_LABELS,
    CHANNEL_LABELS,
    LANE_LABELS,
    LEVEL_LABELS,
    QUADRANT_LABELS,
)
from cjm_workshop.models import ActionItem, Channel, LaneKind, NoteKind, Workshop
from cjm_workshop.services import actions, emotions, journey_map, voting
from cjm_workshop.web.actions import ranked_notes, ranked_pain_points

# A spreadsheet runs a cell that starts with one of these as a formula ("CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# UTF-8 with a byte order mark: Excel then reads ë and é right, LibreOffice ignores it.
CSV_ENCODING = "utf-8-sig"


def safe_cell(value: str) -> str:
    """A cell a spreadsheet shows as text: a leading formula character gets a quote."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def actions_csv(workshop: Workshop) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            _("Action"),
            _("Owner"),
            _("Next step"),
            _("Due date"),
            _("Status"),
            _("Expected impact"),
            _("Effort needed"),
            _("Quadrant"),
            _("Answers"),
        ]
    )
    for action in actions.actions_of(db.session, workshop):
        writer.writerow(
            [
                safe_cell(value)
                for value in (
                    action.title,
                    action.owner,
                    action.next_step,
                    action.due_date.isoformat() if action.due_date else "",
                    str(ACTION_STATUS_LABELS[action.status]),
                    str(LEVEL_LABELS[action.impact]),
                    str(LEVEL_LABELS[action.effort]),
                    str(QUADRANT_LABELS[action.quadrant]),
                    _answers(action),
                )
            ]
        )
    return out.getvalue().encode(CSV_ENCODING)


def _answers(action: ActionItem) -> str:
    return action.source.text if action.source is not None else ""


# --- Markdown ---------------------------------------------------------------------------

# Markup anywhere in a line; and what makes a block (a heading, a list, a quote) where a
# text starts. Everything else ("e-mail", "(web team)", "2.5") stays as it reads.
_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]<>|~])")
_MARKDOWN_LEADING = re.compile(r"^(\d*[#+\-=>.)])")


def md(text: str) -> str:
    """User text as literal Markdown: one line, every character that would be markup escaped (a note
    can neither format the summary nor smuggle HTML into a viewer)."""
    line = _MARKDOWN_INLINE.sub(r"\\\1", " ".join(str(text).split()))
    return _MARKDOWN_LEADING.sub(lambda found: found[1][:-1] + "\\" + found[1][-1], line)


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _ranked_lines(ranked) -> list[str]:
    """Notes by dots as a list, with their places as on the poster (#1 the most)."""
    places = voting.ranks({note.id: dots or 0 for note, dots in ranked})
    lines = []
    for note, dots in ranked:
        count = "" if dots is None else f" ({ngettext('%(num)d dot', '%(num)d dots', dots)})"
        place = f"**#{places[note.id]}** " if note.id in places else ""
        lines.append(f"- {place}{md(note.text)}{count}")
    return lines


def summary_markdown(workshop: Workshop) -> str:
    lines = [f"# {md(workshop.title)}", ""]
    lines += [
        f"**{_('Journey')}:** {md(workshop.journey)}  ",
        f"**{_('Goal')}:** {md(workshop.goal)}",
        "",
    ]
    lines += [f"## {_('Personas')}", ""]
    for persona in workshop.personas:
        lines.append(
            f"- **{md(persona.name)}**"
            + (f": {md(persona.description)}" if persona.description else "")
        )
        for label, value in (
            (_("Goals"), persona.goals),
            (_("Frustrations"), persona.frustrations),
        ):
            if value:
                lines.append(f"  - {label}: {md(value)}")
    lines += ["", f"## {_('The journey map')}", ""]
    journey = journey_map.load_map(db.session, workshop, room=True)
    names = {stage.id: md(stage.name) for stage in journey.stages}
    for column in journey.columns:  # the stages, then what has no stage yet
        lanes = [
            (lane.kind, journey.notes_in(lane.kind, column))
            for lane in journey.visible_lanes
            if lane.kind is not LaneKind.ACTION  # the actions have their own table
        ]
        if column is None and not any(notes for _kind, notes in lanes):
            continue
        lines += [f"### {names[column] if column is not None else _('No stage')}", ""]
        for kind, notes in lanes:
            if notes:
                lines.append(f"**{LANE_LABELS[kind]}**")
                lines += [f"- {md(note.text)}{_channel(note)}" for note in notes]
                lines.append("")
        if not any(notes for _kind, notes in lanes):
            lines += [f"_{_('Nothing in this stage.')}_", ""]
    touchpoints = journey_map.room_notes(db.session, workshop, NoteKind.TOUCHPOINT)
    points = emotions.curve(db.session, workshop, touchpoints)
    lines += [f"## {_('Emotion curve')}", ""]
    if any(point.count for point in points):
        rows = [
            [
                md(point.text),
                md(point.stage),
                _feeling(point.median),
                f"{_number(point.low)}–{_number(point.high)}"
                if point.low is not None and point.high is not None
                else "",
                str(point.count),
                _("yes") if point.disagreement else "",
            ]
            for point in points
        ]
        header = [
            _("Touchpoint"),
            _("Stage"),
            _("Median"),
            _("Middle half"),
            _("Ratings"),
            _("Room disagrees"),
        ]
        lines += _table(header, rows)
    else:
        lines.append(_("No ratings yet."))
    lines += ["", f"## {_('Pain points by dots')}", ""]
    ranked = ranked_pain_points(workshop)
    lines += _ranked_lines(ranked) if ranked else [_("No pain points.")]
    answers = ranked_notes(workshop, NoteKind.OPPORTUNITY)
    if any(dots is not None for _note, dots in answers):  # voting on them is optional
        lines += ["", f"## {_('Opportunities by dots')}", "", *_ranked_lines(answers)]
    lines += ["", f"## {_('Actions')}", ""]
    listed = actions.actions_of(db.session, workshop)
    if listed:
        header = [
            _("Action"),
            _("Owner"),
            _("Next step"),
            _("Due date"),
            _("Status"),
            _("Quadrant"),
        ]
        rows = [
            [
                md(action.title),
                md(action.owner),
                md(action.next_step),
                action.due_date.isoformat() if action.due_date else "",
                str(ACTION_STATUS_LABELS[action.status]),
                str(QUADRANT_LABELS[action.quadrant]),
            ]
            for action in listed
        ]
        lines += _table(header, rows)
    else:
        lines.append(_("No actions yet."))
    return "\n".join(lines) + "\n"


def _channel(note) -> str:
    if note.kind is NoteKind.TOUCHPOINT and note.channel is not None:
        return f" ({CHANNEL_LABELS[Channel(note.channel)]})"
    return ""


def _feeling(median: float | None) -> str:
    if median is None:
        return ""
    return f"{_number(median)} ({FACES[round(median)]})"


def _number(value: float) -> str:
    """A score as the reader writes it: "2,5" in Dutch, "2.5" in English."""
    return format_decimal(value, "0.##")
