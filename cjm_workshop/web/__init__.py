"""The web layer: blueprints, one package each (its `bp` in its `__init__.py`, its views and
forms beside it), plus the helpers they share."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from cjm_workshop.web import auth, core, errors, facilitate, hooks, participate, workshops

    for package in (core, auth, workshops, facilitate, participate):
        app.register_blueprint(package.bp)
    errors.register(app)
    hooks.register(app)
