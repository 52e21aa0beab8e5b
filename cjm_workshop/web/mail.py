"""The app's e-mails: written from a template in the recipient's language, with absolute
links, handed to cjm_workshop.mail. One template per mail in templates/mail/: its first line
is the subject, the rest the plain-text body."""

from __future__ import annotations

from email.message import EmailMessage

from flask import current_app, render_template
from flask_babel import force_locale

from cjm_workshop import mail


def mail_configured() -> bool:
    """A mail server, and BASE_URL for the links in mails: never the request's Host, which
    a sender chooses (a reset link to their own site would hand them the token)."""
    return mail.configured(current_app.config) and bool(current_app.config["BASE_URL"])


def compose(to: str, template: str, language: str, **context) -> EmailMessage:
    with force_locale(language):
        subject, _, body = render_template(f"mail/{template}.txt", **context).partition("\n")
    return mail.message(current_app.config, to, subject.strip(), body.strip() + "\n")


def send_now(message: EmailMessage) -> bool:
    """Sent, or False (logged) when no mail server is configured or it refused."""
    if not mail_configured():
        return False
    try:
        mail.send(current_app.config, message)
    except mail.MailNotSent as error:
        current_app.logger.warning("mail to %s not sent: %s", message["To"], error)
        return False
    return True


def send_later(message: EmailMessage) -> None:
    mail.send_later(current_app.config, message)
