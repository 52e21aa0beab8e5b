"""The poster for everyone a workshop is shared with: a page with the size choice and an
HTML preview (the poster's own template, in the browser), and the PDF download."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, abort, render_template, request
from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice

from cjm_workshop.extensions import db
from cjm_workshop.models import Workshop
from cjm_workshop.poster import images, layout, render
from cjm_workshop.services.sharing import Access
from cjm_workshop.web.access import viewed_workshop_or_404
from cjm_workshop.web.forms import AppForm
from cjm_workshop.web.urls import public_url
from cjm_workshop.web.workshops import bp

SIZE_LABELS = {
    "A0": _l("A0 (119 × 84 cm)"),
    "A1": _l("A1 (84 × 59 cm)"),
    "A2": _l("A2 (59 × 42 cm)"),
    "A3": _l("A3 (42 × 30 cm)"),
    "A4": _l("A4 sheets to glue together (8 sheets, 73 × 52 cm)"),
}


class PosterForm(AppForm):
    """The size, asked by GET (nothing changes, so no CSRF token): made from the query."""

    class Meta:
        csrf = False

    size = RadioField(
        _l("Size"),
        choices=[SelectChoice(size, label) for size, label in SIZE_LABELS.items()],
        default=layout.DEFAULT_FORMAT,
        validate_choice=True,
    )


@dataclass
class _Asked:
    """A request for a poster: whose workshop, by whom, which size (None: not a size)."""

    workshop: Workshop
    access: Access
    form: PosterForm
    chosen: layout.Format | None

    @classmethod
    def read(cls, workshop_id: int, *, one_moment: bool = False) -> _Asked:
        workshop, access = viewed_workshop_or_404(workshop_id, one_moment=one_moment)
        form = PosterForm(request.args)
        chosen: layout.Format | None
        if form.size.raw_data is None:  # no choice yet: the default
            chosen = layout.FORMATS[layout.DEFAULT_FORMAT]
        else:
            chosen = layout.FORMATS[form.size.data] if form.validate() else None
        return cls(workshop, access, form, chosen)

    def page(self, status: int = 200, unavailable: bool = False):
        """The poster page: with the form's message (400), or saying the renderer is busy."""
        if self.chosen is None:
            status = 400
        page = render_template(
            "workshops/poster.html",
            workshop=self.workshop,
            access=self.access,
            form=self.form,
            size=(self.chosen or layout.FORMATS[layout.DEFAULT_FORMAT]).name,
            unavailable=unavailable,
        )
        return page, status, {"Retry-After": "30"} if unavailable else {}

    @property
    def map_url(self) -> str:
        """The results page, which the poster's QR code opens."""
        return public_url("workshops.results", workshop_id=self.workshop.id)

    def html(self, preview: bool = False) -> str:
        assert self.chosen is not None, "a wrong size is answered with the page"
        return render.poster_html(db.session, self.workshop, self.chosen, self.map_url, preview)


@bp.get("/<int:workshop_id>/poster")
def poster(workshop_id: int):
    return _Asked.read(workshop_id).page()


@bp.get("/<int:workshop_id>/poster/preview")
def poster_preview(workshop_id: int):
    asked = _Asked.read(workshop_id, one_moment=True)
    if asked.chosen is None:
        return asked.page()
    response = Response(asked.html(preview=True), mimetype="text/html")
    # Shown in a frame of the poster page (this site only); it needs no script or file.
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"
    )
    return response


@bp.get("/<int:workshop_id>/poster.pdf")
def poster_pdf(workshop_id: int):
    asked = _Asked.read(workshop_id, one_moment=True)
    if asked.chosen is None:
        return asked.page()
    try:
        made = render.make_pdf(asked.workshop, asked.html(), asked.chosen)
    except render.PosterUnavailable:
        return asked.page(503, unavailable=True)
    name = f"{asked.workshop.join_code.lower()}-poster-{asked.chosen.name.lower()}.pdf"
    response = Response(made.pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/<int:workshop_id>/<any(map, curve):part>.<any(png, svg):kind>")
def picture(workshop_id: int, part: str, kind: str):
    """The map (a persona's poster page) or its emotion curve as a picture for slides: a PNG
    1920 or 3840 px wide, or an SVG. `page` is the persona's number (from 1)."""
    asked = _Asked.read(workshop_id, one_moment=True)
    width = request.args.get("width", type=int, default=images.WIDTHS[0])
    page = request.args.get("page", type=int, default=1)
    if asked.chosen is None or width not in images.WIDTHS:
        return asked.page(400)
    try:
        drawn = render.picture(db.session, asked.workshop, asked.map_url, part, page, kind, width)
    except LookupError:
        abort(404)
    except (render.PosterUnavailable, images.ImageUnavailable):
        return asked.page(503, unavailable=True)
    name = "-".join(
        [asked.workshop.join_code.lower(), part]
        + ([str(page)] if len(asked.workshop.personas) > 1 else [])
        + ([str(width)] if kind == "png" else [])
    )
    response = Response(drawn, mimetype=images.MIMETYPES[kind])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    # Opened in a browser anyway, an SVG is a document: it may draw, never run or fetch.
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    )
    return response
