"""Versions of a journey: making the next version of a workshop, and comparing two versions'
emotion curves, top pain points and figures side by side."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from cjm_workshop.curve import FACES, draw_curve
from cjm_workshop.extensions import db
from cjm_workshop.models import NoteKind, Workshop
from cjm_workshop.services import emotions, journey_map, versions
from cjm_workshop.web.access import run_workshop_or_404, viewed_workshop_or_404
from cjm_workshop.web.actions import ranked_pain_points, top_pain_points
from cjm_workshop.web.workshops import bp
from cjm_workshop.web.workshops.forms import NewVersionForm


@bp.post("/<int:workshop_id>/versions")
def new_version(workshop_id: int):
    workshop = run_workshop_or_404(workshop_id)
    form = NewVersionForm()
    if not form.validate_on_submit():
        abort(400)
    copy = versions.clone(db.session, workshop, current_user, with_notes=form.copy_notes.data)
    db.session.commit()
    flash(
        _(
            "Version %(number)d is ready: a new workshop with its own join code. Nobody has "
            "joined it yet.",
            number=copy.version,
        )
    )
    return redirect(url_for(".overview", workshop_id=copy.id), 303)


@bp.get("/<int:workshop_id>/compare")
def compare(workshop_id: int):
    """This version beside another of its journey (?with=its id; by default the one before)."""
    workshop, _access = viewed_workshop_or_404(workshop_id)
    listed = versions.versions_of(db.session, workshop, current_user.id)
    others = [version for version, _role in listed if version.id != workshop.id]
    other = _chosen(workshop, others, request.args.get("with", type=int))
    pair = sorted((workshop, other), key=lambda w: w.version) if other else []
    return render_template(
        "workshops/compare.html",
        workshop=workshop,
        others=others,
        other=other,
        columns=_columns(pair),
        faces=FACES,
    )


def _chosen(workshop: Workshop, others: list[Workshop], wanted: int | None) -> Workshop | None:
    """The version asked for (404 unless it is another version the visitor may see), else
    the nearest earlier one, else the nearest later one."""
    if wanted is not None:
        found = next((w for w in others if w.id == wanted), None)
        if found is None:
            abort(404)
        return found
    earlier = [w for w in others if w.version < workshop.version]
    return earlier[-1] if earlier else next(iter(others), None)


def _columns(pair: list[Workshop]) -> list[dict]:
    """Each version's side, earlier first: its curve (both drawn to one scale, so that they
    line up one above the other), figures and top pain points with what became of them."""
    if not pair:
        return []
    points, pains, tops = {}, {}, {}
    for version in pair:
        touchpoints = journey_map.room_notes(db.session, version, NoteKind.TOUCHPOINT)
        points[version.id] = emotions.curve(db.session, version, touchpoints)
        by_dots = ranked_pain_points(version)
        pains[version.id] = [note for note, _dots in by_dots]
        tops[version.id] = top_pain_points(version, by_dots)
    slots = max(len(found) for found in points.values())
    columns = []
    for index, version in enumerate(pair):
        other = pair[1 - index]
        marks = versions.continuity(
            [note for note, _dots in tops[version.id]],
            [note for note, _dots in tops[other.id]],
            pains[other.id],
            later=index == 1,
        )
        labels = {
            versions.Continuity.BOTH_TOPS: _(
                "in the top of version %(number)d too", number=other.version
            ),
            versions.Continuity.NEW: _("new"),
        }
        columns.append(
            {
                "workshop": version,
                "curve": draw_curve(points[version.id], slots),
                "figures": versions.figures(db.session, version, points[version.id]),
                "top": tops[version.id],
                "badges": {note_id: labels[mark] for note_id, mark in marks.items()},
            }
        )
    return columns
