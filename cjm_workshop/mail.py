"""Sending e-mail (invitations, password resets) over SMTP, with the standard library.

Settings come from the app's config (SMTP_*, MAIL_FROM; see config.py); nothing here knows
requests or templates. With no SMTP_HOST, mail is not configured and callers say so."""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

log = logging.getLogger(__name__)

TIMEOUT = 15  # seconds to reach and talk to the mail server


class MailNotSent(RuntimeError):
    """The mail server could not be reached or refused the message."""


def configured(config: Mapping[str, Any]) -> bool:
    return bool(config.get("SMTP_HOST"))


def message(config: Mapping[str, Any], to: str, subject: str, body: str) -> EmailMessage:
    """A plain-text message from MAIL_FROM."""
    mail = EmailMessage()
    mail["From"] = config["MAIL_FROM"]
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(domain=str(config["MAIL_FROM"]).rpartition("@")[2].strip(">"))
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(body)
    return mail


def send(config: Mapping[str, Any], mail: EmailMessage) -> None:
    """Hand the message to the mail server, or raise MailNotSent."""
    if not configured(config):
        raise MailNotSent("no SMTP_HOST is configured")
    host, port = config["SMTP_HOST"], int(config["SMTP_PORT"])
    try:
        smtp: smtplib.SMTP
        if config.get("SMTP_SSL"):
            smtp = smtplib.SMTP_SSL(
                host, port, timeout=TIMEOUT, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(host, port, timeout=TIMEOUT)
        with smtp:
            if config.get("SMTP_STARTTLS"):
                smtp.starttls(context=ssl.create_default_context())
            if config.get("SMTP_USER"):
                smtp.login(config["SMTP_USER"], config.get("SMTP_PASSWORD", ""))
            smtp.send_message(mail)
    except (OSError, smtplib.SMTPException) as error:
        raise MailNotSent(f"{host}:{port}: {error}") from error


def send_later(config: Mapping[str, Any], mail: EmailMessage) -> None:
    """Send without waiting (a failure is logged): the answer to "forgot my password" then
    takes the same time whether or not a mail went out."""
    settings = dict(config)

    def deliver() -> None:
        try:
            send(settings, mail)
        except MailNotSent as error:
            log.warning("mail to %s not sent: %s", mail["To"], error)

    threading.Thread(target=deliver, name="cjm-mail", daemon=True).start()
