"""The `cjm` console script (`cjm serve`, `cjm db upgrade`, `cjm export-json` ...), which
is also `flask --app wsgi cjm ...`."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, NoAppException, with_appcontext
from flask_babel import force_locale

from cjm_workshop import backup, housekeeping
from cjm_workshop.config import ConfigError
from cjm_workshop.extensions import db
from cjm_workshop.models import Workshop
from cjm_workshop.poster import images, layout, render
from cjm_workshop.services import accounts, demo, joining, transfer
from cjm_workshop.services.errors import EmailTaken, InvalidWorkshopFile, WorkshopNotFound
from cjm_workshop.services.workshops import format_join_code
from cjm_workshop.web.errors import domain_message
from cjm_workshop.web.urls import public_url

GUNICORN_CONFIG = "python:cjm_workshop.gunicorn_conf"


@click.group()
def cjm() -> None:
    """CJM Workshop administration."""


def main() -> None:
    """The `cjm` console script."""
    command_line().main(prog_name="cjm")


def command_line() -> FlaskGroup:
    """`cjm COMMAND`: this module's commands, Flask-Migrate's `db` and Flask's own, with the
    settings of the environment and of `.env` (the same app `gunicorn wsgi:app` serves)."""
    from cjm_workshop import __version__, create_app

    def app_from_settings() -> Flask:
        try:
            return create_app()
        except ConfigError as error:  # a sentence for the admin, not a traceback
            raise NoAppException(str(error)) from None

    group = FlaskGroup(
        name="cjm",
        help="CJM Workshop administration.",
        create_app=app_from_settings,
        add_version_option=False,
    )
    click.version_option(__version__, message="CJM Workshop %(version)s")(group)
    group.add_command(serve)
    for name, command in cjm.commands.items():
        group.add_command(command, name)
    return group


@click.command("serve", context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("gunicorn_options", nargs=-1, type=click.UNPROCESSED)
def serve(gunicorn_options: tuple[str, ...]) -> None:
    """Serve the app with gunicorn as `make run` does (HOST, PORT, WORKERS ... from the
    environment or .env; further options are gunicorn's)."""
    arguments = ["--config", GUNICORN_CONFIG, "--no-control-socket", *gunicorn_options]
    command = [sys.executable, "-m", "gunicorn", *arguments, "cjm_workshop:create_app()"]
    os.execv(sys.executable, command)  # noqa: S606 - our own interpreter, no shell involved


def _long_enough(password: str) -> None:
    """The web's rule for a new password, on the shell."""
    if len(password) < accounts.PASSWORD_MIN:
        raise click.BadParameter(
            f"use at least {accounts.PASSWORD_MIN} characters", param_hint="password"
        )


@cjm.command("create-facilitator")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.password_option()
@with_appcontext
def create_facilitator(email: str, name: str, password: str) -> None:
    """Create a facilitator account."""
    _long_enough(password)
    try:
        facilitator = accounts.create_facilitator(
            db.session, email=email, name=name, password=password
        )
    except EmailTaken:
        raise click.ClickException(f"an account for {email} already exists") from None
    db.session.commit()
    click.echo(f"Created facilitator {facilitator.email}.")


@cjm.command("reset-password")
@click.argument("email")
@click.option(
    "--link",
    is_flag=True,
    help="Print a one-time link (valid one hour) for its owner to choose a new password.",
)
@click.option("--base-url", default=None, help="Where the app is reached (default: BASE_URL).")
@with_appcontext
def reset_password(email: str, link: bool, base_url: str | None) -> None:
    """Set a new password for the account EMAIL (prompted for), or with --link print a link
    for its owner to set one. Setting it logs the account out everywhere."""
    facilitator = accounts.find_by_email(db.session, email)
    if facilitator is None:
        raise click.ClickException(f"there is no account for {email}")
    if link:
        token = accounts.reset_token(facilitator, current_app.config["SECRET_KEY"])
        with _request_context(base_url):
            click.echo(public_url("auth.reset_password", token=token))
        return
    password = click.prompt(
        "New password", hide_input=True, confirmation_prompt="Repeat the new password"
    )
    _long_enough(password)
    accounts.set_password(db.session, facilitator, password)
    db.session.commit()
    click.echo(f"New password set for {facilitator.email}; it is logged out everywhere.")


@cjm.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Create the demo facilitator and a Dutch demo workshop (idempotent)."""
    _facilitator, workshop, created = demo.seed_demo(db.session)
    db.session.commit()
    state = "created" if created else "already there"
    click.echo(f"Demo workshop {state}: {workshop.title} (code {workshop.join_code}).")
    click.echo(f"Log in as {demo.DEMO_EMAIL} with password {demo.DEMO_PASSWORD}")


@cjm.command("prune")
@with_appcontext
def prune() -> None:
    """Prune old live events, erase participants' names that are due and delete log-ins
    that ran out (the app also does this by itself now and then; see docs/retention.md)."""
    done = housekeeping.run(current_app._get_current_object())  # type: ignore[attr-defined]
    click.echo(f"Pruned {done.events_pruned} live events.")
    erased = len(done.workshops_erased)
    click.echo(f"Erased participants' names in {erased} workshop{'' if erased == 1 else 's'}.")
    ended = done.logins_ended
    click.echo(f"Ended {ended} log-in{'' if ended == 1 else 's'} older than a log-in lasts.")


def _workshop_of(code: str) -> Workshop:
    try:
        return joining.find_workshop(db.session, code)
    except WorkshopNotFound:
        raise click.ClickException(f"there is no workshop with the code {code}") from None


def _request_context(base_url: str | None):
    """A request to build the app's public URLs from (the poster's QR code)."""
    base = base_url or current_app.config.get("BASE_URL") or "http://127.0.0.1:5000"
    return current_app.test_request_context(base_url=base.rstrip("/"))


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
    workshop = _workshop_of(code)
    chosen = layout.FORMATS[size.upper()]
    with _request_context(base_url):
        map_url = public_url("workshops.results", workshop_id=workshop.id)
        html = render.poster_html(db.session, workshop, chosen, map_url)
        try:
            made = render.make_pdf(workshop, html, chosen)
        except render.PosterUnavailable as problem:
            raise click.ClickException(f"the poster could not be made: {problem}") from None
    with open(output, "wb") as file:
        file.write(made.pdf)
    click.echo(f"Poster of {workshop.title} ({chosen.name}) written to {output}.")


@cjm.command("picture")
@click.argument("code")
@click.option(
    "--part",
    type=click.Choice(render.PARTS),
    default="map",
    show_default=True,
    help="The whole map (a poster page) or its emotion curve.",
)
@click.option("--width", type=click.Choice([str(w) for w in images.WIDTHS]), default="1920")
@click.option("--persona", type=int, default=1, show_default=True, help="Whose page, from 1.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    required=True,
    help="A .png (--width pixels wide) or an .svg file.",
)
@click.option("--base-url", default=None, help="For the QR code (default: BASE_URL).")
@with_appcontext
def picture(
    code: str, part: str, width: str, persona: int, output: str, base_url: str | None
) -> None:
    """Draw the map or the emotion curve of the workshop with join code CODE as a picture
    for slides."""
    kind = Path(output).suffix.lower().lstrip(".")
    if kind not in images.KINDS:
        raise click.BadParameter("the file must end in .png or .svg", param_hint="--output")
    workshop = _workshop_of(code)
    with _request_context(base_url):
        map_url = public_url("workshops.results", workshop_id=workshop.id)
        try:
            drawn = render.picture(db.session, workshop, map_url, part, persona, kind, int(width))
        except LookupError:
            raise click.ClickException(
                f"this workshop has no {part} for persona {persona}"
            ) from None
        except (render.PosterUnavailable, images.ImageUnavailable) as problem:
            raise click.ClickException(f"the picture could not be made: {problem}") from None
    Path(output).write_bytes(drawn)
    click.echo(f"The {part} of {workshop.title} written to {output}.")


@cjm.command("export-json")
@click.argument("code")
@click.option(
    "-o",
    "--output",
    type=click.File("w", encoding="utf-8", atomic=True),
    default="-",
    help="Write to this file (default: standard output).",
)
@with_appcontext
def export_json(code: str, output) -> None:
    """Export the workshop with join code CODE as JSON (see docs/workshop-json.md)."""
    workshop = _workshop_of(code)
    output.write(transfer.export_json(db.session, workshop))
    if output.name != "<stdout>":
        click.echo(
            f"Exported {workshop.title} (code {format_join_code(workshop.join_code)}).", err=True
        )


@cjm.command("import-json")
@click.argument("path", type=click.File("rb"))
@click.option("--facilitator", "email", required=True, help="E-mail address of the new owner.")
@with_appcontext
def import_json(path, email: str) -> None:
    """Import a workshop file as a new workshop of the facilitator with this e-mail address."""
    owner = accounts.find_by_email(db.session, email)
    if owner is None:
        raise click.ClickException(f"there is no account for {email}")
    try:
        workshop = transfer.import_workshop(
            db.session, path.read(transfer.MAX_DOCUMENT_BYTES + 1), owner
        )
    except InvalidWorkshopFile as refused:
        db.session.rollback()
        with force_locale("en"):  # the web's wording of the refusal, where and all
            reason = domain_message(refused)
        raise click.ClickException(f"{path.name} cannot be imported. {reason}") from None
    db.session.commit()
    click.echo(
        f"Imported {workshop.title} for {owner.email}: "
        f"code {format_join_code(workshop.join_code)}, id {workshop.id}."
    )


@cjm.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_server(file: Path) -> None:
    """Back up every workshop and account to FILE (safe while phones post)."""
    try:
        made = backup.backup(db.engine.url, file)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backed up to {made.path} ({made.size / 1024:.0f} KB).")


@cjm.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.confirmation_option(
    prompt="This replaces every workshop and account on this server by the backup. Go on?"
)
@with_appcontext
def restore_server(file: Path) -> None:
    """Replace everything on this server by the backup FILE (stop the server first)."""
    db.session.remove()
    db.engine.dispose()  # nothing of ours holds the database while it is replaced
    try:
        backup.restore(db.engine.url, file)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored from {file}. Start the server again.")


if __name__ == "__main__":
    main()
