"""The app factory: settings, extensions, blueprints and commands."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from cjm_workshop import assets, config
from cjm_workshop.extensions import babel, compress, csrf, db, htmx, limiter, login_manager, migrate
from cjm_workshop.web.plain_text import plain_text_requests
from cjm_workshop.web.urls import SecureCookiesOverHTTPS

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        "cjm_workshop",
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(config.INSTANCE),
    )
    if test_config is None:
        app.config.update(config.from_environment())
    else:
        app.config.update(config.DEFAULTS | test_config)
    config.INSTANCE.mkdir(exist_ok=True)
    app.wsgi_app = SecureCookiesOverHTTPS(app.wsgi_app)  # type: ignore[method-assign]
    if app.config["PROXY_COUNT"]:
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented way
            app.wsgi_app, x_for=count, x_proto=count, x_host=count
        )

    register_extensions(app)
    assets.serve(app)
    plain_text_requests(app)
    register_blueprints(app)
    register_cli(app)
    return app


def register_extensions(app: Flask) -> None:
    import cjm_workshop.ratelimit  # noqa: F401 - registers the cjm-db:// limits storage
    from cjm_workshop.database import tune_engine
    from cjm_workshop.web.i18n import select_locale

    db.init_app(app)
    with app.app_context():
        tune_engine(db.engine)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    compress.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)


def register_blueprints(app: Flask) -> None:
    from cjm_workshop.web import register

    register(app)


def register_cli(app: Flask) -> None:
    from cjm_workshop.cli import cjm

    app.cli.add_command(cjm)
