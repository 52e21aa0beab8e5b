"""Home page, health check and the language switcher."""

from __future__ import annotations

import contextlib

from flask import jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from cjm_workshop.extensions import db, limiter
from cjm_workshop.version import __version__
from cjm_workshop.web.core import bp
from cjm_workshop.web.forms import JoinCodeForm
from cjm_workshop.web.i18n import LANGUAGE_COOKIE, LANGUAGES
from cjm_workshop.web.urls import safe_next, secure_cookies

LANGUAGE_COOKIE_AGE = 365 * 24 * 3600


@bp.get("/")
def home():
    if current_user.is_authenticated:
        return redirect(url_for("workshops.dashboard"))
    return render_template("core/home.html", form=JoinCodeForm(formdata=None))


@bp.get("/healthz")
@limiter.exempt
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        with contextlib.suppress(SQLAlchemyError):
            db.session.rollback()
        return jsonify(status="unavailable", database="unavailable", version=__version__), 503
    return jsonify(status="ok", database="ok", version=__version__)


@bp.get("/lang/<language>")
def switch_language(language: str):
    """Remember the visitor's language and go back where they were."""
    target = safe_next(request.args.get("next")) or url_for(".home")
    response = redirect(target, 303)
    if language in LANGUAGES:
        response.set_cookie(
            LANGUAGE_COOKIE,
            language,
            max_age=LANGUAGE_COOKIE_AGE,
            samesite="Lax",
            httponly=True,
            secure=secure_cookies(),
        )
    return response
