"""What a workshop produced, for everyone it is shared with (organizers too): the map, the
emotion curve, the pain points by dots and the actions."""

from __future__ import annotations

from flask import Response, render_template, request, url_for
from flask_babel import get_locale

from cjm_workshop.models import NoteKind, Workshop
from cjm_workshop.services import actions
from cjm_workshop.web import exports
from cjm_workshop.web.access import viewed_workshop_or_404
from cjm_workshop.web.actions import MATRIX_ORDER, ranked_notes
from cjm_workshop.web.emotions import emotions_context
from cjm_workshop.web.forms import ConfirmForm
from cjm_workshop.web.i18n import speak
from cjm_workshop.web.journey import map_context
from cjm_workshop.web.workshops import bp
from cjm_workshop.web.workshops.routes import versions_context


@bp.get("/<int:workshop_id>/results")
def results(workshop_id: int):
    workshop, access = viewed_workshop_or_404(workshop_id)
    on_map = map_context(workshop, "map", url_for(".results", workshop_id=workshop.id))
    listed = on_map["journey"].actions  # all of them: the results map shows every persona
    return render_template(
        "workshops/results.html",
        workshop=workshop,
        access=access,
        **on_map,
        **emotions_context(workshop),
        actions=listed,
        matrix=actions.matrix(listed),
        matrix_order=MATRIX_ORDER,
        # Voting on opportunities is optional: shown once a vote on them was revealed.
        opportunity_ranking=[
            (note, dots)
            for note, dots in ranked_notes(workshop, NoteKind.OPPORTUNITY)
            if dots is not None
        ],
        button_form=ConfirmForm(formdata=None),
        **versions_context(workshop),
    )


def download(body: bytes | str, filename: str, content_type: str) -> Response:
    """A file to save, under `content_type` as given (its one charset included)."""
    response = Response(body, content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _export_language(workshop: Workshop) -> None:
    """Exports speak the workshop's language, like the poster; `?language=mine` the
    reader's own (what they chose, or their browser's)."""
    if request.args.get("language") != "mine":
        speak(workshop.language)


@bp.get("/<int:workshop_id>/export/actions.csv")
def export_actions(workshop_id: int):
    workshop, _access = viewed_workshop_or_404(workshop_id, one_moment=True)
    _export_language(workshop)
    name = f"{workshop.join_code.lower()}-actions.csv"
    return download(exports.actions_csv(workshop), name, "text/csv; charset=utf-8")


@bp.get("/<int:workshop_id>/export/summary.md")
def export_summary(workshop_id: int):
    workshop, _access = viewed_workshop_or_404(workshop_id, one_moment=True)
    _export_language(workshop)
    # In the reader's language, a name of its own: both may end up in one folder.
    mine = f"-{get_locale().language}" if request.args.get("language") == "mine" else ""
    name = f"{workshop.join_code.lower()}-summary{mine}.md"
    return download(exports.summary_markdown(workshop), name, "text/markdown; charset=utf-8")
