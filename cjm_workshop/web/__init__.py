"""The web layer: blueprints, one package each, plus the helpers they share."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from cjm_workshop.web import errors, hooks
    from cjm_workshop.web.auth.routes import bp as auth_bp
    from cjm_workshop.web.core.routes import bp as core_bp
    from cjm_workshop.web.facilitate import (
        actions,  # noqa: F401  (step 6: actions and the matrix)
        arrange,  # noqa: F401  (the map's routes)
        board,  # noqa: F401  (the projector)
        voting,  # noqa: F401  (dot-voting rounds)
    )
    from cjm_workshop.web.facilitate.routes import bp as facilitate_bp
    from cjm_workshop.web.participate import taps  # noqa: F401  (ratings and dots)
    from cjm_workshop.web.participate.routes import bp as participate_bp
    from cjm_workshop.web.workshops import (
        poster,  # noqa: F401  (the poster PDF)
        results,  # noqa: F401  (what a workshop produced)
        transfer,  # noqa: F401  (the whole workshop as a JSON file, and back)
        versions,  # noqa: F401  (versions of a journey)
    )
    from cjm_workshop.web.workshops.routes import bp as workshops_bp

    for blueprint in (core_bp, auth_bp, workshops_bp, facilitate_bp, participate_bp):
        app.register_blueprint(blueprint)
    errors.register(app)
    hooks.register(app)
