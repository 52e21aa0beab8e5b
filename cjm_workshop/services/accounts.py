"""Facilitator accounts: sign-up and password checks."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from cjm_workshop.models import Facilitator
from cjm_workshop.services.errors import EmailTaken

PASSWORD_MIN = 10

# Checked against when the e-mail is unknown, so both cases cost the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(session: Session, email: str) -> Facilitator | None:
    return session.scalar(
        select(Facilitator).where(func.lower(Facilitator.email) == normalise_email(email))
    )


def create_facilitator(session: Session, *, email: str, name: str, password: str) -> Facilitator:
    if find_by_email(session, email) is not None:
        raise EmailTaken(email)
    facilitator = Facilitator(
        email=normalise_email(email),
        name=name.strip(),
        password_hash=generate_password_hash(password),
    )
    session.add(facilitator)
    session.flush()
    return facilitator


def authenticate(session: Session, *, email: str, password: str) -> Facilitator | None:
    facilitator = find_by_email(session, email)
    if facilitator is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(facilitator.password_hash, password):
        return None
    return facilitator
