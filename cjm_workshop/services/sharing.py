"""Who may do what in a workshop: its facilitator (the owner), the accounts it is shared with
as co-facilitator (run it) or organizer (view, export, print, update action status)."""

from __future__ import annotations

import enum

from sqlalchemy import select

from cjm_workshop.models import Facilitator, Role, Workshop, WorkshopMember
from cjm_workshop.services.accounts import find_by_email
from cjm_workshop.services.errors import ShareRefused
from cjm_workshop.services.room import DbSession


class Access(enum.StrEnum):
    OWNER = "owner"
    CO_FACILITATOR = Role.CO_FACILITATOR.value
    ORGANIZER = Role.ORGANIZER.value

    @property
    def runs(self) -> bool:
        """Runs the workshop: steps, notes, the map, voting, actions."""
        return self is not Access.ORGANIZER


def access_of(session: DbSession, workshop: Workshop, account_id: int) -> Access | None:
    if workshop.facilitator_id == account_id:
        return Access.OWNER
    role = session.scalar(
        select(WorkshopMember.role).where(
            WorkshopMember.workshop_id == workshop.id, WorkshopMember.facilitator_id == account_id
        )
    )
    return None if role is None else Access(role.value)


def share(session: DbSession, workshop: Workshop, email: str, role: Role) -> WorkshopMember:
    """Share with the account of this e-mail address, or change the role it has."""
    account = find_by_email(session, email)
    if account is None:
        raise ShareRefused("no_account")
    if account.id == workshop.facilitator_id:
        raise ShareRefused("owner")
    member = session.scalar(
        select(WorkshopMember).where(
            WorkshopMember.workshop_id == workshop.id, WorkshopMember.facilitator_id == account.id
        )
    )
    if member is None:
        member = WorkshopMember(workshop_id=workshop.id, facilitator_id=account.id, role=role)
        session.add(member)
    member.role = role
    session.flush()
    return member


def unshare(session: DbSession, member: WorkshopMember) -> None:
    session.delete(member)
    session.flush()


def members(session: DbSession, workshop: Workshop) -> list[WorkshopMember]:
    return list(
        session.scalars(
            select(WorkshopMember)
            .join(Facilitator, Facilitator.id == WorkshopMember.facilitator_id)
            .where(WorkshopMember.workshop_id == workshop.id)
            .order_by(Facilitator.name, Facilitator.email)
        )
    )


def shared_with(session: DbSession, account_id: int) -> list[tuple[Workshop, Role]]:
    """The workshops shared with this account, newest first, with its role in each."""
    rows = session.execute(
        select(Workshop, WorkshopMember.role)
        .join(WorkshopMember, WorkshopMember.workshop_id == Workshop.id)
        .where(WorkshopMember.facilitator_id == account_id)
        .order_by(Workshop.created_at.desc(), Workshop.id.desc())
    )
    return [(workshop, role) for workshop, role in rows]
