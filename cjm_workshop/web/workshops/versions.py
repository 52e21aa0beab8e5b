"""Versions of a journey: making the next version of a workshop, and comparing two versions'
emotion curves, top pain points and figures side by side."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from cjm_workshop.extensions import db
from cjm_workshop.models import NoteKind, Workshop
from cjm_workshop.services import emotions, journey_map, versions
from cjm_workshop.web.access import run_workshop_or_404, viewed_workshop_or_404
from cjm_workshop.web.actions import ranked_pain_points, top_pain_points
from cjm_workshop.web.emotions import FACES, draw_curve
from cjm_workshop.web.workshops.forms import NewVersionForm
from cjm_workshop.web.workshops.routes import bp


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
    ranked = {w.id: ranked_pain_points(w) for w in pair}
    columns = [_column(w, pair[1 - index], ranked) for index, w in enumerate(pair)]
    return render_template(
        "workshops/compare.html",
        workshop=workshop,
        others=others,
        other=other,
        columns=columns,
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


def _column(workshop: Workshop, other: Workshop, ranked: dict) -> dict:
    """One version's side: its curve, figures and top pain points (`ranked`: both versions'
    pain points by dots, by workshop id)."""
    touchpoints = journey_map.room_notes(db.session, workshop, NoteKind.TOUCHPOINT)
    points = emotions.curve(db.session, workshop, touchpoints)
    top = top_pain_points(workshop, ranked[workshop.id])
    # A pain point the other version had too (the same words) is marked.
    theirs = {_words(note.text) for note, _dots in ranked[other.id]}
    also = _("also in version %(number)d", number=other.version)
    return {
        "workshop": workshop,
        "curve": draw_curve(points),
        "figures": versions.figures(db.session, workshop, points),
        "top": top,
        "badges": {note.id: also for note, _dots in top if _words(note.text) in theirs},
    }


def _words(text: str) -> str:
    return " ".join(text.casefold().split())
