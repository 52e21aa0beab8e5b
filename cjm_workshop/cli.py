"""`flask --app wsgi cjm ...` commands."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from cjm_workshop.extensions import db
from cjm_workshop.services import accounts, demo
from cjm_workshop.services.errors import EmailTaken


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
