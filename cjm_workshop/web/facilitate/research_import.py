"""Research insights from a CSV file or workbook: upload it, map its columns, look at the
preview, import. The file is read once, on upload; the pages after it find its rows by a
random key in their address (services/research_import.py keeps them)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import ngettext
from flask_login import current_user

from cjm_workshop.extensions import db
from cjm_workshop.labels import SOURCE_LABELS, in_every_language
from cjm_workshop.services import research_import as service
from cjm_workshop.services.errors import InsightRowsRefused, InvalidInsightFile
from cjm_workshop.web.access import run_workshop_or_404
from cjm_workshop.web.errors import domain_message
from cjm_workshop.web.facilitate import bp
from cjm_workshop.web.facilitate.forms import InsightColumnsForm, InsightsFileForm
from cjm_workshop.web.htmx import render

PREVIEW_ROWS = 10
REFUSALS_SHOWN = 50


@bp.route("/<int:workshop_id>/research/import", methods=["GET", "POST"])
def import_research(workshop_id: int):
    workshop = run_workshop_or_404(workshop_id)
    form = InsightsFileForm()
    limit = current_app.config["RESEARCH_IMPORT_MAX_BYTES"]
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        try:
            # Never more than one byte past the limit is read (the request is bounded too).
            table = service.read_table(upload.stream.read(limit + 1), upload.filename, limit)
            kept = service.store_upload(db.session, workshop, current_user, upload.filename, table)
        except InvalidInsightFile as refused:
            form.file.errors = [domain_message(refused)]
            status = refused.status
        else:
            db.session.commit()
            return redirect(
                url_for(".research_columns", workshop_id=workshop.id, key=kept.key), 303
            )
    elif form.errors:
        status = 422
    return render_template(
        "facilitate/import_insights.html",
        form=form,
        workshop=workshop,
        limit=service.size_text(limit),
        max_rows=service.MAX_ROWS,
    ), status


@bp.route("/<int:workshop_id>/research/import/<key>", methods=["GET", "POST"])
def research_columns(workshop_id: int, key: str):
    """The columns (asked with GET, so that each choice shows its preview at once), the
    preview, and (POST) the import itself."""
    workshop = run_workshop_or_404(workshop_id)
    upload = service.upload_of(db.session, workshop, current_user, key)
    table = service.Table.from_json(upload.table)
    sources = in_every_language(SOURCE_LABELS)
    asked = request.form if request.method == "POST" else request.args
    form = InsightColumnsForm(asked or None)
    form.offer(table.header)
    if not asked:
        form.show(service.guess_mapping(table.header))
    checked, problem = None, ""
    if form.validate():
        try:
            checked = service.check_rows(workshop, table, form.mapping(), sources)
            if request.method == "POST" and not checked.refusals:
                added = service.import_insights(db.session, workshop, upload, checked)
                db.session.commit()
                flash(_imported(len(added)))
                return redirect(url_for(".console", workshop_id=workshop.id), 303)
        except InvalidInsightFile as refused:
            problem = domain_message(refused)
    refusals = checked.refusals if checked is not None else ()
    if refusals:
        problem = domain_message(InsightRowsRefused(refusals))
    return render(
        "facilitate/import_insights_columns.html",
        partial="facilitate/_insights_preview.html",
        status=422 if problem or form.errors else 200,
        workshop=workshop,
        upload=upload,
        form=form,
        problem=problem,
        checked=checked,
        preview_rows=PREVIEW_ROWS,
        refusals=[domain_message(refusal) for refusal in refusals[:REFUSALS_SHOWN]],
        more_refusals=max(0, len(refusals) - REFUSALS_SHOWN),
    )


def _imported(count: int) -> str:
    return ngettext(
        "%(num)d research insight imported.", "%(num)d research insights imported.", count
    )
