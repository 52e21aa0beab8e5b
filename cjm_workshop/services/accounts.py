"""Facilitator accounts: sign-up, password checks, log-ins kept on the server, and
password-reset links."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from cjm_workshop.models import Facilitator, LoginSession
from cjm_workshop.services.errors import EmailTaken, ResetLinkRefused, WrongPassword
from cjm_workshop.services.room import DbSession, changed

PASSWORD_MIN = 10

# Checked against when the e-mail is unknown, so both cases cost the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(session: DbSession, email: str) -> Facilitator | None:
    return session.scalar(
        select(Facilitator).where(func.lower(Facilitator.email) == normalise_email(email))
    )


def create_facilitator(session: DbSession, *, email: str, name: str, password: str) -> Facilitator:
    if find_by_email(session, email) is not None:
        raise EmailTaken(email)
    facilitator = Facilitator(
        email=normalise_email(email),
        name=name.strip(),
        password_hash=generate_password_hash(password),
    )
    try:  # the same address signing up twice at once: the unique index decides
        with session.begin_nested():
            session.add(facilitator)
    except IntegrityError:
        raise EmailTaken(email) from None
    return facilitator


def authenticate(session: DbSession, *, email: str, password: str) -> Facilitator | None:
    facilitator = find_by_email(session, email)
    if facilitator is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(facilitator.password_hash, password):
        return None
    return facilitator


# --- log-ins ---------------------------------------------------------------------------


def hashed_token(token: str) -> str:
    """What is stored of a secret token (log-ins, invitations): a leaked table opens nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


def start_login(session: DbSession, facilitator: Facilitator) -> None:
    """A new log-in of this account; its token goes with the facilitator (get_id)."""
    token = secrets.token_urlsafe(32)
    session.add(LoginSession(facilitator_id=facilitator.id, token_hash=hashed_token(token)))
    session.flush()
    facilitator.login_token = token


def logged_in(session: DbSession, user_id: str, *, started_after: datetime) -> Facilitator | None:
    """The account of a log-in that has not been ended ("id:token" from the session) and
    began after `started_after`: a log-in lasts as long as a remember-me cookie at most, so
    a copied cookie, which the browser's expiry does not stop, is worth nothing after that."""
    account, _, token = user_id.partition(":")
    if not account.isdigit() or not token:
        return None
    facilitator = session.scalar(
        select(Facilitator)
        .join(LoginSession, LoginSession.facilitator_id == Facilitator.id)
        .where(
            Facilitator.id == int(account),
            LoginSession.token_hash == hashed_token(token),
            LoginSession.created_at > started_after,
        )
    )
    if facilitator is not None:
        facilitator.login_token = token
    return facilitator


def end_login(session: DbSession, facilitator: Facilitator) -> None:
    session.execute(
        delete(LoginSession).where(LoginSession.token_hash == hashed_token(facilitator.login_token))
    )


def end_other_logins(session: DbSession, facilitator: Facilitator) -> int:
    """Log out everywhere else (other browsers, copied cookies); how many were ended."""
    ended = session.execute(
        delete(LoginSession).where(
            LoginSession.facilitator_id == facilitator.id,
            LoginSession.token_hash != hashed_token(facilitator.login_token),
        )
    )
    return changed(ended)


def change_password(session: DbSession, facilitator: Facilitator, current: str, new: str) -> None:
    """Only with the current password; every other log-in of the account ends."""
    if not check_password_hash(facilitator.password_hash, current):
        raise WrongPassword("current")
    facilitator.password_hash = generate_password_hash(new)
    end_other_logins(session, facilitator)


# --- password-reset links ----------------------------------------------------------------
# A signed, timed token that names the account and a fingerprint of its current password
# hash: setting a new password (through the link or otherwise) changes the hash, so a link
# works once and no table is needed.

_RESET_SALT = "cjm-password-reset"


def _reset_serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=_RESET_SALT)


def _fingerprint(facilitator: Facilitator) -> str:
    return hashlib.sha256(facilitator.password_hash.encode()).hexdigest()[:16]


def reset_token(facilitator: Facilitator, secret_key: str) -> str:
    return str(_reset_serializer(secret_key).dumps([facilitator.id, _fingerprint(facilitator)]))


def account_for_reset(session: DbSession, token: str, secret_key: str, max_age: int) -> Facilitator:
    """The account a reset link is for, if the link is genuine, not older than `max_age`
    seconds, and its password has not changed since (so the link has not been used)."""
    try:
        account_id, fingerprint = _reset_serializer(secret_key).loads(token, max_age=max_age)
    except SignatureExpired:
        raise ResetLinkRefused("expired") from None
    except (BadSignature, ValueError, TypeError):
        raise ResetLinkRefused("unknown") from None
    facilitator = session.get(Facilitator, account_id) if isinstance(account_id, int) else None
    if facilitator is None:
        raise ResetLinkRefused("unknown")
    if not secrets.compare_digest(str(fingerprint), _fingerprint(facilitator)):
        raise ResetLinkRefused("used")
    return facilitator


def set_password(session: DbSession, facilitator: Facilitator, new: str) -> None:
    """A new password without the old one (a reset link, an administrator): every log-in of
    the account ends, since whoever knew the old password may be logged in somewhere."""
    facilitator.password_hash = generate_password_hash(new)
    session.execute(delete(LoginSession).where(LoginSession.facilitator_id == facilitator.id))
    session.flush()
