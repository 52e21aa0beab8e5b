"""Invitations: sharing a workshop with an e-mail address that has no account yet. The link
opens sign-up for that address; signing up through it shares the workshop with the new
account. Only a hash of the link's token is stored."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from cjm_workshop.models import Facilitator, Invitation, Role, Workshop, WorkshopMember
from cjm_workshop.models.base import utcnow
from cjm_workshop.services import accounts, sharing
from cjm_workshop.services.errors import InvitationRefused, ShareRefused
from cjm_workshop.services.room import DbSession


@dataclass(frozen=True)
class Invited:
    """A new invitation and the token of its link (known only now: the table has its hash)."""

    invitation: Invitation
    token: str


def share_or_invite(
    session: DbSession,
    workshop: Workshop,
    inviter: Facilitator,
    email: str,
    role: Role,
    *,
    valid_for: timedelta | None,
) -> WorkshopMember | Invited:
    """Share with the account of this address, or invite the address when it has none.
    `valid_for` None: this server makes no accounts from the web, so no invitation."""
    try:
        return sharing.share(session, workshop, email, role)
    except ShareRefused as refused:
        if refused.reason != "no_account":
            raise
        if valid_for is None:
            raise ShareRefused("no_account_no_signup") from None
    return invite(session, workshop, inviter, email, role, valid_for=valid_for)


def invite(
    session: DbSession,
    workshop: Workshop,
    inviter: Facilitator,
    email: str,
    role: Role,
    *,
    valid_for: timedelta,
    now: datetime | None = None,
) -> Invited:
    """A new invitation; an earlier one to the same address for this workshop is replaced
    (its link stops working), so the latest mail is the one that counts."""
    now = now or utcnow()
    address = accounts.normalise_email(email)
    session.execute(
        delete(Invitation).where(
            Invitation.workshop_id == workshop.id,
            Invitation.email == address,
            Invitation.used_at.is_(None),
        )
    )
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        workshop_id=workshop.id,
        invited_by_id=inviter.id,
        email=address,
        role=role,
        token_hash=accounts.hashed_token(token),
        created_at=now,
        expires_at=now + valid_for,
    )
    session.add(invitation)
    session.flush()
    return Invited(invitation, token)


def pending(
    session: DbSession, workshop: Workshop, now: datetime | None = None
) -> list[Invitation]:
    """Invitations of this workshop that can still be used, oldest first."""
    return list(
        session.scalars(
            select(Invitation)
            .where(
                Invitation.workshop_id == workshop.id,
                Invitation.used_at.is_(None),
                Invitation.expires_at > (now or utcnow()),
            )
            .order_by(Invitation.created_at, Invitation.id)
        )
    )


def withdraw(session: DbSession, invitation: Invitation) -> None:
    """Its link stops working (and says it does not exist)."""
    session.delete(invitation)
    session.flush()


def open_invitation(session: DbSession, token: str, now: datetime | None = None) -> Invitation:
    """The invitation of this link, if it can still be used."""
    invitation = session.scalar(
        select(Invitation).where(Invitation.token_hash == accounts.hashed_token(token))
    )
    if invitation is None:
        raise InvitationRefused("unknown")
    if invitation.used_at is not None:
        raise InvitationRefused("used")
    if invitation.expires_at <= (now or utcnow()):
        raise InvitationRefused("expired")
    return invitation


def accept(session: DbSession, invitation: Invitation, *, name: str, password: str) -> Facilitator:
    """Sign up through the invitation: an account for its address, with the workshop shared
    in the invited role. The invitation is used up; others to the same address (other
    workshops) are accepted too, since the address is now proven."""
    facilitator = accounts.create_facilitator(
        session, email=invitation.email, name=name, password=password
    )
    now = utcnow()
    waiting = session.scalars(
        select(Invitation).where(
            Invitation.email == invitation.email,
            Invitation.used_at.is_(None),
            Invitation.expires_at > now,
        )
    ).all()
    for each in {invitation, *waiting}:
        session.add(
            WorkshopMember(
                workshop_id=each.workshop_id, facilitator_id=facilitator.id, role=each.role
            )
        )
        each.used_at = now
    session.flush()
    return facilitator


def accept_with_account(session: DbSession, invitation: Invitation) -> WorkshopMember:
    """The invited address has an account by now (it signed up meanwhile, on its own): the
    invitation shares the workshop with that account, and is used up."""
    member = sharing.share(session, invitation.workshop, invitation.email, invitation.role)
    invitation.used_at = utcnow()
    session.flush()
    return member
