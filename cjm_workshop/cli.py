"""`flask --app wsgi cjm ...` commands."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from cjm_workshop.extensions import db
from cjm_workshop.models import Workshop
from cjm_workshop.poster import layout, render
from cjm_workshop.services import accounts, demo
from cjm_workshop.services.errors import EmailTaken
from cjm_workshop.web.urls import public_url


@click.group()
def cjm() -> None:
    """CJM Workshop administration."""


@cjm.command("create-facilitator")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.password_option()
@with_appcontext
def create_facilitator(email: str, name: str, password: str) -> None:
    """Create a facilitator account."""
    if len(password) < accounts.PASSWORD_MIN:
        raise click.BadParameter(
            f"use at least {accounts.PASSWORD_MIN} characters", param_hint="password"
        )
    try:
        facilitator = accounts.create_facilitator(
            db.session, email=email, name=name, password=password
        )
    except EmailTaken:
        raise click.ClickException(f"an account for {email} already exists") from None
    db.session.commit()
    click.echo(f"Created facilitator {facilitator.email}.")


@cjm.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Create the demo facilitator and a Dutch demo workshop (idempotent)."""
    _facilitator, workshop, created = demo.seed_demo(db.session)
    db.session.commit()
    state = "created" if created else "already there"
    click.echo(f"Demo workshop {state}: {workshop.title} (code {workshop.join_code}).")
    click.echo(f"Log in as {demo.DEMO_EMAIL} with password {demo.DEMO_PASSWORD}")


@cjm.command("poster")
@click.argument("code")
@click.option(
    "--size",
    type=click.Choice(list(layout.FORMATS), case_sensitive=False),
    default=layout.DEFAULT_FORMAT,
    show_default=True,
    help="A0–A3 on one page, or A4: eight A4 sheets to glue together.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True)
@click.option(
    "--base-url",
    default=None,
    help="Where the app is reached, for the poster's QR code (default: BASE_URL).",
)
@with_appcontext
def poster(code: str, size: str, output: str, base_url: str | None) -> None:
    """Print the poster PDF of the workshop with join code CODE."""
    workshop = db.session.scalar(select(Workshop).where(Workshop.join_code == code.upper()))
    if workshop is None:
        raise click.ClickException(f"no workshop has the code {code}")
    chosen = layout.FORMATS[size.upper()]
    base = base_url or current_app.config.get("BASE_URL") or "http://127.0.0.1:5000"
    with current_app.test_request_context(base_url=base.rstrip("/")):
        map_url = public_url("workshops.results", workshop_id=workshop.id)
        html = render.poster_html(db.session, workshop, chosen, map_url)
        try:
            made = render.make_pdf(workshop, html, chosen)
        except render.PosterUnavailable as problem:
            raise click.ClickException(f"the poster could not be made: {problem}") from None
    with open(output, "wb") as file:
        file.write(made.pdf)
    click.echo(f"Poster of {workshop.title} ({chosen.name}) written to {output}.")
