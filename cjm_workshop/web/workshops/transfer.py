"""A whole workshop as a JSON file: downloaded from the results page (by everyone the
workshop is shared with) and imported as a new workshop of one's own from the dashboard."""

from __future__ import annotations

import tempfile

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from cjm_workshop.extensions import db
from cjm_workshop.offload import Unfinished, in_process
from cjm_workshop.services import transfer
from cjm_workshop.services.errors import InvalidWorkshopFile
from cjm_workshop.services.workshops import format_join_code
from cjm_workshop.web.access import viewed_workshop_or_404
from cjm_workshop.web.errors import domain_message
from cjm_workshop.web.workshops import bp
from cjm_workshop.web.workshops.forms import ImportForm
from cjm_workshop.web.workshops.results import download


@bp.get("/<int:workshop_id>/export/workshop.json")
def export_json(workshop_id: int):
    workshop, access = viewed_workshop_or_404(workshop_id, one_moment=True)
    # Authors are pseudonyms (P1, P2, ...); an organizer of an anonymous workshop still
    # gets none, since it must not learn which notes one person wrote.
    authors = access.runs or not workshop.anonymous
    # The facilitators' private notes per step are theirs (and their co-facilitators').
    body = transfer.export_json(db.session, workshop, authors=authors, private_notes=access.runs)
    name = f"{workshop.join_code.lower()}-workshop.json"
    return download(body, name, "application/json; charset=utf-8")


@bp.route("/import", methods=["GET", "POST"])
def import_json():
    form = ImportForm()
    status = 200
    if form.validate_on_submit():
        outcome, *answer = _imported(form.file.data)
        if outcome == "unfinished":
            current_app.logger.error("import failed: %s", *answer)
            form.file.errors = [_("The import could not finish. Please try again.")]
            status = 503
        elif outcome == "refused":
            reason, params = answer
            refused = InvalidWorkshopFile(reason, **params)
            form.file.errors = [domain_message(refused)]
            status = refused.status
        else:
            workshop_id, title, join_code = answer
            flash(
                _(
                    "Workshop “%(title)s” imported, with the new join code %(code)s.",
                    title=title,
                    code=format_join_code(join_code),
                )
            )
            return redirect(url_for(".overview", workshop_id=workshop_id), 303)
    elif form.errors:
        status = 400
    return render_template("workshops/import.html", form=form), status


def _imported(upload) -> tuple:
    """What transfer.import_file answers for the uploaded file, or ("unfinished", error)."""
    db.session.rollback()  # the import writes on a connection of its own
    # Handed over as a file: through the process's pipe, this worker would wait (and keep
    # its other requests waiting) until the new process had read it all.
    with tempfile.NamedTemporaryFile(prefix="cjm-import-") as document:
        document.write(upload.stream.read(transfer.MAX_DOCUMENT_BYTES + 1))
        document.flush()
        try:
            return in_process(
                transfer.import_file,
                db.engine.url,
                document.name,
                current_user.id,
                limit=transfer.IMPORT_TIME_LIMIT,
            )
        except Unfinished as unfinished:
            return ("unfinished", unfinished)
